import type { ConvexError } from "convex/values";
import { afterEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { ATTACHMENT_LIMITS, fileProblem, sizeInWords, typeForName } from "../../convex/model/attachmentRules";
import type { ErrorData } from "../../convex/model/errors";
import {
  type Backend,
  brand,
  claim,
  expectRefused,
  invite,
  type Member,
  newBackend,
  newWorkspace,
  offer,
  quoteArgs,
  requestQuote,
  terms,
} from "./helpers";

// Files attached to a quote: a buyer uploads and attaches them while the quote
// is open, any member lists and downloads them, and no one else can touch them
// or another quote's files.

const PDF = "application/pdf";

/** What the storage holds: a file "uploaded" as the POST to an upload URL would store it. */
async function upload(t: Backend, content = "%PDF-1.7 drawing", contentType: string | null = PDF, size?: number) {
  const storageId = await t.run(async (ctx) => await ctx.storage.store(new Blob([content])));
  // convex-test's store keeps no content type; the embedded backend and Convex keep the POST's.
  await t.run(async (ctx) => {
    const patch: { contentType?: string; size?: number } = {};
    if (contentType !== null) patch.contentType = contentType;
    if (size !== undefined) patch.size = size;
    if (Object.keys(patch).length > 0) await (ctx.db as unknown as { patch: (id: string, v: object) => Promise<void> }).patch(storageId, patch);
  });
  return storageId;
}

/** The attachments and stored files: what a refused call must leave alone. */
async function files(t: Backend) {
  return await t.run(async (ctx) => ({
    attachments: await ctx.db.query("attachments").collect(),
    storage: await ctx.db.system.query("_storage").collect(),
  }));
}

const stored = (t: Backend, storageId: Id<"_storage">) => t.run(async (ctx) => await ctx.db.system.get(storageId));

/** Refused with an error: the code, every other table and the files unchanged. */
async function expectThrown(t: Backend, call: () => Promise<unknown>, code: ErrorData["code"], field?: string) {
  const before = JSON.stringify(await files(t));
  const data = await expectRefused(t, call, code, field);
  expect(JSON.stringify(await files(t))).toBe(before);
  return data;
}

async function setup() {
  const t = newBackend();
  const { quoteId, negotiations } = await requestQuote(t);
  const owner = brand(t);
  const buyer = await invite(t, owner, "buyer@acme.test", "buyer");
  const viewer = await invite(t, owner, "viewer@acme.test", "viewer");
  const other = await newWorkspace(t, "owner@other.test", "Other Co");
  return { t, owner, buyer, viewer, other, quoteId, negotiationId: negotiations[0]!._id };
}

async function attached(by: Member, quoteId: Id<"quotes">, storageId: Id<"_storage">, name = "drawing.pdf") {
  const result = await by.mutation(api.attachments.attach, { quoteId, storageId, name });
  if (!("attachmentId" in result)) throw new Error(`refused: ${result.refused.message}`);
  return result.attachmentId;
}

const describeFile = (name: string, size = 1000, contentType = PDF) => ({ name, size, contentType });

afterEach(() => {
  vi.useRealTimers();
});

describe("attaching a file", () => {
  test("a buyer uploads and attaches; every member lists it with a download URL, and the timeline says so", async () => {
    const { t, buyer, viewer, quoteId } = await setup();
    const url = await buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile("drawing.pdf", 16) });
    expect(url).toMatch(/^https?:\/\//);
    const storageId = await upload(t, "%PDF-1.7 drawing");
    const result = await buyer.mutation(api.attachments.attach, { quoteId, storageId, name: "  drawing.pdf  " });
    expect(result).toEqual({ attachmentId: expect.any(String) });

    const list = await viewer.query(api.attachments.list, { quoteId });
    expect(list).toEqual([
      {
        _id: (result as { attachmentId: string }).attachmentId,
        name: "drawing.pdf",
        size: 16,
        sizeInWords: "16 bytes",
        contentType: PDF,
        kind: "PDF",
        url: await t.run(async (ctx) => await ctx.storage.getUrl(storageId)),
        uploadedBy: "buyer@acme.test",
        uploadedAt: expect.any(Number),
      },
    ]);
    expect(list[0]!.url).toEqual(expect.any(String));
    // The storage id never leaves the server.
    expect(JSON.stringify(list)).not.toContain(storageId);
    const timeline = await viewer.query(api.events.timeline, { quoteId });
    expect(timeline.entries.at(-1)).toMatchObject({ type: "attachment.added", who: "buyer@acme.test", what: "attached “drawing.pdf”" });
  });

  test("the row keeps the size and type that storage recorded, not what the client said", async () => {
    const { t, buyer, quoteId } = await setup();
    await buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile("prices.csv", 10, "text/csv") });
    const storageId = await upload(t, "sku,price\nA,1\n", "text/csv; charset=utf-8");
    const attachmentId = await attached(buyer, quoteId, storageId, "Prices.CSV");
    const row = await t.run(async (ctx) => await ctx.db.get(attachmentId));
    expect(row).toMatchObject({ name: "Prices.CSV", size: 14, contentType: "text/csv", uploadedBy: buyer.userId });
    expect(row!.sha256).toBe((await stored(t, storageId))!.sha256);
  });

  test.each([
    ["spec.pdf", PDF],
    ["logo.png", "image/png"],
    ["photo.JPG", "image/jpeg"],
    ["photo.jpeg", "image/jpeg"],
    ["art.webp", "image/webp"],
    ["notes.txt", "text/plain"],
    ["bom.csv", "text/csv"],
    ["costing.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ["brief.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
  ])("%s (%s) is taken", async (name, contentType) => {
    const { t, buyer, quoteId } = await setup();
    await buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile(name, 5, contentType) });
    await attached(buyer, quoteId, await upload(t, "bytes", contentType), name);
    expect((await buyer.query(api.attachments.list, { quoteId })).map((a) => a.name)).toEqual([name]);
    expect(typeForName(name)).toBe(contentType);
  });
});

