import { useCallback, useEffect, useRef } from "react";

/** The server holds "typing…" for 6 s a beat (convex/model/presence.ts TYPING_MS); a beat every 2 s keeps it steady. */
const BEAT_MS = 2_000;

/**
 * "Typing…" heartbeats for the other side to see: `beat` on each keystroke
 * sends at most one every BEAT_MS, `stop` ends it at once (blur, send, an
 * emptied box, leaving the page). Disabled, both do nothing. Failures are
 * dropped: presence is a courtesy and must never disturb writing.
 */
export function useTypingBeat(send: (typing: boolean) => Promise<unknown>, enabled: boolean) {
  const lastBeat = useRef(0);
  const latest = useRef({ send, enabled });
  useEffect(() => {
    latest.current = { send, enabled };
  });

  const stop = useCallback(() => {
    if (lastBeat.current === 0) return;
    lastBeat.current = 0;
    latest.current.send(false).catch(() => undefined);
  }, []);

  const beat = useCallback(() => {
    if (!latest.current.enabled) return;
    const now = Date.now();
    if (now - lastBeat.current < BEAT_MS) return;
    lastBeat.current = now;
    latest.current.send(true).catch(() => undefined);
  }, []);

  useEffect(() => stop, [stop]);
  return { beat, stop };
}
