// A table's stored size (what the CLI's schema evaluation reports as
// sizeBytes) summed by SQLite: the UTF-8 bytes of every document's JSON, as a
// scan would add them up, through inserts, replacements and deletes.
import { afterAll, expect, it } from "vitest";
import { KEY_MAX, KEY_MIN } from "../../src/local-backend/values.js";
import { Store, type Doc } from "../../src/local-backend/store.js";
import { tempDir } from "./helpers.js";

const store = new Store(tempDir("lb-store-size-"));
afterAll(async () => {
  await store.close();
});

/** The size a row-by-row scan of the table finds. */
const scanned = (table: string) => store.scan(`${table}.by_creation_time`, KEY_MIN, KEY_MAX, "asc", 10_000).reduce((sum, row) => sum + Buffer.byteLength(row.json), 0);

it("is the UTF-8 bytes of the table's documents, and of no other table's", () => {
  expect(store.sizeBytes("notes")).toBe(0);
  store.begin();
  const put = (table: string, fields: Record<string, string>, prev: Doc | null = null, id = prev?._id ?? store.newId(table)) => {
    const next = { ...fields, _id: id, _creationTime: prev?._creationTime ?? store.creationTime(Date.now()) } as Doc;
    store.write(table, id, prev, next);
    return next;
  };
  const plain = put("notes", { text: "one" });
  const accented = put("notes", { text: "Ünïcödé — 東京 🧵" });
  put("tags", { name: "elsewhere" });
  store.commit();
  expect(store.count("notes")).toBe(2);
  expect(store.sizeBytes("notes")).toBe(scanned("notes"));
  expect(store.sizeBytes("notes")).toBeGreaterThan(Buffer.byteLength(JSON.stringify(accented.text)) + "one".length);

  store.begin();
  put("notes", { text: "one, longer now" }, plain);
  store.write("notes", accented._id, accented, null);
  store.commit();
  expect(store.count("notes")).toBe(1);
  expect(store.sizeBytes("notes")).toBe(scanned("notes"));
  expect(store.sizeBytes("tags")).toBe(scanned("tags"));
});
