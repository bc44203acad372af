// The query stream under random writes, against the store itself: after any
// mix of inserts, deletes, key-changing and other patches, rolled-back nested
// writes and drains of the touched-key log, each row the stream returns is the
// first row of the transaction's current view after the previous one.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Value } from "convex/values";
import { planQuery, Stream } from "../../src/local-backend/query.js";
import { Store, type Doc } from "../../src/local-backend/store.js";
import { keySuccessor } from "../../src/local-backend/values.js";
import { mulberry32 } from "../../src/negotiation/prng.js";
import { tempDir } from "./helpers.js";

let store: Store;
beforeAll(() => {
  store = new Store(tempDir("lb-stream-model-"));
  store.setSchemaIndexes({ t: [{ indexDescriptor: "by_v", fields: ["v"] }] });
});
afterAll(async () => {
  await store?.close();
});

for (const order of ["asc", "desc"] as const) {
  it(`${order}: every row returned is the next one in the current view`, () => {
    let steps = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = mulberry32(seed);
      const int = (n: number) => Math.floor(r() * n);
      let writes = 0;
      store.begin();
      try {
        const ids: string[] = [];
        const put = (id: string, prev: Doc | null, fields: Record<string, Value> | null) => {
          const next = fields && ({ ...fields, _id: id, _creationTime: prev?._creationTime ?? store.creationTime(Date.now()) } as Doc);
          store.write("t", id, prev, next);
          writes++;
        };
        const insert = () => {
          const id = store.newId("t");
          put(id, null, { v: int(40), n: 0 });
          ids.push(id);
        };
        const live = () => ids.filter((id) => store.get(id) !== null);
        for (let i = 0, n = int(60); i < n; i++) insert();

        const range =
          seed % 3 === 0 ? [] : [{ type: "Gte", fieldPath: "v", value: 5 }, { type: seed % 2 ? "Lt" : "Lte", fieldPath: "v", value: 30 }];
        const plan = planQuery(store, { source: { type: "IndexRange", indexName: "t.by_v", range, order }, operators: [] });
        const stream = new Stream(store, plan, () => writes);
        let last: Buffer | null = null;
        for (let step = 0; step < 400; step++) {
          const lo = order === "asc" && last ? keySuccessor(last) : plan.lo;
          const hi = order === "desc" && last ? last : plan.hi;
          const [expected] = store.scan(plan.index.name, lo, hi, order, 1);
          const row = stream.nextRow();
          expect(row?.key.toString("hex"), `seed ${seed} step ${step}`).toBe(expected?.key.toString("hex"));
          expect(row?.json).toBe(expected?.json);
          if (!row) break;
          steps++;
          last = row.key;
          const current = JSON.parse(row.json)._id as string;
          for (let op = 0, ops = int(3); op < ops; op++) {
            const docs = live();
            const pick = docs.length > 0 ? docs[int(docs.length)] : null;
            const which = int(8);
            if (which === 0) put(current, store.get(current), null);
            else if (which === 1 && store.get(current)) put(current, store.get(current), { v: int(40), n: 1 });
            else if (which === 2) insert();
            else if (which === 3 && pick) put(pick, store.get(pick), null);
            else if (which === 4 && pick) put(pick, store.get(pick), { v: int(40), n: 2 });
            else if (which === 5 && pick) put(pick, store.get(pick), { v: (store.get(pick) as any).v, n: 3 });
            else if (which === 6) store.touched = []; // what a flush of the subscriptions does
            else if (which === 7) {
              // A nested mutation that fails: its writes are rolled back.
              const sp = store.savepoint();
              if (pick) put(pick, store.get(pick), null);
              insert();
              store.rollbackTo(sp);
            }
            if (which === 0 || which === 1) break; // the current row is gone or moved
          }
        }
      } finally {
        store.rollback();
        store.touched = [];
      }
    }
    expect(steps).toBeGreaterThan(500);
  });
}
