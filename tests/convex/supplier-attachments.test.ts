import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import {
  type Backend,
  claim,
  type Contact,
  contactOn,
  expectRefusedEverywhere,
  joinLive,
  invite,
  liveQuote,
  type Member,
  newBackend,
  quoteArgs,
  signUp,
} from "./helpers";

// The files a brand attaches to a quote reach the live suppliers of that quote
// in the portal (supplierPortal.negotiation), by name, size, type and a
// download URL: never the storage id, nor who at the brand uploaded them, and
// nothing of another quote's files.

const DRAWING = "%PDF-1.7 drawing: 240 gsm tee, black, screen print front";
const SHEET = "sku,qty\nAPP-TEE-240-BLK,2000\n";

/** The bytes as a POST to an upload URL stores them (convex-test's store keeps no content type: set it as Convex would). */
async function upload(t: Backend, content: string, contentType: string) {
  const storageId = await t.run(async (ctx) => await ctx.storage.store(new Blob([content])));
  await t.run(async (ctx) => {
    await (ctx.db as unknown as { patch: (id: string, v: object) => Promise<void> }).patch(storageId, { contentType });
  });
  return storageId;
}

/** What a buyer does: an upload URL for the file, the bytes, then attach. */
async function attach(t: Backend, by: Member, quoteId: Id<"quotes">, name: string, content: string, contentType: string) {
  await by.mutation(api.attachments.generateUploadUrl, { quoteId, name, size: new Blob([content]).size, contentType });
  const storageId = await upload(t, content, contentType);
  const result = await by.mutation(api.attachments.attach, { quoteId, storageId, name });
  if (!("attachmentId" in result)) throw new Error(`refused: ${result.refused.message}`);
  return { attachmentId: result.attachmentId, storageId };
}

async function sha256Base64(content: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(content)));
  return btoa(String.fromCharCode(...digest));
}

/** Everything a supplier's person can ask the portal about one negotiation of theirs, and about themselves (`token`: their link). */
async function everyAnswer(contact: Contact, token?: string) {
  return {
    preview: token === undefined ? null : await contact.as.query(api.supplierPortal.previewInvitation, { token }),
    list: await contact.as.query(api.supplierPortal.myNegotiationsList, {}),
    negotiation: await contact.query(api.supplierPortal.negotiation, {}),
    messages: await contact.query(api.supplierPortal.messages, { paginationOpts: { numItems: 100, cursor: null } }),
    streaming: await contact.query(api.supplierPortal.streaming, {}),
    notifications: await contact.as.query(api.supplierPortal.notifications, {}),
  };
}

/**
 * A quote with two live suppliers, each with its person joined, and one
 * simulated; the brand's buyer attaches a drawing and a sheet. A second quote of the same
 * brand, with the same supplier live, has its own contact and its own file.
 */
async function setup() {
  const t = newBackend();
  const q = await liveQuote(t, { live: 2, join: 1 });
  const owner = q.owner;
  const buyer = await invite(t, owner, "buyer@acme.test", "buyer");

  // The second live negotiation's person joins with a link this test keeps, to preview it later.
  const second = q.live[1]!;
  const { token } = await owner.mutation(api.supplierInvitations.create, { negotiationId: second._id, name: "Robin Rival", email: "robin@supplier1.test" });
  const robinUser = await signUp(t, "robin@supplier1.test");
  await robinUser.as.mutation(api.supplierPortal.acceptInvitation, { token });
  const robin = contactOn(robinUser, second._id);

  const drawing = await attach(t, buyer, q.quoteId, "tee-drawing.pdf", DRAWING, "application/pdf");
  const sheet = await attach(t, buyer, q.quoteId, "quantities.csv", SHEET, "text/csv");

  // Another quote of the same brand, the first supplier live on it too, with a person of its own and a file of its own.
  const products = await owner.query(api.products.list, {});
  const suppliers = await owner.query(api.suppliers.list, {});
  const otherQuoteId = await owner.mutation(api.quotes.request, { ...quoteArgs({ products }), liveSupplierIds: [suppliers[0]!._id] });
  await claim(t, otherQuoteId);
  const otherLive = (await owner.query(api.quotes.get, { quoteId: otherQuoteId }))!.negotiations.find((n) => n.side === "live")!;
  const outsider = await joinLive(t, owner, otherLive._id, "olive@supplier0.test", "Olive Other");
  const otherFile = await attach(t, buyer, otherQuoteId, "other-brief.pdf", "%PDF-1.7 another quote", "application/pdf");

  return { t, q, owner, buyer, contact: q.contacts[0]!, robin, robinToken: token, drawing, sheet, outsider, otherLive, otherFile };
}

