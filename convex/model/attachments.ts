import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import {
  ATTACHMENT_LIMITS,
  ATTACHMENT_TYPES,
  baseContentType,
  closedQuoteProblem,
  fileProblem,
  isAllowedType,
  type Problem,
  problem,
  sizeInWords,
} from "./attachmentRules";
import { type ErrorData, fail } from "./errors";
import { logEvent } from "./events";
import { getQuote } from "./negotiations";
import { personOf } from "./people";

// Specification files a brand attaches to a quote (drawings, spec sheets,
// artwork): issue 14. The bytes are in Convex file storage; a row of
// `attachments` says which quote holds the file, under what name, and who
// attached it. What a quote takes (types, size, name, how many) is in
// ./attachmentRules.ts, which the dashboard imports too.
//
// Uploading is three steps, as Convex has it: generateUploadUrl (checks what
// the client says it will upload), a POST of the bytes to that URL (answers a
// storageId), and attach (checks the stored file itself: its size and type are
// what the storage recorded, not what the client said).
//
// Who uploaded a file: a Convex upload URL does not say, and the storageId is
// known only to whoever POSTed the bytes (no function here ever returns one).
// So a file is held by the first quote that attaches it, and by no other ever
// (the access layer's insert rule for `attachments` looks across workspaces,
// convex/model/access.ts), and only a file uploaded within an upload URL's
// lifetime (an hour) can be attached.

async function attachmentsOf(ctx: QueryCtx, quoteId: Id<"quotes">, limit: number) {
  return await ctx.db
    .query("attachments")
    .withIndex("by_quoteId", (q) => q.eq("quoteId", quoteId))
    .take(limit);
}

/** The quote holds as many files as it may; `justClaimed`: one of them is this mutation's own claim. */
async function fullQuoteProblem(ctx: QueryCtx, quoteId: Id<"quotes">, justClaimed = false): Promise<Problem | null> {
  const room = ATTACHMENT_LIMITS.perQuote + (justClaimed ? 1 : 0);
  const held = await attachmentsOf(ctx, quoteId, room);
  return held.length >= room
    ? problem("quoteId", `A quote holds at most ${ATTACHMENT_LIMITS.perQuote} files: remove one to attach another`, "CONFLICT")
    : null;
}

const refuse = (p: Problem): never => fail(p.code, p.message, p.field);

/**
 * Before an upload: the quote is open and not full, and the file the client
 * describes would be taken. An honest client is refused here, before sending
 * any bytes; attach checks the stored file again.
 */
export async function checkUpload(
  ctx: QueryCtx,
  quoteId: Id<"quotes">,
  file: { name: string; size: number; contentType: string },
): Promise<void> {
  const quote = await getQuote(ctx, quoteId);
  const found = closedQuoteProblem(quote) ?? (await fullQuoteProblem(ctx, quoteId)) ?? fileProblem(file);
  if (found) refuse(found);
}

export type AttachResult = { attachmentId: Id<"attachments"> } | { refused: ErrorData };

/**
 * Attaches an uploaded file to the quote. Refused with an error (and nothing
 * changed) when the quote or the upload is not found, the upload is older than
 * an upload URL lasts, or any quote already holds it. Otherwise the upload is
 * the caller's to keep or lose: a refusal of the file or the quote (too large,
 * wrong type, bad name, a closed or full quote) deletes it and answers
 * `{ refused }` rather than throwing, because a mutation that throws undoes
 * its deletes.
 */
export async function attach(
  ctx: MutationCtx,
  userId: Id<"users">,
  args: { quoteId: Id<"quotes">; storageId: Id<"_storage">; name: string },
): Promise<AttachResult> {
  const quote = await getQuote(ctx, args.quoteId);
  const file = await ctx.db.system.get(args.storageId);
  if (!file) fail("NOT_FOUND", "The uploaded file was not found: upload it again", "storageId");
  const now = Date.now();
  if (file._creationTime < now - ATTACHMENT_LIMITS.uploadWindowMs) {
    fail("EXPIRED", "The file was uploaded more than an hour ago: upload it again", "storageId");
  }
  const name = args.name.trim();
  const row = {
    workspaceId: quote.workspaceId,
    quoteId: quote._id,
    storageId: args.storageId,
    name,
    size: file.size,
    contentType: baseContentType(file.contentType),
    sha256: file.sha256,
    uploadedBy: userId,
    uploadedAt: now,
  };
  // The insert is the claim: the access layer refuses it (CONFLICT) when any
  // quote, in any workspace, holds this file. Only past it is the file known
  // to be no one else's, and so safe to delete.
  const attachmentId = await ctx.db.insert("attachments", row);
  const refusal =
    closedQuoteProblem(quote) ??
    fileProblem({ name: args.name, size: file.size, contentType: file.contentType }) ??
    (await fullQuoteProblem(ctx, quote._id, true));
  if (refusal) {
    await ctx.db.delete(attachmentId);
    await ctx.storage.delete(args.storageId);
    return { refused: { code: refusal.code, message: refusal.message, field: refusal.field } };
  }
  await logEvent(ctx, {
    workspaceId: quote.workspaceId,
    type: "attachment.added",
    actor: "user",
    quoteId: quote._id,
    data: { attachmentId, name },
  });
  return { attachmentId };
}

