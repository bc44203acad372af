import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart, LanguageModelV4StreamResult } from "@ai-sdk/provider-v7";
import { WrappedLanguageModel } from "./wrapped-model.js";

// Text that a model has already delivered is passed on in one piece. Every
// streamed part travels through Mastra's and the AI SDK's chain of stream
// transforms, which costs far more per part than per character: a provider
// often delivers several text deltas in one network read (and the scripted
// model, unpaced, delivers a whole message at once), and relaying them one by
// one spent about 4 ms of the worker's CPU per message, which three parallel
// negotiations then wait for in turn. Deltas that are readable in the same turn
// of the event loop are joined; a delta that is not yet there is never waited
// for, so no text arrives later than it would have.

type Part = LanguageModelV4StreamPart;
type TextDelta = Extract<Part, { type: "text-delta" }>;

/** At most this many deltas are joined into one, so a source that always has text ready cannot hold the event loop. */
const MAX_JOINED = 256;
const NEXT_TURN = Symbol("next turn");
const nextTurn = () => new Promise<typeof NEXT_TURN>((resolve) => setImmediate(resolve, NEXT_TURN));

const joinable = (head: TextDelta, part: Part): part is TextDelta =>
  part.type === "text-delta" && part.id === head.id && part.providerMetadata === undefined;

/** `source` with runs of text deltas that are already readable joined into one delta each. */
export function coalesceTextDeltas(source: ReadableStream<Part>): ReadableStream<Part> {
  const reader = source.getReader();
  /** A read sent and not yet consumed: the next pull starts from it. */
  let pending: Promise<ReadableStreamReadResult<Part>> | undefined;
  const read = () => (pending ??= reader.read());
  return new ReadableStream<Part>({
    async pull(controller) {
      const first = await read();
      pending = undefined;
      if (first.done) return controller.close();
      const head = first.value;
      if (head.type !== "text-delta" || head.providerMetadata !== undefined) return controller.enqueue(head);
      let delta = head.delta;
      const turn = nextTurn();
      for (let joined = 1; joined < MAX_JOINED; joined++) {
        const next = await Promise.race([read(), turn]);
        // Nothing more readable in this turn: the read stays pending for the next pull.
        if (next === NEXT_TURN) break;
        if (next.done || !joinable(head, next.value)) {
          // Not part of this run: kept for the next pull, as it was read.
          pending = Promise.resolve(next);
          break;
        }
        pending = undefined;
        delta += next.value.delta;
      }
      controller.enqueue(delta === head.delta ? head : { ...head, delta });
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** `inner` with its streamed text deltas coalesced (coalesceTextDeltas); everything else passes through. */
export class CoalescedLanguageModel extends WrappedLanguageModel {
  override async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const result = await this.inner.doStream(options);
    return { ...result, stream: coalesceTextDeltas(result.stream) };
  }
}
