import { useQuery } from "convex/react";
import { useState } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../lib/types";
import { useWorkspace } from "../lib/workspace";
import { ErrorBoundary } from "./ErrorBoundary";
import { Loading } from "./States";

// A quote's audit trail, oldest first, as the server words it (events.timeline):
// who did what, and when. Read only while open: a closed section costs nothing.

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function QuoteTimeline({ quoteId }: { quoteId: Id<"quotes"> }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="card quote-timeline" data-testid="quote-timeline" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary data-testid="quote-timeline-toggle">Timeline</summary>
      {open && (
        <ErrorBoundary>
          <TimelineEntries quoteId={quoteId} />
        </ErrorBoundary>
      )}
    </details>
  );
}

function TimelineEntries({ quoteId }: { quoteId: Id<"quotes"> }) {
  const { workspaceId } = useWorkspace();
  const timeline = useQuery(api.events.timeline, { workspaceId, quoteId });
  if (timeline === undefined) return <Loading label="Loading the timeline…" />;
  if (timeline.entries.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <>
      <ol className="timeline" data-testid="timeline-entries" aria-label="What happened, oldest first">
        {timeline.entries.map((entry) => (
          <li key={entry._id} className={`timeline-entry timeline-${entry.actor}`} data-testid="timeline-entry" data-type={entry.type}>
            <time className="timeline-time muted small tabular" dateTime={new Date(entry.at).toISOString()}>
              {TIME.format(entry.at)}
            </time>
            <span className="timeline-text">
              <strong className="timeline-who">{entry.who}</strong> {entry.what}
            </span>
          </li>
        ))}
      </ol>
      {timeline.truncated && (
        <p className="muted small" data-testid="timeline-truncated">
          Showing the first {timeline.entries.length} steps; owners can export the whole log from Insights.
        </p>
      )}
    </>
  );
}