/** Removes an attachment and deletes its file. An awarded or cancelled quote keeps what it holds. */
export async function remove(ctx: MutationCtx, attachmentId: Id<"attachments">): Promise<void> {
  const attachment = await ctx.db.get(attachmentId);
  if (!attachment) fail("NOT_FOUND", "Attachment not found: it may have been removed already", "attachmentId");
  const quote = await getQuote(ctx, attachment.quoteId);
  const closed = closedQuoteProblem(quote);
  if (closed) refuse({ ...closed, field: "attachmentId" });
  await ctx.db.delete(attachmentId);
  if (await ctx.db.system.get(attachment.storageId)) await ctx.storage.delete(attachment.storageId);
  await logEvent(ctx, {
    workspaceId: attachment.workspaceId,
    type: "attachment.removed",
    actor: "user",
    quoteId: attachment.quoteId,
    data: { name: attachment.name },
  });
}

/**
 * A quote's attachments, oldest first, as the dashboard lists them: a download
 * URL (null if the file has gone), never the storageId.
 *
 * Reading depends on the quote alone, not on who asks: the quote's workspace
 * members call it (attachments.list, any role), and a live supplier's contact
 * reads filesOfQuote through its own builder, whose `db` is scoped to its
 * negotiation's quote: "the parties to a quote read its attachments".
 */
export async function attachmentsOfQuote(ctx: QueryCtx, quoteId: Id<"quotes">) {
  return await Promise.all(
    (await attachmentRows(ctx, quoteId)).map(async (row) => ({
      ...(await fileView(ctx, row)),
      uploadedBy: (await personOf(ctx, row.uploadedBy)).name,
      uploadedAt: row.uploadedAt,
    })),
  );
}

/** The quote's files as every party to it reads them, the supplier portal included: no uploader, never the storage id. */
export async function filesOfQuote(ctx: QueryCtx, quoteId: Id<"quotes">) {
  return await Promise.all((await attachmentRows(ctx, quoteId)).map((row) => fileView(ctx, row)));
}

async function attachmentRows(ctx: QueryCtx, quoteId: Id<"quotes">) {
  await getQuote(ctx, quoteId);
  return await attachmentsOf(ctx, quoteId, ATTACHMENT_LIMITS.perQuote);
}

async function fileView(ctx: QueryCtx, row: Doc<"attachments">) {
  return {
    _id: row._id,
    name: row.name,
    size: row.size,
    sizeInWords: sizeInWords(row.size),
    contentType: row.contentType,
    kind: isAllowedType(row.contentType) ? ATTACHMENT_TYPES[row.contentType].label : row.contentType,
    url: await ctx.storage.getUrl(row.storageId),
  };
}

export type AttachmentView = Awaited<ReturnType<typeof attachmentsOfQuote>>[number];

/** Files a run of the sweep looks at, at most (each costs two reads of the transaction's 4,096). */
const SWEEP_BATCH = 1000;
/** How far past the upload window the sweep looks: a day, so that runs every 15 minutes overlap many times over. */
const SWEEP_SPAN_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes uploads that no attachment took within the upload window: a client
 * that uploaded and then never attached (it failed, or was refused before
 * attach could delete it) would otherwise leave its bytes in storage for good.
 * A run looks at the files that left the window within the last day, newest
 * first, so attached files from long ago are never read again.
 */
export async function sweepAbandonedUploads(ctx: MutationCtx, now = Date.now()): Promise<number> {
  const cutoff = now - ATTACHMENT_LIMITS.uploadWindowMs;
  const old = await ctx.db.system
    .query("_storage")
    .withIndex("by_creation_time", (q) => q.gte("_creationTime", cutoff - SWEEP_SPAN_MS).lt("_creationTime", cutoff))
    .order("desc")
    .take(SWEEP_BATCH);
  let deleted = 0;
  for (const file of old) {
    const held = await ctx.db
      .query("attachments")
      .withIndex("by_storageId", (q) => q.eq("storageId", file._id))
      .first();
    if (held) continue;
    await ctx.storage.delete(file._id);
    deleted++;
  }
  return deleted;
}
