import { useEffect, useState } from "react";

interface Props {
  supplierName: string;
  /** When the supplier's person stops counting as typing (server time), or null. */
  typingUntil: number | null | undefined;
  /** What the negotiation waits for, in words, when nobody types: null when it waits for nobody at the supplier. */
  waiting: string | null;
}

/**
 * One polite live region under a live negotiation's chat: "<supplier> is
 * typing…" while a heartbeat holds, else what the negotiation waits for. The
 * query does not re-run as time passes, so a timer hides the indicator when
 * its heartbeat lapses.
 */
export function SupplierPresence({ supplierName, typingUntil, waiting }: Props) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!typingUntil) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, typingUntil - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [typingUntil]);
  // `now` only moves when a heartbeat lapses, so a fresh one is always ahead of it.
  const typing = typingUntil != null && typingUntil > now;
  return (
    <div className="presence-line small" aria-live="polite" data-testid="supplier-presence">
      {typing ? (
        <span className="presence-typing" data-testid="typing-indicator" data-who="supplier">
          {supplierName} is typing…
        </span>
      ) : (
        waiting && (
          <span className="muted" data-testid="waiting-for-supplier">
            {waiting}
          </span>
        )
      )}
    </div>
  );
}