describe("the rules, before the upload", () => {
  const bad: [string, ReturnType<typeof describeFile>, string, RegExp][] = [
    ["too large", describeFile("big.pdf", ATTACHMENT_LIMITS.maxBytes + 1), "size", /20 MB/],
    ["empty", describeFile("empty.pdf", 0), "size", /empty/],
    ["a size that is not whole bytes", describeFile("half.pdf", 10.5), "size", /whole number/],
    ["an HTML page", describeFile("page.html", 100, "text/html"), "contentType", /text\/html.*cannot be attached/],
    ["no type", describeFile("thing", 100, ""), "contentType", /unknown type/],
    ["a type its name does not match", describeFile("drawing.png", 100, PDF), "name", /PDF, so its name must end in \.pdf/],
    ["a path", describeFile("../../etc/spec.pdf"), "name", /\//],
    ["a Windows path", describeFile("C:\\spec.pdf"), "name", /\\/],
    ["a control character", describeFile("spec\u0007.pdf"), "name", /control characters/],
    ["a right-to-left override", describeFile("invoice\u202Efdp.exe.pdf"), "name", /invisible/],
    ["a zero-width space", describeFile("spec\u200B.pdf"), "name", /invisible/],
    ["no name", describeFile("   "), "name", /needs a name/],
    ["only dots", describeFile(".."), "name", /only dots/],
    ["a 201-character name", describeFile(`${"a".repeat(197)}.pdf`), "name", /201 characters/],
  ];

  test.each(bad)("%s is refused in words, and no upload URL is given", async (_what, file, field, message) => {
    const { t, buyer, quoteId } = await setup();
    const data = await expectThrown(t, () => buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...file }), "INVALID_ARGUMENT", field);
    expect(data.message).toMatch(message);
  });

  test("a 200-character name is taken", async () => {
    const { buyer, quoteId } = await setup();
    await buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile(`${"a".repeat(196)}.pdf`) });
  });

  test("sizes in words", () => {
    expect([1, 532, 2048, 48_213, 3_500_000, 20 * 1024 * 1024].map(sizeInWords)).toEqual(["1 byte", "532 bytes", "2 KB", "47 KB", "3.3 MB", "20 MB"]);
    expect(fileProblem(describeFile("ok.pdf"))).toBeNull();
  });
});

