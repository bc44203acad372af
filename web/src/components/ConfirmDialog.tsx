import { useEffect, useId, useRef, type ReactNode } from "react";

interface Props {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  tone?: "primary" | "danger";
  busy?: boolean;
  error?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal <dialog>: focus is trapped by the browser and Escape cancels. */
export function ConfirmDialog({ open, title, children, confirmLabel, tone = "primary", busy, error, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  // A page holds several dialogs (award, cancel…): each names itself by its own title.
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      data-testid="confirm-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      {error && (
        <p className="field-error" role="alert" data-testid="confirm-error">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy} data-testid="confirm-no">
          Cancel
        </button>
        <button
          type="button"
          className={tone === "danger" ? "button-danger" : "button-primary"}
          onClick={onConfirm}
          disabled={busy}
          data-testid="confirm-yes"
          autoFocus
        >
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
