import { useId, useState } from "react";
import { formatMoney, formatUnitPrice, lineUnitPrice } from "../lib/format";
import type { Currency } from "../../../convex/model/currency";
import type { Offer } from "../lib/types";

export interface ChartSeries {
  key: string;
  supplierName: string;
  color: string;
  offers: Offer[];
}

/** A line item of the quote: the chart shows one at a time. */
export interface ChartLine {
  sku: string;
  name: string;
  targetUnitPrice: number;
  maxUnitPrice: number;
}

interface Props {
  series: ChartSeries[];
  maxRounds: number;
  lines: ChartLine[];
  /** The quote's currency. */
  currency: Currency;
}

const W = 640;
const H = 260;
const PAD = { left: 64, right: 16, top: 16, bottom: 36 };

/**
 * Each supplier's offered unit price per round (solid) and the brand's counters
 * to it (dashed), against the brand's target and maximum, for one line item at
 * a time: unit prices of unlike items do not average into anything. Hand-written
 * SVG: a chart library would outweigh the rest of the dashboard.
 */
export function PriceChart({ series, maxRounds, lines, currency }: Props) {
  const [chosen, setChosen] = useState(lines[0]?.sku);
  const line = lines.find((l) => l.sku === chosen) ?? lines[0];
  const selectId = useId();
  const svgId = useId();
  const sku = line?.sku ?? "";
  const target = line?.targetUnitPrice ?? 0;
  const max = line?.maxUnitPrice ?? 0;
  const priceOf = (o: Offer) => lineUnitPrice(o.terms, sku);
  const priced = (offers: Offer[]) => offers.filter((o) => priceOf(o) !== undefined);
  const points = series.flatMap((s) => priced(s.offers).map((o) => ({ round: o.round, price: priceOf(o)! })));
  const hasData = points.length > 0;
  const lastRound = Math.max(maxRounds, 1, ...points.map((p) => p.round));
  const prices = [target, max, ...points.map((p) => p.price)].filter((v) => v > 0);
  let low = Math.min(...prices);
  let high = Math.max(...prices);
  if (high - low < 1e-9) {
    low *= 0.9;
    high *= 1.1;
  }
  const margin = (high - low) * 0.08;
  low = Math.max(0, low - margin);
  high += margin;

  const x = (round: number) => PAD.left + ((round - 1) / Math.max(1, lastRound - 1)) * (W - PAD.left - PAD.right);
  const y = (price: number) => PAD.top + (1 - (price - low) / (high - low)) * (H - PAD.top - PAD.bottom);
  const ticks = Array.from({ length: 5 }, (_, i) => low + ((high - low) * i) / 4);
  const rounds = Array.from({ length: lastRound }, (_, i) => i + 1);

  const path = (offers: Offer[]) =>
    priced(offers)
      .slice()
      .sort((a, b) => a.round - b.round)
      .map((o, i) => `${i === 0 ? "M" : "L"}${x(o.round).toFixed(1)},${y(priceOf(o)!).toFixed(1)}`)
      .join(" ");

  return (
    <figure className="chart" data-testid="price-chart" data-points={points.length} data-sku={sku}>
      {lines.length > 1 && (
        <div className="chart-controls">
          <label htmlFor={selectId}>Line item</label>
          <select id={selectId} value={sku} onChange={(event) => setChosen(event.target.value)} data-testid="chart-line">
            {lines.map((l) => (
              <option key={l.sku} value={l.sku}>
                {l.name} ({l.sku})
              </option>
            ))}
          </select>
        </div>
      )}
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${svgId}-title ${svgId}-desc`} preserveAspectRatio="xMidYMid meet">
        <title id={`${svgId}-title`}>{`Offered unit price per round: ${line?.name ?? "no line item"}`}</title>
        <desc id={`${svgId}-desc`}>
          {series
            .map((s) => {
              const last = priced(s.offers.filter((o) => o.offeredBy === "supplier")).at(-1);
              return `${s.supplierName}: ${last ? `latest ${formatUnitPrice(priceOf(last)!, currency)} in round ${last.round}` : "no offer yet"}`;
            })
            .join("; ")}
        </desc>
        {ticks.map((t) => (
          <g key={t}>
            <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text className="chart-tick" x={PAD.left - 8} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {formatMoney(t, currency)}
            </text>
          </g>
        ))}
        {rounds.map((r) => (
          <text key={r} className="chart-tick" x={x(r)} y={H - PAD.bottom + 18} textAnchor="middle">
            {r}
          </text>
        ))}
        <text className="chart-axis" x={(PAD.left + W - PAD.right) / 2} y={H - 4} textAnchor="middle">
          Round
        </text>
        {max > 0 && (
          <g>
            <line className="chart-limit chart-limit-max" x1={PAD.left} x2={W - PAD.right} y1={y(max)} y2={y(max)} />
            <text className="chart-limit-label" x={W - PAD.right - 4} y={y(max) - 5} textAnchor="end">
              your maximum
            </text>
          </g>
        )}
        {target > 0 && (
          <g>
            <line className="chart-limit chart-limit-target" x1={PAD.left} x2={W - PAD.right} y1={y(target)} y2={y(target)} />
            <text className="chart-limit-label" x={W - PAD.right - 4} y={y(target) + 13} textAnchor="end">
              your target
            </text>
          </g>
        )}
        {series.map((s) => {
          const supplierOffers = priced(s.offers.filter((o) => o.offeredBy === "supplier"));
          const brandOffers = priced(s.offers.filter((o) => o.offeredBy === "brand"));
          return (
            <g key={s.key} style={{ color: s.color }}>
              <path className="chart-line" d={path(supplierOffers)} />
              <path className="chart-line chart-line-counter" d={path(brandOffers)} />
              {supplierOffers.map((o) => (
                <circle key={o._id} className="chart-point" cx={x(o.round)} cy={y(priceOf(o)!)} r={4}>
                  <title>{`${s.supplierName}, round ${o.round}: ${formatUnitPrice(priceOf(o)!, currency)}`}</title>
                </circle>
              ))}
              {brandOffers.map((o) => (
                <rect
                  key={o._id}
                  className="chart-point chart-point-counter"
                  x={x(o.round) - 3.5}
                  y={y(priceOf(o)!) - 3.5}
                  width={7}
                  height={7}
                >
                  <title>{`Brand counter to ${s.supplierName}, round ${o.round}: ${formatUnitPrice(priceOf(o)!, currency)}`}</title>
                </rect>
              ))}
            </g>
          );
        })}
        {!hasData && (
          <text className="chart-empty" x={W / 2} y={H / 2} textAnchor="middle">
            Offers appear here as they are made.
          </text>
        )}
      </svg>
      <figcaption className="chart-legend">
        {series.map((s) => (
          <span key={s.key} className="legend-item">
            <span className="legend-swatch" style={{ background: s.color }} /> {s.supplierName}
          </span>
        ))}
        <span className="legend-item">
          <span className="legend-line" /> supplier offer
        </span>
        <span className="legend-item">
          <span className="legend-line legend-line-dashed" /> brand counter
        </span>
      </figcaption>
    </figure>
  );
}
