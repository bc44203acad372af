import type { Priorities } from "../../../src/negotiation/types";
import { displayPercents, PRIORITY_KEYS, PRIORITY_LABELS, setPriority } from "../lib/priorities";

/** Four weights that always add up to 100%: moving one rescales the rest. */
export function PrioritySliders({ value, onChange }: { value: Priorities; onChange: (next: Priorities) => void }) {
  const percents = displayPercents(value);
  return (
    <fieldset className="priorities" data-testid="priorities">
      <legend>Priorities</legend>
      <p className="hint">How much each issue matters to you. The weights always add up to 100%.</p>
      {PRIORITY_KEYS.map((key) => {
        const percent = percents[key];
        return (
          <div className="slider-row" key={key}>
            <label htmlFor={`priority-${key}`}>{PRIORITY_LABELS[key]}</label>
            <input
              id={`priority-${key}`}
              type="range"
              min={0}
              max={100}
              step={1}
              value={percent}
              aria-valuetext={`${percent}%`}
              onChange={(event) => onChange(setPriority(value, key, Number(event.target.value) / 100))}
              data-testid={`priority-${key}`}
            />
            <output htmlFor={`priority-${key}`} className="tabular" data-testid={`priority-${key}-value`}>
              {percent}%
            </output>
          </div>
        );
      })}
      <div className="priority-bar" aria-hidden="true">
        {PRIORITY_KEYS.map((key) => (
          <span key={key} className={`priority-bar-${key}`} style={{ flexGrow: value[key] }} />
        ))}
      </div>
    </fieldset>
  );
}
