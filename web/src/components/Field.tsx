import type { ReactNode } from "react";

interface Props {
  id: string;
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  /** The field path errors are keyed by; tests find errors by it. */
  field: string;
  children: (a11y: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
  className?: string;
}

/** A label, its control, and the reason the control's value is refused. */
export function Field({ id, label, error, hint, field, children, className }: Props) {
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field-invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} field={field} message={error} />
    </div>
  );
}

export function FieldError({ id, field, message }: { id?: string; field: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} data-testid="field-error" data-field={field}>
      {message}
    </p>
  );
}
