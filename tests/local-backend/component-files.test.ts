// Vector search and file storage inside a component on the embedded backend:
// the fixture app of fixture-component-files/ installs `docs`, whose tables
// and index have the app's names, and both keep files. Everything goes through
// the official client; a differential run checks the same calls on convex-test.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convexTest } from "convex-test";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import appSchema from "./fixture-component-files/convex/schema";
import docsSchema from "./fixture-component-files/docs/schema";
import { startFixture, tempDir } from "./helpers.js";

const api = anyApi;
const FUNCTIONS = path.resolve(__dirname, "fixture-component-files/convex");
const sha = (data: string | Uint8Array) => createHash("sha256").update(data).digest("base64");

let backend: Awaited<ReturnType<typeof startFixture>>;
let http: ConvexHttpClient;

beforeAll(async () => {
  backend = await startFixture({ functionsDir: FUNCTIONS, dataDir: tempDir("lb-component-files-") });
  http = new ConvexHttpClient(backend.url, { logger: false });
}, 60_000);
afterAll(async () => {
  await backend?.stop();
});

async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e: any) {
    return e.message;
  }
  throw new Error("expected the call to fail");
}

describe("vector search inside a component", () => {
  beforeAll(async () => {
    // The same vectors on both sides, with different texts: a search that crossed over would show it.
    for (const [text, kind, embedding] of [
      ["north", "a", [0, 1, 0]],
      ["north-east", "b", [1, 1, 0]],
      ["east", "a", [1, 0, 0]],
      ["up", "b", [0, 0, 1]],
    ] as const) {
      await http.mutation(api.app.docsAddChunk, { text: `docs ${text}`, kind, embedding: [...embedding] });
      await http.mutation(api.app.addChunk, { text: `app ${text}`, kind, embedding: [...embedding] });
    }
  });

  it("searches the component's own index and returns its rows, most similar first", async () => {
    const hits = await http.action(api.app.docsSearch, { vector: [1, 0.1, 0] });
    expect(hits.map((h: any) => h.text)).toEqual(["docs east", "docs north-east", "docs north", "docs up"]);
    const scores = hits.map((h: any) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores[0]).toBeCloseTo(1 / Math.sqrt(1.01), 5);
    expect(scores[3]).toBe(0);
    // The app's search of the same names finds the app's rows only.
    expect(await http.action(api.app.search, { vector: [1, 0.1, 0] })).toEqual(["app east", "app north-east", "app north", "app up"]);
  });

  it("filters on the component's filter fields, with limit", async () => {
    const b = await http.action(api.app.docsSearch, { vector: [1, 0, 0], kinds: ["b"] });
    expect(b.map((h: any) => h.text)).toEqual(["docs north-east", "docs up"]);
    const top = await http.action(api.app.docsSearch, { vector: [0, 1, 0], kinds: ["a", "b"], limit: 2 });
    expect(top.map((h: any) => h.text)).toEqual(["docs north", "docs north-east"]);
    expect(await http.action(api.app.docsSearch, { vector: [0, 1, 0], kinds: ["none"] })).toEqual([]);
  });

  it("names tables and indexes in the component's terms, and cannot reach another's", async () => {
    // A table the component does not have is empty, as on Convex (the app has none called so either).
    expect(await http.action(api.app.docsSearch, { vector: [1, 0, 0], table: "missing" })).toEqual([]);
    // Its other table has no such index: the message names it as the component knows it.
    expect(await messageOf(http.action(api.app.docsSearch, { vector: [1, 0, 0], table: "attachments" }))).toContain("Index attachments.by_embedding not found.");
    // A stored name ("table@component") is not a table name any code can use.
    for (const table of ["chunks@docs", "chunks@"]) {
      expect(await messageOf(http.action(api.app.docsSearch, { vector: [1, 0, 0], table }))).toMatch(/Invalid table name/);
    }
    expect(await messageOf(http.action(api.app.docsSearch, { vector: [1, 0, 0, 0] }))).toContain("Expected a vector with dimensions 3, received 4.");
  });

  it("sees a write made just before, and not a deleted row", async () => {
    const id: string = await http.mutation(api.app.docsAddChunk, { text: "docs west", kind: "c", embedding: [-1, 0, 0] });
    const hits = await http.action(api.app.docsSearch, { vector: [-1, 0, 0], kinds: ["c"] });
    expect(hits).toEqual([{ id, text: "docs west", score: 1 }]);
  });
});

