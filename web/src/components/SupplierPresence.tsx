interface Props {
  supplierName: string;
  /** Whether the supplier's person is typing now (undefined while loading). */
  typing: boolean | undefined;
  /** Whether the supplier's person has the negotiation open in the portal now. */
  viewing: boolean | undefined;
  /** What the negotiation waits for, in words, when nobody types: null when it waits for nobody at the supplier. */
  waiting: string | null;
}

/**
 * One polite live region under a live negotiation's chat: "<supplier> is
 * typing…" while they type, else what the negotiation waits for; and whether
 * they are looking at it now. Both come from presence on the server
 * (convex/model/presence.ts), which ends them when the beats stop, so the
 * query's next answer is all this needs.
 */
export function SupplierPresence({ supplierName, typing, viewing, waiting }: Props) {
  return (
    <div className="presence-line small" aria-live="polite" data-testid="supplier-presence">
      {viewing && (
        <span className="presence-viewing" data-testid="viewing-indicator" data-who="supplier">
          {supplierName} is viewing
        </span>
      )}
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
