import { useId } from "react";
import { TableScroll } from "./TableScroll";

// A small column chart over time for the insights: grouped columns per bucket,
// drawn as text-free SVG so it scales to any width (a phone's included), with
// its scale and labels in HTML and the same figures as a table underneath:
// the table is the chart's text alternative. Colours are CSS tokens
// (--series-*), so light and dark mode both hold.

export interface ColumnSeries {
  key: string;
  name: string;
  color: string;
  /** One value per category; null where there is nothing to show. */
  values: (number | null)[];
}

interface Props {
  title: string;
  testId: string;
  categories: string[];
  series: ColumnSeries[];
  format: (value: number) => string;
  /** Extra columns of the table, e.g. the counts behind a rate. */
  extra?: { name: string; values: string[] };
}

const W = 600;
const H = 160;

export function ColumnChart({ title, testId, categories, series, format, extra }: Props) {
  const titleId = useId();
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const high = Math.max(0, ...values);
  const low = Math.min(0, ...values);
  const span = high - low || 1;
  const y = (value: number) => ((high - value) / span) * H;
  const slot = W / Math.max(1, categories.length);
  const bar = (slot * 0.8) / Math.max(1, series.length);
  const summary = series
    .map((s) => {
      const shown = s.values.filter((v): v is number => v !== null);
      if (shown.length === 0) return `${s.name}: no data`;
      const best = s.values.indexOf(Math.max(...shown));
      return `${s.name}: highest ${format(s.values[best]!)} (${categories[best]})`;
    })
    .join("; ");
  return (
    <figure className="column-chart" data-testid={testId} aria-labelledby={titleId}>
      <figcaption id={titleId} className="column-chart-title">
        {title}
      </figcaption>
      <div className="column-chart-plot">
        <div className="column-chart-scale muted small tabular" aria-hidden="true">
          <span>{format(high)}</span>
          {low < 0 && <span>{format(0)}</span>}
          <span>{format(low)}</span>
        </div>
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${title}. ${summary}. The table below lists every value.`}>
          <line className="chart-grid" x1={0} x2={W} y1={y(0)} y2={y(0)} vectorEffect="non-scaling-stroke" />
          {categories.map((category, i) =>
            series.map((s, j) => {
              const value = s.values[i];
              if (value === null || value === undefined) return null;
              const top = Math.min(y(value), y(0));
              return (
                <rect
                  key={`${s.key}-${i}`}
                  className="column-chart-bar"
                  x={i * slot + slot * 0.1 + j * bar}
                  y={top}
                  width={Math.max(1, bar - 1)}
                  height={Math.max(value === 0 ? 0 : 1, Math.abs(y(value) - y(0)))}
                  fill={s.color}
                >
                  <title>{`${category}, ${s.name}: ${format(value)}`}</title>
                </rect>
              );
            }),
          )}
        </svg>
      </div>
      <div className="column-chart-axis muted small" aria-hidden="true">
        <span>{categories[0]}</span>
        {categories.length > 1 && <span>{categories.at(-1)}</span>}
      </div>
      {series.length > 1 && (
        <div className="chart-legend">
          {series.map((s) => (
            <span key={s.key} className="legend-item">
              <span className="legend-swatch" style={{ background: s.color }} /> {s.name}
            </span>
          ))}
        </div>
      )}
      <details className="column-chart-table">
        <summary>Show as a table</summary>
        <TableScroll label={`${title}, as a table`}>
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Period</th>
                {series.map((s) => (
                  <th key={s.key} scope="col">
                    {s.name}
                  </th>
                ))}
                {extra && <th scope="col">{extra.name}</th>}
              </tr>
            </thead>
            <tbody>
              {categories.map((category, i) => (
                <tr key={category}>
                  <th scope="row">{category}</th>
                  {series.map((s) => (
                    <td key={s.key} className="tabular">
                      {s.values[i] === null ? "—" : format(s.values[i]!)}
                    </td>
                  ))}
                  {extra && <td className="tabular">{extra.values[i]}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </figure>
  );
}
