// File storage on the embedded backend, as Convex has it: upload URLs, the
// _storage system table, getUrl and its downloads, store/get in actions,
// delete in mutations (transactional) and actions, and what is refused.
import { createHash } from "node:crypto";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStorage, maxUploadBytes, UPLOAD_URL_TTL_MS } from "../../src/local-backend/file-storage.js";
import type { Runtime } from "../../src/local-backend/runtime.js";
import { startApp, startFixture, until } from "./helpers.js";

const api = anyApi;

const SCHEMA = `
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  attachments: defineTable({ name: v.string(), file: v.id("_storage") }),
});
`;

const FILES = `
import { actionGeneric, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const uploadUrl = mutationGeneric({ args: {}, handler: async (ctx) => await ctx.storage.generateUploadUrl() });
export const uploadUrlFromQuery = queryGeneric({ args: {}, handler: async (ctx) => await (ctx.storage as any).generateUploadUrl() });

export const attach = mutationGeneric({
  args: { name: v.string(), file: v.id("_storage") },
  handler: async (ctx, args) => await ctx.db.insert("attachments", args),
});

export const url = queryGeneric({ args: { id: v.string() }, handler: async (ctx, { id }) => await ctx.storage.getUrl(id as any) });
export const meta = queryGeneric({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => await ctx.db.system.get(id) });
export const legacyMeta = queryGeneric({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => await ctx.storage.getMetadata(id) });
export const all = queryGeneric({ args: {}, handler: async (ctx) => (await ctx.db.system.query("_storage").collect()).map((f) => f._id) });

export const remove = mutationGeneric({
  args: { id: v.id("_storage"), thenThrow: v.boolean() },
  handler: async (ctx, { id, thenThrow }) => {
    await ctx.storage.delete(id);
    if (thenThrow) throw new Error("changed my mind");
  },
});

export const storeText = actionGeneric({
  args: { text: v.string(), type: v.string(), sha256: v.optional(v.string()) },
  handler: async (ctx, { text, type, sha256 }) => await ctx.storage.store(new Blob([text], { type }), sha256 ? { sha256 } : undefined),
});
export const readText = actionGeneric({
  args: { id: v.id("_storage") },
  handler: async (ctx, { id }) => {
    const blob = await ctx.storage.get(id);
    return blob === null ? null : { text: await blob.text(), type: blob.type };
  },
});
export const removeFromAction = actionGeneric({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => await ctx.storage.delete(id) });
`;

let backend: Awaited<ReturnType<typeof startApp>>;
let client: ConvexHttpClient;
beforeAll(async () => {
  backend = await startApp({ "schema.ts": SCHEMA, "files.ts": FILES }, "lb-files-", { maxUploadMiB: 1 });
  client = new ConvexHttpClient(backend.url, { logger: false });
});
afterAll(async () => {
  await backend?.stop();
});

const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("base64");

async function upload(bytes: Uint8Array | string, type = "application/pdf"): Promise<string> {
  const url: string = await client.mutation(api.files.uploadUrl, {});
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": type }, body: bytes as BodyInit });
  expect(res.status).toBe(200);
  const { storageId } = (await res.json()) as { storageId: string };
  return storageId;
}