describe("the rules, on the stored file: a forged client's upload is refused and deleted", () => {
  const forged: [string, { content?: string; contentType: string | null; size?: number; name: string }, string, RegExp][] = [
    ["larger than said", { contentType: PDF, size: ATTACHMENT_LIMITS.maxBytes + 1, name: "big.pdf" }, "size", /up to 20 MB/],
    ["an HTML page named .pdf", { content: "<script>", contentType: "text/html", name: "spec.pdf" }, "contentType", /text\/html/],
    ["no type at all", { contentType: null, name: "spec.pdf" }, "contentType", /unknown type/],
    ["a PNG named .pdf", { contentType: "image/png", name: "spec.pdf" }, "name", /PNG image, so its name must end in \.png/],
    ["a forged name", { contentType: PDF, name: "payment\u202Etxt.exe.pdf" }, "name", /invisible/],
    ["a path as its name", { contentType: PDF, name: "../quotes/other.pdf" }, "name", /\//],
  ];

  test.each(forged)("%s", async (_what, file, field, message) => {
    const { t, buyer, viewer, quoteId } = await setup();
    const storageId = await upload(t, file.content, file.contentType, file.size);
    const result = await buyer.mutation(api.attachments.attach, { quoteId, storageId, name: file.name });
    expect(result).toEqual({ refused: { code: "INVALID_ARGUMENT", message: expect.stringMatching(message), field } });
    expect(await stored(t, storageId)).toBeNull();
    expect(await viewer.query(api.attachments.list, { quoteId })).toEqual([]);
    const timeline = await viewer.query(api.events.timeline, { quoteId });
    expect(timeline.entries.map((e) => e.type)).not.toContain("attachment.added");
  });
});

describe("how many, and which uploads", () => {
  test("a quote holds 20 files: the 21st is refused before the upload, and a 21st upload is refused and deleted", async () => {
    const { t, buyer, quoteId } = await setup();
    for (let i = 1; i <= ATTACHMENT_LIMITS.perQuote; i++) await attached(buyer, quoteId, await upload(t, `file ${i}`), `sheet-${i}.pdf`);
    expect(await buyer.query(api.attachments.list, { quoteId })).toHaveLength(20);
    const data = await expectThrown(t, () => buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile("21.pdf") }), "CONFLICT", "quoteId");
    expect(data.message).toMatch(/at most 20 files/);
    const storageId = await upload(t, "one more");
    const result = await buyer.mutation(api.attachments.attach, { quoteId, storageId, name: "21.pdf" });
    expect(result).toEqual({ refused: expect.objectContaining({ code: "CONFLICT", message: expect.stringMatching(/at most 20/) }) });
    expect(await stored(t, storageId)).toBeNull();
    expect(await buyer.query(api.attachments.list, { quoteId })).toHaveLength(20);
  });

  test("a file is attached once: again, to another quote, or from another workspace, it is refused and stays where it is", async () => {
    const { t, owner, buyer, other, quoteId } = await setup();
    const storageId = await upload(t);
    await attached(buyer, quoteId, storageId);
    await expectThrown(t, () => buyer.mutation(api.attachments.attach, { quoteId, storageId, name: "again.pdf" }), "CONFLICT", "storageId");
    const second = await owner.mutation(api.quotes.request, quoteArgs({ products: await owner.query(api.products.list, {}) }));
    await expectThrown(t, () => owner.mutation(api.attachments.attach, { quoteId: second, storageId, name: "copy.pdf" }), "CONFLICT", "storageId");
    // Another workspace's owner who learnt the id, on a quote of their own: refused, even with a name
    // that would have the upload deleted; the file stays with the quote that holds it.
    const theirs = await other.mutation(api.quotes.request, quoteArgs({ products: await other.query(api.products.list, {}) }));
    await expectThrown(t, () => other.mutation(api.attachments.attach, { quoteId: theirs, storageId, name: "mine.pdf" }), "CONFLICT");
    await expectThrown(t, () => other.mutation(api.attachments.attach, { quoteId: theirs, storageId, name: "bad/name.pdf" }), "CONFLICT");
    expect(await stored(t, storageId)).not.toBeNull();
    expect(await other.query(api.attachments.list, { quoteId: theirs })).toEqual([]);
  });

  test("an unknown or deleted upload is not found", async () => {
    const { t, buyer, quoteId } = await setup();
    const storageId = await upload(t);
    await t.run(async (ctx) => await ctx.storage.delete(storageId));
    await expectThrown(t, () => buyer.mutation(api.attachments.attach, { quoteId, storageId, name: "gone.pdf" }), "NOT_FOUND", "storageId");
  });

  test("an id that is not a stored file's is refused by the validator", async () => {
    const { buyer, quoteId } = await setup();
    await expect(
      buyer.mutation(api.attachments.attach, { quoteId, storageId: quoteId as unknown as Id<"_storage">, name: "x.pdf" }),
    ).rejects.toThrow(/Expected ID for table "_storage"/);
  });

  test("an upload older than an upload URL lasts is refused, and left alone", async () => {
    const { t, buyer, quoteId } = await setup();
    const storageId = await upload(t);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + ATTACHMENT_LIMITS.uploadWindowMs + 60_000);
    const data = await expectThrown(t, () => buyer.mutation(api.attachments.attach, { quoteId, storageId, name: "old.pdf" }), "EXPIRED", "storageId");
    expect(data.message).toMatch(/more than an hour ago/);
    expect(await stored(t, storageId)).not.toBeNull();
  });
});