describe("a live supplier sees the quote's attachments", () => {
  test("by name, size, type and a download URL, exactly what the brand attached", async () => {
    const { t, contact, drawing, sheet } = await setup();
    const { attachments } = await contact.query(api.supplierPortal.negotiation, {});
    const urlOf = (storageId: Id<"_storage">) => t.run(async (ctx) => await ctx.storage.getUrl(storageId));
    expect(attachments).toEqual([
      {
        _id: drawing.attachmentId,
        name: "tee-drawing.pdf",
        size: new Blob([DRAWING]).size,
        sizeInWords: `${new Blob([DRAWING]).size} bytes`,
        contentType: "application/pdf",
        kind: "PDF",
        url: await urlOf(drawing.storageId),
      },
      {
        _id: sheet.attachmentId,
        name: "quantities.csv",
        size: new Blob([SHEET]).size,
        sizeInWords: `${new Blob([SHEET]).size} bytes`,
        contentType: "text/csv",
        kind: "CSV file",
        url: await urlOf(sheet.storageId),
      },
    ]);
    // Exactly these keys: nothing of who uploaded, nor where the bytes are kept.
    for (const a of attachments) expect(Object.keys(a).sort()).toEqual(["_id", "contentType", "kind", "name", "size", "sizeInWords", "url"]);
  });

  test("the URL is the stored file's, and the storage holds the very bytes the buyer uploaded", async () => {
    // convex-test serves no storage over HTTP (its URLs name a made-up host), so the bytes are read
    // where the URL points: the stored file it was made from, by content and by sha256.
    const { t, contact, drawing, sheet } = await setup();
    const { attachments } = await contact.query(api.supplierPortal.negotiation, {});
    for (const [row, file, content] of [
      [attachments[0]!, drawing, DRAWING],
      [attachments[1]!, sheet, SHEET],
    ] as const) {
      expect(row.url).toEqual(expect.stringMatching(/^https?:\/\/\S+$/));
      expect(row.url).toBe(await t.run(async (ctx) => await ctx.storage.getUrl(file.storageId)));
      const bytes = await t.run(async (ctx) => await (await ctx.storage.get(file.storageId))!.text());
      expect(bytes).toBe(content);
      const meta = await t.run(async (ctx) => await ctx.db.system.get(file.storageId));
      expect(meta!.sha256).toBe(await sha256Base64(content));
    }
    // Two files, two URLs.
    expect(new Set(attachments.map((a) => a.url)).size).toBe(2);
  });

  test("every party to the quote sees the same files: the other live supplier's person too", async () => {
    const { contact, robin } = await setup();
    const mine = (await contact.query(api.supplierPortal.negotiation, {})).attachments;
    const theirs = (await robin.query(api.supplierPortal.negotiation, {})).attachments;
    expect(theirs).toEqual(mine);
    expect(theirs).toHaveLength(2);
  });

  test("a contact on another quote's live negotiation sees none of them, and this contact none of that quote's", async () => {
    const { q, owner, contact, outsider, otherFile, drawing, sheet } = await setup();
    const theirs = (await outsider.query(api.supplierPortal.negotiation, {})).attachments;
    expect(theirs.map((a) => a._id)).toEqual([otherFile.attachmentId]);
    expect(JSON.stringify(theirs)).not.toContain(drawing.attachmentId);
    expect(JSON.stringify(theirs)).not.toContain(sheet.attachmentId);
    const mine = (await contact.query(api.supplierPortal.negotiation, {})).attachments;
    expect(mine.map((a) => a._id)).not.toContain(otherFile.attachmentId);
    // Nor by naming this quote's negotiation: not theirs.
    await expect(outsider.as.query(api.supplierPortal.negotiation, { negotiationId: contact.negotiationId })).rejects.toMatchObject({
      data: { code: "FORBIDDEN", message: "This negotiation is not one you were invited to" },
    });
    // Nor through the brand's own list of the quote's files: a supplier's person is no member.
    await expect(outsider.as.query(api.attachments.list, { workspaceId: owner.workspaceId, quoteId: q.quoteId })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  test("an attachment the brand removes is gone from the supplier's view; the other stays", async () => {
    const { owner, contact, robin, drawing, sheet } = await setup();
    expect((await contact.query(api.supplierPortal.negotiation, {})).attachments).toHaveLength(2);
    await owner.mutation(api.attachments.remove, { attachmentId: drawing.attachmentId });
    for (const who of [contact, robin]) {
      const { attachments } = await who.query(api.supplierPortal.negotiation, {});
      expect(attachments.map((a) => a._id)).toEqual([sheet.attachmentId]);
    }
    await owner.mutation(api.attachments.remove, { attachmentId: sheet.attachmentId });
    expect((await contact.query(api.supplierPortal.negotiation, {})).attachments).toEqual([]);
  });

  test("nothing of a file's storage id, nor of its uploader, is in any answer the portal gives a supplier", async () => {
    const { q, owner, buyer, contact, robin, robinToken, drawing, sheet } = await setup();
    // Messages and notices too: the brand takes over and writes while the files are attached.
    await owner.mutation(api.negotiations.pause, { negotiationId: robin.negotiationId });
    await owner.mutation(api.negotiations.sendMessage, { negotiationId: robin.negotiationId, content: "The drawing and the sheet are attached." });
    const robinSees = await everyAnswer(robin, robinToken);
    expect(robinSees.preview).toMatchObject({ state: "accepted", negotiationId: robin.negotiationId });
    expect(robinSees.negotiation.attachments).toHaveLength(2);
    expect(robinSees.messages.page.map((m) => m.content)).toContain("The drawing and the sheet are attached.");
    expect(robinSees.notifications.items.map((n) => n.kind)).toContain("brand_message");
    const contactSees = await everyAnswer(contact);
    expect(contactSees.negotiation.attachments).toHaveLength(2);
    for (const answers of [JSON.stringify(robinSees), JSON.stringify(contactSees)]) {
      for (const secret of [drawing.storageId, sheet.storageId, buyer.userId, buyer.sessionId]) expect(answers).not.toContain(secret);
      for (const key of ["storageId", "uploadedBy", "uploadedAt", "sha256"]) expect(answers).not.toContain(`"${key}"`);
      expect(answers).not.toContain("buyer@acme.test");
    }
    // The server does know them: the brand's own list names the uploader.
    const brandList = await owner.query(api.attachments.list, { quoteId: q.quoteId });
    expect(brandList.map((a) => a.uploadedBy)).toEqual(["buyer@acme.test", "buyer@acme.test"]);
  });

  test("a supplier's person cannot add, remove or upload files, even naming the brand's workspace: refused, nothing changes", async () => {
    const { t, q, owner, contact, drawing } = await setup();
    const asContact = { workspaceId: owner.workspaceId };
    const spare = await upload(t, "%PDF-1.7 from the supplier", "application/pdf");
    await expectRefusedEverywhere(t, () => contact.as.mutation(api.attachments.remove, { ...asContact, attachmentId: drawing.attachmentId }), "FORBIDDEN");
    await expectRefusedEverywhere(
      t,
      () => contact.as.mutation(api.attachments.attach, { ...asContact, quoteId: q.quoteId, storageId: spare, name: "ours.pdf" }),
      "FORBIDDEN",
    );
    await expectRefusedEverywhere(
      t,
      () => contact.as.mutation(api.attachments.generateUploadUrl, { ...asContact, quoteId: q.quoteId, name: "ours.pdf", size: 10, contentType: "application/pdf" }),
      "FORBIDDEN",
    );
    expect((await contact.query(api.supplierPortal.negotiation, {})).attachments).toHaveLength(2);
  });
});
