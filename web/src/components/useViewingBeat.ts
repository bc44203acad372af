import { useEffect, useRef } from "react";

/** The server counts a page as viewing for 25 s a beat (convex/model/presence.ts VIEWING_MS); a beat every 10 s keeps it steady. */
const BEAT_MS = 10_000;

/**
 * "Viewing" heartbeats while this page shows a negotiation and its tab is
 * visible: a beat now and every BEAT_MS, and `send(false)` when the tab is
 * hidden or the page goes (a closed tab that sends nothing lapses on the
 * server). Each mounted page has its own id, so two tabs are two sessions.
 * Failures are dropped: presence is a courtesy.
 */
export function useViewingBeat(send: (pageId: string, viewing: boolean) => Promise<unknown>, enabled: boolean, key: string) {
  const latest = useRef(send);
  useEffect(() => {
    latest.current = send;
  });

  useEffect(() => {
    if (!enabled) return;
    const pageId = crypto.randomUUID();
    let timer: ReturnType<typeof setInterval> | undefined;
    const post = (viewing: boolean) => void latest.current(pageId, viewing).catch(() => undefined);
    const start = () => {
      if (timer !== undefined) return;
      post(true);
      timer = setInterval(() => post(true), BEAT_MS);
    };
    const stop = () => {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      post(false);
    };
    const onVisibility = () => (document.visibilityState === "visible" ? start() : stop());
    onVisibility();
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", stop);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", stop);
      stop();
    };
  }, [enabled, key]);
}
