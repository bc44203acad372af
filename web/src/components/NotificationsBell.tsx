import { useMutation, useQuery } from "convex/react";
import { useEffect, useRef, useState } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { formatDateTime } from "../lib/format";
import { hrefFor } from "../lib/router";
import type { NotificationItem } from "../lib/types";

/**
 * The top bar's bell: how many notices this member has not read, and a panel
 * listing the latest, each linking to its quote. Opening the panel reads them
 * all; the ones that were new stay marked as such while it is open.
 */
export function NotificationsBell({ workspaceId, onOpen }: { workspaceId: Id<"workspaces">; onOpen?: () => void }) {
  const data = useQuery(api.notifications.list, { workspaceId });
  const markAllRead = useMutation(api.notifications.markAllRead);
  const [open, setOpen] = useState(false);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const unread = data?.unread ?? 0;

  // While the panel is open, what arrives is read as it arrives; it still shows as new.
  useEffect(() => {
    if (!open || !data || data.unread === 0) return;
    setFresh((before) => new Set([...before, ...data.items.filter((item) => !item.read).map((item) => item._id)]));
    markAllRead({ workspaceId }).catch(() => {
      // The count stays as it is and the next opening tries again.
    });
  }, [open, data, workspaceId, markAllRead]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      if (root.current?.contains(document.activeElement)) button.current?.focus();
      setOpen(false);
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  const toggle = () => {
    if (!open) {
      setFresh(new Set());
      onOpen?.();
    }
    setOpen(!open);
  };

  return (
    <div className="notifications" ref={root}>
      <button
        ref={button}
        type="button"
        className="notifications-button button-secondary button-small"
        aria-expanded={open}
        aria-controls="notifications-panel"
        onClick={toggle}
        data-testid="notifications-button"
        data-unread={unread}
      >
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
          <path
            d="M10 2.5a5 5 0 0 0-5 5v3.2L3.5 13.5h13L15 10.7V7.5a5 5 0 0 0-5-5ZM8 15.5a2 2 0 0 0 4 0"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinejoin="round"
          />
        </svg>
        <span className="visually-hidden">Notifications</span>
        {unread > 0 && (
          <>
            <span className="notifications-count" data-testid="notifications-count">
              {unread > 99 ? "99+" : unread}
            </span>
            <span className="visually-hidden"> unread</span>
          </>
        )}
      </button>
      {open && (
        <section id="notifications-panel" className="notifications-panel" aria-labelledby="notifications-title" data-testid="notifications-panel">
          <h2 id="notifications-title">Notifications</h2>
          {data === undefined ? (
            <p className="muted small">Loading…</p>
          ) : data.items.length === 0 ? (
            <p className="muted small" data-testid="notifications-empty">
              Nothing yet. Parley tells you here when a live supplier joins, writes, offers or answers, and when a deadline nears.
            </p>
          ) : (
            <ul className="notifications-list">
              {data.items.map((item) => (
                <Notice key={item._id} item={item} fresh={fresh.has(item._id)} onFollow={() => setOpen(false)} />
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

function Notice({ item, fresh, onFollow }: { item: NotificationItem; fresh: boolean; onFollow: () => void }) {
  const body = (
    <>
      {fresh && <span className="notification-new">New<span className="visually-hidden">:</span></span>}
      <span className="notification-text">{item.text}</span>
      <time className="muted small" dateTime={new Date(item.createdAt).toISOString()}>
        {formatDateTime(item.createdAt)}
      </time>
    </>
  );
  return (
    <li className={`notification${fresh ? " notification-fresh" : ""}`} data-testid="notification-item" data-kind={item.kind} data-fresh={fresh}>
      {item.quoteId ? (
        <a href={hrefFor({ name: "quote", quoteId: item.quoteId })} onClick={onFollow}>
          {body}
        </a>
      ) : (
        <div>{body}</div>
      )}
    </li>
  );
}
