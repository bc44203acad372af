import { useConvexConnectionState } from "convex/react";
import { useEffect, useState } from "react";

/** Says so when the live connection drops, instead of showing stale data silently. */
export function ConnectionBanner() {
  const state = useConvexConnectionState();
  const [grace, setGrace] = useState(true);
  // The first connection takes a moment; only complain after that.
  useEffect(() => {
    const timer = setTimeout(() => setGrace(false), 4000);
    return () => clearTimeout(timer);
  }, []);
  if (state.isWebSocketConnected || grace) return null;
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      Reconnecting to the backend… what you see may be out of date.
    </div>
  );
}