describe("who may", () => {
  test("a viewer lists and downloads, but cannot get an upload URL, attach or remove", async () => {
    const { t, buyer, viewer, quoteId } = await setup();
    const attachmentId = await attached(buyer, quoteId, await upload(t));
    const storageId = await upload(t);
    await expectThrown(t, () => viewer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile("a.pdf") }), "FORBIDDEN");
    await expectThrown(t, () => viewer.mutation(api.attachments.attach, { quoteId, storageId, name: "a.pdf" }), "FORBIDDEN");
    await expectThrown(t, () => viewer.mutation(api.attachments.remove, { attachmentId }), "FORBIDDEN");
    const list = await viewer.query(api.attachments.list, { quoteId });
    expect(list.map((a) => [a.name, typeof a.url])).toEqual([["drawing.pdf", "string"]]);
  });

  test("another workspace's member: refused in this workspace, and this workspace's ids are not found in theirs", async () => {
    const { t, buyer, other, quoteId } = await setup();
    const attachmentId = await attached(buyer, quoteId, await upload(t));
    const into = { ...other, workspaceId: buyer.workspaceId };
    const as = (fn: Parameters<typeof other.as.query>[0], args: object) => other.as.query(fn, { ...args, workspaceId: buyer.workspaceId });
    await expectThrown(t, () => as(api.attachments.list as never, { quoteId }), "FORBIDDEN");
    await expectThrown(
      t,
      () => other.as.mutation(api.attachments.remove, { workspaceId: into.workspaceId, attachmentId }),
      "FORBIDDEN",
    );
    // In their own workspace, with this workspace's ids.
    await expectThrown(t, () => other.query(api.attachments.list, { quoteId }), "NOT_FOUND", "quoteId");
    await expectThrown(t, () => other.mutation(api.attachments.remove, { attachmentId }), "NOT_FOUND", "attachmentId");
    await expectThrown(t, () => other.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile("x.pdf") }), "NOT_FOUND", "quoteId");
    const theirUpload = await upload(t);
    await expectThrown(t, () => other.mutation(api.attachments.attach, { quoteId, storageId: theirUpload, name: "x.pdf" }), "NOT_FOUND", "quoteId");
    expect(await buyer.query(api.attachments.list, { quoteId })).toHaveLength(1);
  });
});

describe("closed quotes keep their files", () => {
  async function withFile() {
    const s = await setup();
    const attachmentId = await attached(s.buyer, s.quoteId, await upload(s.t));
    return { ...s, attachmentId };
  }

  async function expectKept(s: Awaited<ReturnType<typeof withFile>>, status: string) {
    const { t, buyer, viewer, quoteId, attachmentId } = s;
    const before = await buyer.query(api.attachments.list, { quoteId });
    const data = await expectThrown(t, () => buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile("late.pdf") }), "CLOSED", "quoteId");
    expect(data.message).toContain(status);
    const late = await upload(t);
    const result = await buyer.mutation(api.attachments.attach, { quoteId, storageId: late, name: "late.pdf" });
    expect(result).toEqual({ refused: expect.objectContaining({ code: "CLOSED", field: "quoteId" }) });
    expect(await stored(t, late)).toBeNull();
    await expectThrown(t, () => buyer.mutation(api.attachments.remove, { attachmentId }), "CLOSED", "attachmentId");
    const list = await viewer.query(api.attachments.list, { quoteId });
    expect(list).toEqual(before);
    expect(list[0]!.url).toEqual(expect.any(String));
  }

  test("cancelled", async () => {
    const s = await withFile();
    await s.buyer.mutation(api.quotes.cancel, { quoteId: s.quoteId });
    await expectKept(s, "cancelled");
  });

  test("awarded", async () => {
    const s = await withFile();
    await claim(s.t, s.quoteId);
    await offer(s.t, s.negotiationId, 1, "supplier", terms(6.2, 0.86));
    const award = await s.buyer.mutation(api.negotiations.acceptCurrentOffer, { negotiationId: s.negotiationId });
    expect(award.status).toBe("awarded");
    await expectKept(s, "awarded");
  });

  test("a quote still negotiating takes files", async () => {
    const { t, buyer, quoteId } = await setup();
    await claim(t, quoteId);
    await attached(buyer, quoteId, await upload(t));
  });
});