describe("file storage inside a component", () => {
  it("store, get, getUrl, db.system and delete act on the component's own storage", async () => {
    const id: string = await http.action(api.app.docsStoreText, { text: "component file", type: "text/plain" });
    expect(await http.action(api.app.docsReadText, { id })).toEqual({ text: "component file", type: "text/plain" });
    expect(await http.query(api.app.docsFileDoc, { id })).toEqual({
      _id: id,
      _creationTime: expect.any(Number),
      sha256: sha("component file"),
      size: 14,
      contentType: "text/plain",
    });
    expect(await http.query(api.app.docsListFiles, {})).toContainEqual({ id, size: 14, contentType: "text/plain" });
    const url: string = await http.query(api.app.docsFileUrl, { id });
    // Convex's download URL of a component's file names the component.
    expect(url).toMatch(new RegExp(`^${backend.url}/api/storage/[0-9a-f]{32}\\?component=docs$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("component file");
    // The same key without the component (or with another) is no file.
    expect((await fetch(url.replace(/\?.*$/, ""))).status).toBe(404);
    expect((await fetch(url.replace(/=docs$/, "=other"))).status).toBe(404);

    // An attachment row takes it as an ID of the component's own _storage.
    expect(await http.mutation(api.app.docsAttach, { name: "a", file: id })).toEqual(expect.any(String));

    await http.mutation(api.app.docsDeleteFile, { id });
    expect(await http.action(api.app.docsReadText, { id })).toBeNull();
    expect(await http.query(api.app.docsFileUrl, { id })).toBeNull();
    expect(await http.query(api.app.docsFileDoc, { id })).toBeNull();
    expect((await fetch(url)).status).toBe(404);
  });

  it("keeps the app's files and the component's apart, both ways", async () => {
    const mine: string = await http.action(api.app.docsStoreText, { text: "the component's", type: "text/plain" });
    const apps: string = await http.action(api.app.storeText, { text: "the app's", type: "text/plain" });

    // The app does not find the component's file, nor the component the app's.
    expect(await http.query(api.app.fileUrl, { id: mine })).toBeNull();
    expect(await http.action(api.app.readText, { id: mine })).toBeNull();
    // db.system.get treats it as it treats any ID of another component's table.
    expect(await http.query(api.app.fileDoc, { id: mine })).toMatch(/^error: .*Unable to decode ID/);
    expect(await http.query(api.app.listFiles, {})).not.toContain(mine);
    expect(await http.query(api.app.docsFileUrl, { id: apps })).toBeNull();
    expect(await http.action(api.app.docsReadText, { id: apps })).toBeNull();
    expect(await http.query(api.app.docsFileDoc, { id: apps })).toMatch(/^error: .*Unable to decode ID/);
    expect((await http.query(api.app.docsListFiles, {})).map((f: any) => f.id)).not.toContain(apps);
    // A component's row cannot reference the app's file as its own.
    expect(await messageOf(http.mutation(api.app.docsAttach, { name: "b", file: apps }))).toMatch(/_storage/);

    // Neither can delete the other's file: it is not found, and stays.
    expect(await messageOf(http.mutation(api.app.deleteFile, { id: mine }))).toContain("not found");
    expect(await messageOf(http.mutation(api.app.docsDeleteFile, { id: apps }))).toContain("not found");
    expect(await http.action(api.app.docsReadText, { id: mine })).toEqual({ text: "the component's", type: "text/plain" });
    expect(await http.action(api.app.readText, { id: apps })).toEqual({ text: "the app's", type: "text/plain" });
    // The app's own file keeps its plain URL.
    expect(await http.query(api.app.fileUrl, { id: apps })).toMatch(new RegExp(`^${backend.url}/api/storage/[0-9a-f]{32}$`));
  });

  it("an upload URL from the component uploads into the component's storage; its token cannot be moved to the app's", async () => {
    const url: string = await http.mutation(api.app.docsUploadUrl, {});
    const token = new URL(url).searchParams.get("token")!;
    // Dropping the component from the signed token makes it a forgery.
    const parts = token.split(".");
    const asApp = [parts[0], parts[1], parts[3]].join(".");
    expect((await fetch(`${backend.url}/api/storage/upload?token=${asApp}`, { method: "POST", body: "x" })).status).toBe(401);

    const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"a":1}' });
    expect(res.status).toBe(200);
    const { storageId } = (await res.json()) as { storageId: string };
    expect(await http.query(api.app.docsListFiles, {})).toContainEqual({ id: storageId, size: 7, contentType: "application/json" });
    expect(await http.query(api.app.listFiles, {})).not.toContain(storageId);
    expect(await http.action(api.app.docsReadText, { id: storageId })).toEqual({ text: '{"a":1}', type: "application/json" });
  });

  it("keeps component files across a restart", async () => {
    const id: string = await http.action(api.app.docsStoreText, { text: "durable", type: "text/plain" });
    const dataDir = backend.dataDir;
    await backend.stop();
    backend = await startFixture({ functionsDir: FUNCTIONS, dataDir });
    http = new ConvexHttpClient(backend.url, { logger: false });
    expect(await http.action(api.app.docsReadText, { id })).toEqual({ text: "durable", type: "text/plain" });
    const url: string = await http.query(api.app.docsFileUrl, { id });
    expect(await (await fetch(url)).text()).toBe("durable");
    // The component's index is rebuilt from its table after the restart.
    expect((await http.action(api.app.docsSearch, { vector: [0, 0, 1], limit: 1 }))[0].text).toBe("docs up");
  }, 60_000);
});

/** The official CLI against `target`, as against a self-hosted Convex: its exit code and both streams. */
async function convexAt(target: { url: string; adminKey: string }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = tempDir("lb-component-files-cwd-");
  fs.writeFileSync(path.join(cwd, "package.json"), JSON.stringify({ name: "cli-test", private: true, dependencies: { convex: "*" } }));
  const env = { ...process.env, CONVEX_SELF_HOSTED_URL: target.url, CONVEX_SELF_HOSTED_ADMIN_KEY: target.adminKey, CONVEX_DEPLOYMENT: "", NO_COLOR: "1", FORCE_COLOR: "0" };
  const cli = path.resolve(__dirname, "../../node_modules/convex/bin/main.js");
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    if (typeof err?.code !== "number") throw err;
    return { code: err.code, stdout: String(err.stdout), stderr: String(err.stderr) };
  }
}

describe("export and import of a component's files", () => {
  it("`convex export --include-file-storage` writes them under _components/<path>/_storage/, and `convex import` restores them there", async () => {
    const source = await startFixture({ functionsDir: FUNCTIONS, dataDir: tempDir("lb-component-files-src-") });
    const target = await startFixture({ functionsDir: FUNCTIONS, dataDir: tempDir("lb-component-files-dst-") });
    try {
      const src = new ConvexHttpClient(source.url, { logger: false });
      const fileId: string = await src.action(api.app.docsStoreText, { text: "exported with its component", type: "text/markdown" });
      await src.mutation(api.app.docsAttach, { name: "readme", file: fileId });
      const appFile: string = await src.action(api.app.storeText, { text: "the app's own", type: "text/plain" });

      const zipPath = path.join(tempDir("lb-component-files-zip-"), "snapshot.zip");
      const exported = await convexAt(source, "export", "--path", zipPath, "--include-file-storage");
      expect(exported.code, exported.stderr).toBe(0);
      const entries = unzipSync(fs.readFileSync(zipPath));
      const meta = strFromU8(entries["_components/docs/_storage/documents.jsonl"]!).trim().split("\n").map((l) => JSON.parse(l));
      expect(meta).toEqual([{ _id: fileId, _creationTime: expect.any(Number), sha256: sha("exported with its component"), size: 27, contentType: "text/markdown" }]);
      expect(strFromU8(entries[`_components/docs/_storage/${fileId}`]!)).toBe("exported with its component");
      // The app's files stay at the top, and neither appears in the other's folder.
      expect(strFromU8(entries[`_storage/${appFile}`]!)).toBe("the app's own");
      expect(strFromU8(entries["_storage/documents.jsonl"]!)).not.toContain(fileId);
      expect(entries[`_components/docs/_storage/${appFile}`]).toBeUndefined();

      const imported = await convexAt(target, "import", zipPath, "--yes");
      expect(imported.code, imported.stderr).toBe(0);
      const dst = new ConvexHttpClient(target.url, { logger: false });
      // A snapshot of this backend keeps its ids: the component's file is its own again, the app's the app's.
      expect(await dst.action(api.app.docsReadText, { id: fileId })).toEqual({ text: "exported with its component", type: "text/markdown" });
      expect(await dst.query(api.app.docsFileDoc, { id: fileId })).toMatchObject({ _id: fileId, size: 27, sha256: sha("exported with its component") });
      expect(await dst.action(api.app.readText, { id: fileId })).toBeNull();
      expect(await dst.action(api.app.readText, { id: appFile })).toEqual({ text: "the app's own", type: "text/plain" });
      expect(await (await fetch((await dst.query(api.app.docsFileUrl, { id: fileId })) as string)).text()).toBe("exported with its component");

      // Again, the component's storage is no longer empty: refused by default, replaced with --replace.
      const again = await convexAt(target, "import", zipPath, "--yes");
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("already exists");
      const replaced = await convexAt(target, "import", zipPath, "--replace", "--yes");
      expect(replaced.code, replaced.stderr).toBe(0);
      expect(await dst.query(api.app.docsListFiles, {})).toEqual([{ id: fileId, size: 27, contentType: "text/markdown" }]);
      expect(await dst.query(api.app.docsAttachments, {})).toEqual([{ name: "readme", file: fileId }]);

      // Another deployment's file ids (here, not ids of this one) get new ids, and the component's rows that name them follow.
      const foreign = path.join(tempDir("lb-component-files-zip-"), "foreign.zip");
      const zip: Record<string, string> = {
        "_components/docs/_storage/documents.jsonl": '{"_id":"kg2foreignfile","_creationTime":1700000000000.5,"contentType":"text/plain"}\n',
        "_components/docs/_storage/kg2foreignfile.txt": "from elsewhere",
        "_components/docs/attachments/documents.jsonl": '{"name":"elsewhere","file":"kg2foreignfile"}\n',
      };
      fs.writeFileSync(foreign, zipSync(Object.fromEntries(Object.entries(zip).map(([k, v]) => [k, strToU8(v)]))));
      const fromElsewhere = await convexAt(target, "import", foreign, "--append", "--yes");
      expect(fromElsewhere.code, fromElsewhere.stderr).toBe(0);
      const added = ((await dst.query(api.app.docsAttachments, {})) as { name: string; file: string }[]).find((a) => a.name === "elsewhere")!;
      expect(added.file).not.toBe("kg2foreignfile");
      expect(await dst.action(api.app.docsReadText, { id: added.file })).toEqual({ text: "from elsewhere", type: "text/plain" });
    } finally {
      await source.stop();
      await target.stop();
    }
  }, 180_000);
});

// convex-test keeps a database (and file storage) per component too: the same calls must give the same answers.
const modules = {
  app: { ...import.meta.glob("./fixture-component-files/convex/**/*.ts"), "./fixture-component-files/convex/_generated/api.js": async () => ({}) },
  docs: { ...import.meta.glob("./fixture-component-files/docs/**/*.ts"), "./fixture-component-files/docs/_generated/api.js": async () => ({}) },
};

describe("differential: component vector search and storage vs convex-test", () => {
  it("answers as convex-test does", async () => {
    const t = convexTest(appSchema, modules.app);
    t.registerComponent("docs", docsSchema, modules.docs);
    const embedded = await startFixture({ functionsDir: FUNCTIONS, dataDir: tempDir("lb-component-files-diff-") });
    try {
      const client = new ConvexHttpClient(embedded.url, { logger: false });
      const sides = [
        { run: (f: any, a: any) => t.action(f, a), m: (f: any, a: any) => t.mutation(f, a), q: (f: any, a: any) => t.query(f, a) },
        { run: (f: any, a: any) => client.action(f, a), m: (f: any, a: any) => client.mutation(f, a), q: (f: any, a: any) => client.query(f, a) },
      ];
      const vectors = [[3, 1, 0], [0, 2, 1], [1, 1, 1], [-1, 0, 2], [2, -1, 1], [0.5, 0.5, 0]];
      for (const side of sides) {
        for (const [i, embedding] of vectors.entries()) await side.m(api.app.docsAddChunk, { text: `c${i}`, kind: i % 2 ? "odd" : "even", embedding });
      }
      const answers = await Promise.all(
        sides.map(async (side) => {
          const out: unknown[] = [];
          for (const [vector, kinds] of [[[1, 0, 0], undefined], [[0, 1, 1], ["odd"]], [[1, 1, 0], ["even", "odd"]]] as const) {
            const hits = await side.run(api.app.docsSearch, { vector: [...vector], kinds: kinds && [...kinds], limit: 4 });
            out.push(hits.map((h: any) => [h.text, Math.round(h.score * 1e5) / 1e5]));
          }
          const id = await side.run(api.app.docsStoreText, { text: "same on both", type: "text/plain" });
          out.push(await side.run(api.app.docsReadText, { id }));
          const doc = await side.q(api.app.docsFileDoc, { id });
          out.push({ size: doc.size, sha256: doc.sha256 });
          out.push((await side.q(api.app.docsListFiles, {})).map((f: any) => f.size));
          await side.m(api.app.docsDeleteFile, { id });
          out.push(await side.run(api.app.docsReadText, { id }), await side.q(api.app.docsFileDoc, { id }));
          return out;
        }),
      );
      expect(answers[1]).toEqual(answers[0]);
    } finally {
      await embedded.stop();
    }
  }, 60_000);
});
