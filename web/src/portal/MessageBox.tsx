import { useMutation } from "convex/react";
import { useRef, useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { Field } from "../components/Field";
import { describeError } from "../lib/errors";
import { portalProblem } from "./problems";
import { heartbeatDue } from "./words";

const MAX_MESSAGE = 4_000;

/** A message to the brand; while the supplier types, the brand sees "typing…" (a beat at most every 2 s). */
export function MessageBox({ negotiationId, brandName }: { negotiationId: Id<"negotiations">; brandName: string }) {
  const send = useMutation(api.supplierPortal.sendMessage);
  const setTypingState = useMutation(api.supplierPortal.setTypingState);
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const lastBeat = useRef<number | null>(null);

  const beat = (typing: boolean) => {
    if (typing) {
      if (!heartbeatDue(lastBeat.current, Date.now())) return;
      lastBeat.current = Date.now();
    } else {
      if (lastBeat.current === null) return;
      lastBeat.current = null;
    }
    // Presence is best effort: a lost beat only shows "typing…" a little shorter.
    void setTypingState({ negotiationId, typing }).catch(() => undefined);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content) return setError(`Write a message to ${brandName} first.`);
    if (content.length > MAX_MESSAGE) return setError(`Keep the message under ${MAX_MESSAGE.toLocaleString("en-US")} characters.`);
    setBusy(true);
    setError(undefined);
    try {
      await send({ negotiationId, content });
      // Sending ends the typing beat on the server.
      lastBeat.current = null;
      setText("");
    } catch (e) {
      const found = describeError(e);
      setError(found.field === "content" ? found.message : portalProblem(e, "action"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="send-message portal-send" onSubmit={onSubmit} noValidate>
      <Field id="portal-message-input" field="content" label={`Message to ${brandName}`} error={error}>
        {(a11y) => (
          <div className="send-row">
            <textarea {...a11y} rows={2} value={text} disabled={busy} data-testid="portal-message-input"
              onChange={(e) => {
                setText(e.target.value);
                setError(undefined);
                beat(e.target.value.trim() !== "");
              }}
              onBlur={() => beat(false)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }} />
            <button type="submit" className="button-primary" disabled={busy} data-testid="portal-send">
              {busy ? "Sending…" : "Send"}
            </button>
          </div>
        )}
      </Field>
    </form>
  );
}
