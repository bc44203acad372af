import {
  APICallError,
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4GenerateResult,
  type LanguageModelV4StreamPart,
  type LanguageModelV4StreamResult,
} from "@ai-sdk/provider-v7";
import { abortableSleep, backoffMs } from "../backend-retry.js";
import type { Slots } from "./provider-slots.js";
import { WrappedLanguageModel } from "./wrapped-model.js";

// A real model behind its provider's slots: a call waits for a slot, holds it
// for its whole streamed response and gives it back however the stream ends
// (finished, failed, cancelled, aborted). A 429 is retried inside the slot,
// after the server's Retry-After when it sends one, else with exponential
// backoff and jitter; after `attempts` 429s the call fails with a reason.
// Mastra retries model errors on its own; the final error is marked not
// retryable so that it does not multiply the attempts.

export interface RateLimitRetry {
  /** Calls made before giving up on 429s (the first included). */
  attempts: number;
  /** First backoff without Retry-After, ms; doubled per attempt. */
  baseMs: number;
  /** Longest wait between two attempts, Retry-After included, ms. */
  maxMs: number;
}

export class CappedLanguageModel extends WrappedLanguageModel {
  constructor(
    inner: LanguageModelV4,
    private readonly slots: Slots,
    private readonly retry: RateLimitRetry,
  ) {
    super(inner);
  }

  override async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const release = await this.slots.acquire(options.abortSignal);
    try {
      return await this.withRateLimitRetry(() => this.inner.doGenerate(options), options.abortSignal);
    } finally {
      release();
    }
  }

  override async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const slot = await this.slots.acquire(options.abortSignal);
    const signal = options.abortSignal;
    const release = () => {
      signal?.removeEventListener("abort", release);
      slot();
    };
    signal?.addEventListener("abort", release, { once: true });
    let result: LanguageModelV4StreamResult;
    try {
      result = await this.withRateLimitRetry(() => this.inner.doStream(options), signal);
    } catch (error) {
      release();
      throw error;
    }
    return { ...result, stream: releasingStream(result.stream, release) };
  }

  private async withRateLimitRetry<T>(call: () => PromiseLike<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isRateLimited(error)) throw error;
        if (attempt >= this.retry.attempts) {
          throw new APICallError({
            message: `${this.provider} rate-limited the call (HTTP 429) ${attempt} times in a row; gave up`,
            url: error.url,
            requestBodyValues: error.requestBodyValues,
            statusCode: 429,
            responseHeaders: error.responseHeaders,
            responseBody: error.responseBody,
            cause: error,
            isRetryable: false,
          });
        }
        const policy = { baseMs: this.retry.baseMs, maxMs: this.retry.maxMs, limitMs: Infinity };
        const wait = retryAfterMs(error.responseHeaders) ?? backoffMs(policy, attempt - 1);
        await abortableSleep(Math.min(wait, this.retry.maxMs), signal);
      }
    }
  }
}

const isRateLimited = (error: unknown): error is APICallError => APICallError.isInstance(error) && error.statusCode === 429;

/** `retry-after-ms` (OpenAI's), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  const get = (name: string) => Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1]?.trim();
  const ms = Number(get("retry-after-ms"));
  if (get("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const value = get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `stream`, calling `release` once it ends, fails or is cancelled. */
function releasingStream(stream: ReadableStream<LanguageModelV4StreamPart>, release: () => void): ReadableStream<LanguageModelV4StreamPart> {
  const reader = stream.getReader();
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason);
    },
  });
}
