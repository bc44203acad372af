import type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4GenerateResult, LanguageModelV4StreamResult } from "@ai-sdk/provider-v7";

/**
 * A language model in front of another: it answers to the inner model's
 * provider, id and URLs, and passes calls through unless a subclass changes
 * them (capped-model.ts holds a provider slot, coalesced-model.ts joins deltas).
 */
export abstract class WrappedLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = "v4" as const;

  constructor(readonly inner: LanguageModelV4) {}

  get provider(): string {
    return this.inner.provider;
  }
  get modelId(): string {
    return this.inner.modelId;
  }
  get supportedUrls(): LanguageModelV4["supportedUrls"] {
    return this.inner.supportedUrls;
  }

  doGenerate(options: LanguageModelV4CallOptions): PromiseLike<LanguageModelV4GenerateResult> {
    return this.inner.doGenerate(options);
  }

  doStream(options: LanguageModelV4CallOptions): PromiseLike<LanguageModelV4StreamResult> {
    return this.inner.doStream(options);
  }
}
