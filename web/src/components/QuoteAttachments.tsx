import { useMutation, useQuery } from "convex/react";
import { useId, useRef, useState } from "react";
import { api } from "../../../convex/_generated/api";
import {
  ATTACHMENT_ACCEPT,
  ATTACHMENT_LIMITS,
  ATTACHMENT_TYPES,
  closedQuoteProblem,
  KINDS_IN_WORDS,
  sizeInWords,
  typeForName,
} from "../../../convex/model/attachmentRules";
import type { AttachmentView } from "../../../convex/model/attachments";
import { describeError } from "../lib/errors";
import { needsRole } from "../lib/roles";
import type { Id, Quote } from "../lib/types";
import { useServerAction } from "../lib/useServerAction";
import { useWorkspace } from "../lib/workspace";
import { ConfirmDialog } from "./ConfirmDialog";

// The quote's specification files (convex/attachments.ts): every member lists
// and opens them; a buyer attaches and removes them while the quote is open.
// What a quote takes is the server's rule: it refuses a file before the upload
// (generateUploadUrl) and checks the stored file again (attach).

/**
 * The type to send a file as: the browser's, when it is one a quote takes, else
 * the one its name says (a browser may call a .csv "application/vnd.ms-excel",
 * or give no type at all); the server checks that the two agree.
 */
function contentTypeOf(file: File): string {
  if (Object.hasOwn(ATTACHMENT_TYPES, file.type)) return file.type;
  return typeForName(file.name) ?? file.type;
}

type Upload = { name: string; step: "checking" | "uploading" | "attaching" };

export function QuoteAttachments({ quote }: { quote: Quote }) {
  const { workspaceId, role, can } = useWorkspace();
  const attachments = useQuery(api.attachments.list, { workspaceId, quoteId: quote._id });
  const generateUploadUrl = useMutation(api.attachments.generateUploadUrl);
  const attach = useMutation(api.attachments.attach);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [error, setError] = useState<string>();
  const [removing, setRemoving] = useState<AttachmentView | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const closed = closedQuoteProblem(quote);
  const mayEdit = can("buyer") && !closed;
  const full = (attachments?.length ?? 0) >= ATTACHMENT_LIMITS.perQuote;

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    const contentType = contentTypeOf(file);
    try {
      setUpload({ name: file.name, step: "checking" });
      const url = await generateUploadUrl({ workspaceId, quoteId: quote._id, name: file.name, size: file.size, contentType });
      setUpload({ name: file.name, step: "uploading" });
      const response = await fetch(url, { method: "POST", headers: { "Content-Type": contentType }, body: file });
      const body = (await response.json().catch(() => null)) as { storageId?: string; message?: string } | null;
      if (!response.ok || !body?.storageId) {
        throw new Error(`The upload failed${body?.message ? `: ${body.message}` : ` (HTTP ${response.status})`}`);
      }
      setUpload({ name: file.name, step: "attaching" });
      const result = await attach({ workspaceId, quoteId: quote._id, storageId: body.storageId as Id<"_storage">, name: file.name });
      if ("refused" in result) setError(result.refused.message);
    } catch (e) {
      setError(describeError(e).message);
    } finally {
      setUpload(null);
      if (input.current) input.current.value = "";
    }
  };

  return (
    <section className="card attachments" aria-labelledby="attachments-heading" data-testid="attachments">
      <div className="attachments-head">
        <h2 id="attachments-heading">Attachments</h2>
        {mayEdit && (
          <div className="attachments-add">
            <input
              ref={input}
              id={inputId}
              type="file"
              className="visually-hidden attachments-input"
              accept={ATTACHMENT_ACCEPT}
              disabled={upload !== null || full}
              onChange={(event) => void onFile(event.target.files?.[0])}
              aria-describedby={`${inputId}-hint`}
              data-testid="attachment-input"
            />
            <label htmlFor={inputId} className="button-secondary button-small" aria-disabled={upload !== null || full}>
              Attach a file
            </label>
          </div>
        )}
      </div>
      {mayEdit && (
        <p className="hint" id={`${inputId}-hint`}>
          {full
            ? `This quote holds ${ATTACHMENT_LIMITS.perQuote} files, the most it can: remove one to attach another.`
            : `A ${KINDS_IN_WORDS}, up to ${sizeInWords(ATTACHMENT_LIMITS.maxBytes)}; at most ${ATTACHMENT_LIMITS.perQuote} files per quote.`}
        </p>
      )}
      {!can("buyer") && (
        <p className="hint" data-testid="attachments-need-buyer">
          {needsRole(role, "buyer", "attach or remove files")}
        </p>
      )}
      {can("buyer") && closed && (
        <p className="hint" data-testid="attachments-closed">
          {closed.message}.
        </p>
      )}
      {upload && (
        <p className="attachments-progress" role="status" data-testid="attachment-progress">
          {upload.step === "uploading" ? "Uploading" : upload.step === "checking" ? "Checking" : "Attaching"} “{upload.name}”…
        </p>
      )}
      {error && (
        <p className="field-error" role="alert" data-testid="attachment-error">
          {error}
        </p>
      )}
      {attachments === undefined ? (
        <p className="muted small">Loading the attachments…</p>
      ) : attachments.length === 0 ? (
        <p className="muted small" data-testid="attachments-empty">
          No files attached yet.
        </p>
      ) : (
        <ul className="attachments-list">
          {attachments.map((attachment) => (
            <li key={attachment._id} className="attachment" data-testid="attachment">
              <div className="attachment-main">
                {attachment.url ? (
                  <a href={attachment.url} target="_blank" rel="noopener noreferrer" className="attachment-name" data-testid="attachment-link">
                    {attachment.name}
                  </a>
                ) : (
                  <span className="attachment-name">{attachment.name} (the file is no longer available)</span>
                )}
                <span className="muted small" data-testid="attachment-meta">
                  {attachment.kind}, {attachment.sizeInWords} · added by {attachment.uploadedBy} on{" "}
                  {new Date(attachment.uploadedAt).toLocaleString()}
                </span>
              </div>
              {mayEdit && (
                <button
                  type="button"
                  className="button-danger-outline button-small"
                  onClick={() => setRemoving(attachment)}
                  aria-label={`Remove ${attachment.name}`}
                  data-testid="attachment-remove"
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {/* Keyed by the file: a new confirmation starts without the last one's error. */}
      <RemoveAttachment key={removing?._id ?? "none"} attachment={removing} onDone={() => setRemoving(null)} />
    </section>
  );
}

function RemoveAttachment({ attachment, onDone }: { attachment: AttachmentView | null; onDone: () => void }) {
  const { workspaceId } = useWorkspace();
  const remove = useMutation(api.attachments.remove);
  const { busy, error, run } = useServerAction();
  return (
    <ConfirmDialog
      open={attachment !== null}
      title={`Remove “${attachment?.name ?? ""}”?`}
      confirmLabel="Remove"
      tone="danger"
      busy={busy}
      error={error}
      onCancel={onDone}
      onConfirm={() => attachment && run(() => remove({ workspaceId, attachmentId: attachment._id }), onDone)}
    >
      <p>The file is deleted for everyone in the workspace. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
