import { v } from "convex/values";
import { internalMutation } from "./model/triggers";
import { buyerMutation, memberQuery } from "./functions";
import { attach as attachFile, attachmentsOfQuote, checkUpload, remove as removeAttachment, sweepAbandonedUploads } from "./model/attachments";

// Specification files on a quote (issue 14): see convex/model/attachments.ts.
// A buyer uploads in three steps: generateUploadUrl, a POST of the bytes to
// it (answers { storageId }), then attach.

/**
 * An upload URL for one file, after checking what the client will send (its
 * name, size and type) and that the quote takes another file: an honest
 * client is refused here, before any bytes travel. attach checks the stored file again.
 */
export const generateUploadUrl = buyerMutation({
  args: { quoteId: v.id("quotes"), name: v.string(), size: v.number(), contentType: v.string() },
  handler: async (ctx, { quoteId, ...file }) => {
    await checkUpload(ctx, quoteId, file);
    return await ctx.storage.generateUploadUrl();
  },
});

/**
 * Attaches an uploaded file. Answers `{ attachmentId }`, or `{ refused }` (in
 * words) when the file or the quote does not take it, in which case the upload
 * has been deleted; an upload not found, too old or already attached is an error.
 */
export const attach = buyerMutation({
  args: { quoteId: v.id("quotes"), storageId: v.id("_storage"), name: v.string() },
  handler: async (ctx, args) => await attachFile(ctx, ctx.access.user._id, args),
});

/** The quote's files with their download URLs, oldest first: any member reads them. */
export const list = memberQuery({
  args: { quoteId: v.id("quotes") },
  handler: async (ctx, { quoteId }) => await attachmentsOfQuote(ctx, quoteId),
});

/** Removes the attachment and deletes its file; refused once the quote is awarded or cancelled. */
export const remove = buyerMutation({
  args: { attachmentId: v.id("attachments") },
  handler: async (ctx, { attachmentId }) => {
    await removeAttachment(ctx, attachmentId);
    return null;
  },
});

/** Run by the cron: deletes uploads no attachment took within the upload window; not reachable from clients. */
export const sweepUploads = internalMutation({
  args: {},
  handler: async (ctx) => await sweepAbandonedUploads(ctx),
});