describe("upload URL → storageId → getUrl → download", () => {
  it("stores the bytes a client posts, describes them in _storage and serves them back", async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    const url: string = await client.mutation(api.files.uploadUrl, {});
    expect(url).toMatch(new RegExp(`^${backend.url}/api/storage/upload\\?token=`));

    const storageId = await upload(bytes, "application/pdf");
    await client.mutation(api.files.attach, { name: "spec.pdf", file: storageId });
    expect(await client.query(api.files.meta, { id: storageId })).toEqual({
      _id: storageId,
      _creationTime: expect.any(Number),
      sha256: sha(bytes),
      size: bytes.byteLength,
      contentType: "application/pdf",
    });
    expect(await client.query(api.files.legacyMeta, { id: storageId })).toEqual({ storageId, sha256: sha(bytes), size: bytes.byteLength, contentType: "application/pdf" });
    expect(await client.query(api.files.all, {})).toContain(storageId);

    const download: string = await client.query(api.files.url, { id: storageId });
    // The URL names the file by a key of its own: not derivable from its id.
    expect(download).toMatch(new RegExp(`^${backend.url}/api/storage/[0-9a-f]{32}$`));
    expect(download).not.toContain(storageId);
    const res = await fetch(download);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("etag")).toBe(`"${sha(bytes)}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it("keeps a file without a content type as bytes, and serves it as octet-stream", async () => {
    const url: string = await client.mutation(api.files.uploadUrl, {});
    const res = await fetch(url, { method: "POST", body: new Uint8Array([1, 2, 3]) });
    const { storageId } = (await res.json()) as { storageId: string };
    expect(await client.query(api.files.meta, { id: storageId })).not.toHaveProperty("contentType");
    const got = await fetch((await client.query(api.files.url, { id: storageId })) as string);
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
  });

  it("refuses a missing, forged or altered token, and a file over the limit, storing nothing", async () => {
    const before = ((await client.query(api.files.all, {})) as string[]).length;
    const url: string = await client.mutation(api.files.uploadUrl, {});
    const token = new URL(url).searchParams.get("token")!;
    const forged = token.replace(/\.[^.]+$/, ".AAAA");
    const later = token.replace(/^\d+/, (n) => String(Number(n) + 1));
    for (const bad of [`${backend.url}/api/storage/upload`, `${backend.url}/api/storage/upload?token=${forged}`, `${backend.url}/api/storage/upload?token=${later}`]) {
      const res = await fetch(bad, { method: "POST", body: "x" });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toMatch(/not valid/);
    }
    const big = await fetch(url, { method: "POST", body: new Uint8Array(1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toMatch(/up to 1 MiB/);
    expect(((await client.query(api.files.all, {})) as string[]).length).toBe(before);
  });

  it("answers 404 for a URL that names no file", async () => {
    for (const key of ["0".repeat(32), "not-a-key", "../db.sqlite3"]) {
      const res = await fetch(`${backend.url}/api/storage/${key}`);
      expect(res.status).toBe(404);
    }
  });

  it("generates upload URLs only in mutations and actions (a query's ctx.storage has no generateUploadUrl)", async () => {
    await expect(client.query(api.files.uploadUrlFromQuery, {})).rejects.toThrow(/generateUploadUrl is not a function/);
  });
});

describe("ids", () => {
  it("are not guessable from one another: consecutive files share no sequence", async () => {
    const ids = [await upload("a"), await upload("b"), await upload("c")];
    // The 26-character ids differ well before their last characters (a sequence would differ only at the end).
    for (let i = 1; i < ids.length; i++) expect(ids[i]!.slice(0, 14)).not.toBe(ids[i - 1]!.slice(0, 14));
  });

  it("refuses an id of another table or no id at all, with the argument named", async () => {
    const storageId = await upload("a");
    const attachmentId: string = await client.mutation(api.files.attach, { name: "a", file: storageId });
    await expect(client.query(api.files.url, { id: attachmentId })).rejects.toThrow(/storageId.*not an ID of the _storage table/);
    await expect(client.query(api.files.url, { id: "nonsense" })).rejects.toThrow(/not an ID of the _storage table/);
  });
});

describe("actions: store and get", () => {
  it("stores a Blob and reads it back with its type", async () => {
    const id: string = await client.action(api.files.storeText, { text: "net 45, FOB", type: "text/plain" });
    expect(await client.action(api.files.readText, { id })).toEqual({ text: "net 45, FOB", type: "text/plain" });
    expect(((await client.query(api.files.meta, { id })) as { sha256: string }).sha256).toBe(sha("net 45, FOB"));
  });

  it("checks the SHA-256 a caller gives and stores nothing on a mismatch", async () => {
    const before = ((await client.query(api.files.all, {})) as string[]).length;
    expect(await client.action(api.files.storeText, { text: "ok", type: "text/plain", sha256: sha("ok") })).toEqual(expect.any(String));
    await expect(client.action(api.files.storeText, { text: "ok", type: "text/plain", sha256: sha("other") })).rejects.toThrow(/SHA-256/);
    expect(((await client.query(api.files.all, {})) as string[]).length).toBe(before + 1);
  });
});

describe("delete", () => {
  it("in a mutation that throws deletes nothing; in one that returns, the file and its URL are gone", async () => {
    const id = await upload("keep me?");
    const url: string = await client.query(api.files.url, { id });
    await expect(client.mutation(api.files.remove, { id, thenThrow: true })).rejects.toThrow("changed my mind");
    expect((await fetch(url)).status).toBe(200);
    expect(await client.query(api.files.meta, { id })).not.toBeNull();

    await client.mutation(api.files.remove, { id, thenThrow: false });
    expect(await client.query(api.files.url, { id })).toBeNull();
    expect(await client.query(api.files.meta, { id })).toBeNull();
    expect((await fetch(url)).status).toBe(404);
    await expect(client.mutation(api.files.remove, { id, thenThrow: false })).rejects.toThrow(/not found/);
  });

  it("from an action, and a subscribed query sees the URL go", async () => {
    const id: string = await client.action(api.files.storeText, { text: "short-lived", type: "text/plain" });
    const live = new ConvexClient(backend.url, { logger: false });
    try {
      const seen: (string | null)[] = [];
      live.onUpdate(api.files.url, { id }, (u: string | null) => void seen.push(u));
      await until(() => seen.length === 1, 10_000, "the first result");
      expect(seen[0]).toMatch(/\/api\/storage\//);
      await client.action(api.files.removeFromAction, { id });
      await until(() => seen[seen.length - 1] === null, 10_000, "the URL to go");
      expect(await client.action(api.files.readText, { id })).toBeNull();
    } finally {
      await live.close();
    }
  });
});

describe("durability", () => {
  it("a file and its URL survive a restart", async () => {
    const app = await startApp({ "schema.ts": SCHEMA, "files.ts": FILES }, "lb-files-restart-");
    const http = new ConvexHttpClient(app.url, { logger: false });
    const uploadUrl: string = await http.mutation(api.files.uploadUrl, {});
    const { storageId } = (await (await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "text/csv" }, body: "a,b\r\n1,2\r\n" })).json()) as { storageId: string };
    const url: string = await http.query(api.files.url, { id: storageId });
    await app.stop();
    // The same data, functions and port: the URL handed out before still works.
    const again = await startFixture({ dataDir: app.dataDir, functionsDir: app.functionsDir, port: app.port });
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("a,b\r\n1,2\r\n");
    } finally {
      await again.stop();
    }
  });
});

describe("upload tokens", () => {
  const files = new FileStorage({} as Runtime, "local|key", () => "http://127.0.0.1:1");
  it("last an hour and say so when they expire", () => {
    const now = Date.now();
    const token = new URL(files.uploadUrl(now)).searchParams.get("token");
    expect(() => files.checkUploadToken(token, now + UPLOAD_URL_TTL_MS - 1)).not.toThrow();
    expect(() => files.checkUploadToken(token, now + UPLOAD_URL_TTL_MS)).toThrow(/expired/);
  });
  it("are bound to the deployment's key", () => {
    const token = new URL(files.uploadUrl()).searchParams.get("token");
    const other = new FileStorage({} as Runtime, "local|another", () => "http://127.0.0.1:1");
    expect(() => other.checkUploadToken(token)).toThrow(/not valid/);
  });
  it("the upload limit setting is checked", () => {
    expect(maxUploadBytes(undefined)).toBe(256 * 1024 * 1024);
    expect(maxUploadBytes("2")).toBe(2 * 1024 * 1024);
    for (const bad of ["0", "-1", "lots"]) expect(() => maxUploadBytes(bad)).toThrow(/positive number of MiB/);
  });
});