describe("removing", () => {
  test("a buyer removes an attachment: its file is deleted, the list is empty and the timeline says so", async () => {
    const { t, buyer, viewer, quoteId } = await setup();
    const storageId = await upload(t);
    const attachmentId = await attached(buyer, quoteId, storageId, "artwork.pdf");
    const url = (await viewer.query(api.attachments.list, { quoteId }))[0]!.url;
    expect(url).not.toBeNull();
    expect(await buyer.mutation(api.attachments.remove, { attachmentId })).toBeNull();
    expect(await stored(t, storageId)).toBeNull();
    expect(await t.run(async (ctx) => await ctx.storage.getUrl(storageId))).toBeNull();
    expect(await viewer.query(api.attachments.list, { quoteId })).toEqual([]);
    const timeline = await viewer.query(api.events.timeline, { quoteId });
    expect(timeline.entries.at(-1)).toMatchObject({ type: "attachment.removed", who: "buyer@acme.test", what: "removed the attachment “artwork.pdf”" });
    // Twice: not found, and nothing else happens.
    await expectThrown(t, () => buyer.mutation(api.attachments.remove, { attachmentId }), "NOT_FOUND", "attachmentId");
  });

  test("a removed file's place can be taken: 20 again after one is removed", async () => {
    const { t, buyer, quoteId } = await setup();
    const ids: Id<"attachments">[] = [];
    for (let i = 0; i < ATTACHMENT_LIMITS.perQuote; i++) ids.push(await attached(buyer, quoteId, await upload(t, `f${i}`), `f${i}.pdf`));
    await buyer.mutation(api.attachments.remove, { attachmentId: ids[0]! });
    await attached(buyer, quoteId, await upload(t, "replacement"), "replacement.pdf");
    expect(await buyer.query(api.attachments.list, { quoteId })).toHaveLength(20);
  });
});

test("a refusal's data is plain words", async () => {
  const { buyer, quoteId } = await setup();
  try {
    await buyer.mutation(api.attachments.generateUploadUrl, { quoteId, ...describeFile("x.exe", 10, "application/x-msdownload") });
    expect.unreachable();
  } catch (error) {
    const data = (error as ConvexError<ErrorData>).data;
    expect(data.message).toBe(
      "This is a file of type application/x-msdownload, which cannot be attached. A quote takes a PDF, PNG image, JPEG image, WebP image, text file, CSV file, Excel workbook (.xlsx) or Word document (.docx)",
    );
  }
});

describe("uploads never attached", () => {
  test("are deleted by the sweep once past the upload window; attached files and recent uploads stay", async () => {
    const { t, buyer, quoteId } = await setup();
    const kept = await upload(t, "%PDF-1.7 kept");
    await attached(buyer, quoteId, kept, "kept.pdf");
    const abandoned = await upload(t, "%PDF-1.7 abandoned");
    // Within the window nothing goes: the client may still attach it.
    expect(await t.mutation(internal.attachments.sweepUploads, {})).toBe(0);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + ATTACHMENT_LIMITS.uploadWindowMs + 60_000);
    const recent = await upload(t, "%PDF-1.7 recent");
    expect(await t.mutation(internal.attachments.sweepUploads, {})).toBe(1);
    expect(await stored(t, abandoned)).toBeNull();
    expect(await stored(t, kept)).not.toBeNull();
    expect(await stored(t, recent)).not.toBeNull();
    expect(await t.mutation(internal.attachments.sweepUploads, {})).toBe(0);
  });
});
