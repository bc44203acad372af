import { LIMITS } from "../../../convex/model/validate";
import type { FieldErrors } from "../lib/quoteForm";
import type { Id, SupplierProfile } from "../lib/types";
import { Field, FieldError } from "./Field";

interface Props {
  suppliers: SupplierProfile[] | undefined;
  live: Id<"suppliers">[];
  onLiveChange: (live: Id<"suppliers">[]) => void;
  responseHours: string;
  onResponseHoursChange: (hours: string) => void;
  errors: FieldErrors;
}

/**
 * The New quote form's "who answers": Parley plays each supplier unless the
 * brand says a person at it answers (live), and how long every negotiation has.
 */
export function SupplierSides({ suppliers, live, onLiveChange, responseHours, onResponseHoursChange, errors }: Props) {
  // The server names a refused id by its place in liveSupplierIds ("liveSupplierIds.0"), not by supplier.
  const liveError = Object.entries(errors).find(([field]) => field.startsWith("liveSupplierIds"));
  const toggle = (id: Id<"suppliers">, on: boolean) => onLiveChange(on ? [...live.filter((x) => x !== id), id] : live.filter((x) => x !== id));
  return (
    <fieldset className="card supplier-sides" data-testid="supplier-sides">
      <legend>Who answers for each supplier</legend>
      <p className="hint">
        Simulated is the default: Parley plays the supplier from its profile, for rehearsal. Live: a person at the supplier answers; you invite
        them by link after requesting.
      </p>
      {suppliers === undefined ? (
        <p className="muted small">Loading the suppliers…</p>
      ) : (
        <ul className="side-list">
          {suppliers.map((supplier) => {
            const on = live.includes(supplier._id);
            const words = `side-${supplier._id}-words`;
            return (
              <li key={supplier._id} className="side-row" data-live={on}>
                <div className="side-supplier">
                  <strong>{supplier.name}</strong>
                  <span className="muted small">{supplier.profile.location}</span>
                </div>
                <label className="side-toggle">
                  <input
                    type="checkbox"
                    checked={on}
                    onChange={(e) => toggle(supplier._id, e.target.checked)}
                    aria-describedby={words}
                    data-testid="live-supplier"
                    data-supplier-name={supplier.name}
                  />
                  Live<span className="visually-hidden"> for {supplier.name}</span>
                </label>
                <p className="hint side-words" id={words}>
                  {on
                    ? `A person at ${supplier.name} answers; you invite them by link after requesting.`
                    : `Simulated: Parley plays ${supplier.name} from its profile, for rehearsal.`}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {liveError && <FieldError field={liveError[0]} message={liveError[1]} />}
      <Field
        id="response-hours"
        field="responseHours"
        label="Response deadline (hours)"
        hint={`How long each negotiation has once the quote starts; past it, an open negotiation expires. 1 to ${LIMITS.maxResponseHours} hours, default ${LIMITS.defaultResponseHours}.`}
        error={errors.responseHours}
        className="response-hours"
      >
        {(a11y) => (
          <input {...a11y} type="number" inputMode="numeric" min={1} max={LIMITS.maxResponseHours} step={1} value={responseHours}
            onChange={(e) => onResponseHoursChange(e.target.value)} data-testid="response-hours" />
        )}
      </Field>
    </fieldset>
  );
}
