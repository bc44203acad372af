import { useMutation, useQuery } from "convex/react";
import { useEffect, useRef, useState } from "react";
import { api } from "../../../convex/_generated/api";
import { hrefFor } from "../lib/router";
import { timeAgo } from "./words";
import { useNow } from "../lib/useNow";

/** A bell with the unread count; opening it lists what happened and marks it seen. */
export function PortalNotifications() {
  const list = useQuery(api.supplierPortal.notifications, {});
  const markSeen = useMutation(api.supplierPortal.markNotificationsSeen);
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const now = useNow(30_000);
  const unread = list?.unread ?? 0;

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onClick = (event: MouseEvent) => {
      const target = event.target as Node;
      if (!panelRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("mousedown", onClick);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  // Opening the list is reading it; new ones arriving while it is open are read too.
  useEffect(() => {
    if (open && unread > 0) void markSeen({}).catch(() => undefined);
  }, [open, unread, markSeen]);

  return (
    <div className="portal-notifications">
      <button ref={buttonRef} type="button" className="button-secondary button-small" aria-expanded={open}
        aria-controls="portal-notifications-panel" onClick={() => setOpen((o) => !o)} data-testid="portal-notifications">
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
          <path d="M10 2.5a5 5 0 0 0-5 5v3.2L3.5 13.5h13L15 10.7V7.5a5 5 0 0 0-5-5ZM8 15.5a2 2 0 0 0 4 0" fill="none" stroke="currentColor"
            strokeWidth="1.6" strokeLinejoin="round" />
        </svg>
        {/* On a phone only the bell shows; the word stays for screen readers. */}
        <span className="portal-notifications-word">Notifications</span>
        {unread > 0 && (
          <span className="approvals-count" data-testid="portal-notifications-count">
            {unread}
            <span className="visually-hidden"> unread</span>
          </span>
        )}
      </button>
      {open && (
        <div ref={panelRef} id="portal-notifications-panel" className="portal-notifications-panel card" role="region"
          aria-label="Notifications" data-testid="portal-notifications-panel">
          {!list || list.items.length === 0 ? (
            <p className="muted small">Nothing new. Brands' offers and messages will show here.</p>
          ) : (
            <ul className="plain">
              {list.items.map((item) => (
                <li key={item._id} className={item.read ? undefined : "portal-notification-unread"} data-testid="portal-notification">
                  {item.negotiationId ? (
                    <a href={hrefFor({ name: "supplierNegotiation", negotiationId: item.negotiationId })} onClick={() => setOpen(false)}>
                      {item.text}
                    </a>
                  ) : (
                    <span>{item.text}</span>
                  )}
                  <span className="muted small"> · {timeAgo(item.createdAt, now)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
