import { getFunctionName } from "convex/server";
import { describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api.js";
import type { ConvexTransport } from "../../src/mastra/convex-transport.js";
import { MessagePersister, PersistenceError } from "../../src/mastra/storage/message-persister.js";
import { SERVICE_KEY, convexTestBackend, requestDemoQuote } from "./helpers/convex-test-backend.js";
import { faultyTransport } from "./helpers/faulty-transport.js";

async function setup() {
  const { transport } = convexTestBackend();
  const quoteId = await requestDemoQuote(transport);
  const leaseEpoch = (await transport.mutation(api.worker.claimQuote, { serviceKey: SERVICE_KEY, quoteId, workerId: "test", leaseMs: 600_000 }))!;
  const state = await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId });
  return { transport, quoteId, leaseEpoch, negotiationIds: state!.negotiations.map((n) => n._id) };
}

const messagesOf = async (transport: Awaited<ReturnType<typeof setup>>["transport"], quoteId: any, i: number) =>
  (await transport.query(api.worker.getQuoteState, { serviceKey: SERVICE_KEY, quoteId }))!.negotiations[i]!.messages;

describe("MessagePersister", () => {
  it("writes every message exactly once, in order, through a transport that fails, delays and duplicates", async () => {
    const { transport, quoteId, leaseEpoch, negotiationIds } = await setup();
    const faulty = faultyTransport(transport, { failBefore: 0.2, failAfter: 0.2, duplicate: 0.2, delay: 0.3, maxDelayMs: 5 }, 7);
    const persister = new MessagePersister({ transport: faulty.transport, serviceKey: SERVICE_KEY, retryBaseMs: 1, retryMaxMs: 5, throttleMs: 0 })
    const writer = persister.withLease(leaseEpoch);
    const negotiationId = negotiationIds[0]!;
    const writes: Promise<unknown>[] = [];
    for (let seq = 0; seq < 30; seq++) {
      if (seq % 3 === 0) {
        const stream = writer.streamMessage(negotiationId, { seq, sender: seq % 2 ? "supplier" : "brand", kind: "text" });
        for (const word of `message ${seq} grows word by word`.split(" ")) stream.append(word + " ");
        writes.push(stream.finish({ content: `message ${seq} grows word by word`, metadata: { model: "scripted" } }));
      } else {
        writes.push(writer.persistMessage(negotiationId, { seq, sender: seq % 2 ? "supplier" : "brand", kind: "text", content: `message ${seq}` }));
      }
    }
    await Promise.all(writes);
    const messages = await messagesOf(transport, quoteId, 0);
    expect(messages.map((m) => m.seq)).toEqual([...Array(30).keys()]);
    expect(messages.every((m) => m.state === "complete")).toBe(true);
    expect(messages[3]!.content).toBe("message 3 grows word by word");
    expect(messages[4]!.content).toBe("message 4");
    expect(faulty.counts.failedBefore + faulty.counts.failedAfter).toBeGreaterThan(5);
    expect(faulty.counts.duplicated).toBeGreaterThan(3);
  });

  it("queues writes in order while the backend is unreachable and flushes them when it returns", async () => {
    const { transport, quoteId, leaseEpoch, negotiationIds } = await setup();
    const faulty = faultyTransport(transport, {});
    const persister = new MessagePersister({ transport: faulty.transport, serviceKey: SERVICE_KEY, retryBaseMs: 2, retryMaxMs: 10 })
    const writer = persister.withLease(leaseEpoch);
    faulty.down();
    const writes = [0, 1, 2, 3].map((seq) =>
      writer.persistMessage(negotiationIds[1]!, { seq, sender: "brand", kind: "text", content: `queued ${seq}` }),
    );
    while (faulty.counts.refused < 5) await new Promise((r) => setTimeout(r, 5));
    expect(persister.stats().pending).toBe(4);
    expect(await messagesOf(transport, quoteId, 1)).toHaveLength(0);
    faulty.up();
    await Promise.all(writes);
    expect((await messagesOf(transport, quoteId, 1)).map((m) => m.content)).toEqual(["queued 0", "queued 1", "queued 2", "queued 3"]);
  });

  it("fails the lane with a reason after the delivery bound and rejects every queued write", async () => {
    const { transport, leaseEpoch, negotiationIds } = await setup();
    const faulty = faultyTransport(transport, {});
    const persister = new MessagePersister({ transport: faulty.transport, serviceKey: SERVICE_KEY, retryBaseMs: 2, retryMaxMs: 10, deliveryTimeoutMs: 80 })
    const writer = persister.withLease(leaseEpoch);
    faulty.down();
    const results = await Promise.allSettled(
      [0, 1, 2].map((seq) => writer.persistMessage(negotiationIds[2]!, { seq, sender: "brand", kind: "text", content: `lost ${seq}` })),
    );
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof PersistenceError)).toBe(true);
    expect(String((results[0] as PromiseRejectedResult).reason.message)).toMatch(/could not persist to Convex.*ECONNREFUSED/);
    expect(persister.laneFailure(negotiationIds[2]!)).toBeInstanceOf(PersistenceError);
  });

  it("coalesces a fast stream into few writes, each a new piece cut on a word boundary", async () => {
    const { transport, quoteId, leaseEpoch, negotiationIds } = await setup();
    let textWrites = 0;
    const pieces: { start: number; text: string }[] = [];
    const counting: ConvexTransport = {
      mutation: (fn: any, args: any) => {
        if (["ingest:startMessage", "ingest:appendMessageText"].includes(getFunctionName(fn))) textWrites++;
        if (getFunctionName(fn) === "ingest:appendMessageText") pieces.push(args);
        return transport.mutation(fn, args) as Promise<never>;
      },
      query: transport.query,
    };
    const persister = new MessagePersister({ transport: counting, serviceKey: SERVICE_KEY, throttleMs: 30 })
    const writer = persister.withLease(leaseEpoch);
    const stream = writer.streamMessage(negotiationIds[0]!, { seq: 0, sender: "supplier", kind: "text" });
    const words = Array.from({ length: 40 }, (_, i) => `w${i} `);
    for (const w of words) {
      stream.append(w);
      await new Promise((r) => setTimeout(r, 2));
    }
    await stream.finish();
    // 40 words over >= 80 ms with a 30 ms window: far fewer writes than words.
    expect(textWrites).toBeGreaterThanOrEqual(1);
    expect(textWrites).toBeLessThan(words.length / 2);
    // Append-only: each piece starts where the last ended, ends on a word, and none repeats text.
    expect(pieces.length).toBeGreaterThan(0);
    const startLength = words[0]!.length;
    let at = startLength;
    for (const piece of pieces) {
      expect(piece.start).toBe(at);
      expect(piece.text).toMatch(/ $/);
      at += piece.text.length;
    }
    expect(at).toBeLessThanOrEqual(words.join("").length);
    expect((await messagesOf(transport, quoteId, 0))[0]!.content).toBe(words.join(""));
  });

  it("creates a streaming message on its first words and writes its growing text at most once per throttle window", async () => {
    const { transport, quoteId, leaseEpoch, negotiationIds } = await setup();
    const seen: string[] = [];
    const spying: ConvexTransport = {
      mutation: (fn: any, args: any) => {
        // The generated api hands out a new reference on every access: compare names, not identities.
        const name = getFunctionName(fn);
        if (args.seq === 0) seen.push(`${name === "ingest:startMessage" ? "start" : name === "ingest:appendMessageText" ? `piece@${args.start}` : name === "ingest:withdrawMessage" ? "withdraw" : "finish"}:${args.content ?? args.text ?? args.reason}`);
        return transport.mutation(fn, args) as Promise<never>;
      },
      query: transport.query,
    };
    const persister = new MessagePersister({ transport: spying, serviceKey: SERVICE_KEY, throttleMs: 1_000_000 })
    const writer = persister.withLease(leaseEpoch);
    const stream = writer.streamMessage(negotiationIds[0]!, { seq: 0, sender: "brand", kind: "text" });
    stream.append("  ");
    await persister.flush();
    expect(seen).toEqual([]);
    stream.append("Hello ");
    expect(seen).toEqual([]); // the first words wait for the next turn of the event loop
    await new Promise((r) => setTimeout(r, 0));
    await persister.flush();
    expect(seen).toEqual(["start:  Hello "]);
    for (const w of ["there, ", "supplier."]) stream.append(w);
    await new Promise((r) => setTimeout(r, 20));
    await persister.flush();
    expect(seen).toEqual(["start:  Hello "]);
    expect((await messagesOf(transport, quoteId, 0))[0]!.state).toBe("streaming");
    await stream.finish({ metadata: { model: "scripted", latencyMs: 5 } });
    expect(seen).toEqual(["start:  Hello ", "finish:  Hello there, supplier."]);
    const [message] = await messagesOf(transport, quoteId, 0);
    expect(message).toMatchObject({ state: "complete", content: "  Hello there, supplier.", metadata: { model: "scripted" } });

    // Text that comes all at once is finished before the start is due: one write, for a plain message and for an offer.
    seen.length = 0;
    const whole = writer.streamMessage(negotiationIds[1]!, { seq: 0, sender: "brand", kind: "text" });
    for (const w of ["All ", "at ", "once."]) whole.append(w);
    await whole.finish();
    await new Promise((r) => setTimeout(r, 5));
    await persister.flush();
    expect(seen).toEqual(["finish:All at once."]);
  });
});
