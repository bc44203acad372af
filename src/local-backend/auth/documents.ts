// The JSON documents token verification needs (OpenID discovery documents and
// JWKS), fetched over http(s) or read from `data:` URLs and cached for their
// Cache-Control max-age. Concurrent requests for one URL share one fetch.
import { AuthFailure } from "./failure.js";

const DEFAULT_MAX_AGE_MS = 5 * 60_000;
const MAX_MAX_AGE_MS = 60 * 60_000;
const FETCH_TIMEOUT_MS = 10_000;
const JSON_TYPES = ["application/json", "application/jwk-set+json"];

export type CachedDocument = { value: unknown; fetchedAt: number };
type Entry = CachedDocument & { expiresAt: number };

export class DocumentCache {
  private entries = new Map<string, Entry>();
  private pending = new Map<string, Promise<Entry>>();

  /**
   * The document at `url`, from the cache while fresh. `refetchIfOlderThan`
   * forces a fetch when the cached copy is older than that many ms (a key that
   * is not in a cached JWKS may have been added since; the bound keeps forged
   * tokens from making us fetch on every attempt).
   */
  async get(url: string, failure: (detail: string) => AuthFailure, refetchIfOlderThan?: number): Promise<CachedDocument> {
    const now = Date.now();
    const cached = this.entries.get(url);
    const stale = !cached || cached.expiresAt <= now || (refetchIfOlderThan !== undefined && now - cached.fetchedAt >= refetchIfOlderThan);
    if (!stale) return cached;
    let p = this.pending.get(url);
    if (!p) {
      p = load(url, failure).finally(() => this.pending.delete(url));
      this.pending.set(url, p);
    }
    const entry = await p;
    this.entries.set(url, entry);
    return entry;
  }
}

async function load(url: string, failure: (detail: string) => AuthFailure): Promise<Entry> {
  const fetchedAt = Date.now();
  if (url.startsWith("data:")) {
    // A data: URL never changes: no content-type check (as Convex), cached for good.
    const text = await fetch(url).then((r) => r.text(), () => Promise.reject(failure("Invalid data URL.")));
    return { value: parse(text, failure), fetchedAt, expiresAt: Infinity };
  }
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err: any) {
    throw failure(String(err?.cause?.message ?? err?.message ?? err));
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw failure(`HTTP ${res.status} ${res.statusText}`);
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (!JSON_TYPES.includes(type)) {
    await res.body?.cancel();
    throw failure(`Invalid Content-Type '${res.headers.get("content-type") ?? "unknown"}'. Expected 'application/json' or 'application/jwk-set+json'.`);
  }
  const value = parse(await res.text(), failure);
  return { value, fetchedAt, expiresAt: fetchedAt + maxAgeMs(res.headers.get("cache-control")) };
}

function parse(text: string, failure: (detail: string) => AuthFailure): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw failure("The response is not valid JSON.");
  }
}

function maxAgeMs(cacheControl: string | null): number {
  if (!cacheControl) return DEFAULT_MAX_AGE_MS;
  if (/\b(no-store|no-cache)\b/i.test(cacheControl)) return 0;
  const m = /\bmax-age=(\d+)/i.exec(cacheControl);
  return m ? Math.min(Number(m[1]) * 1000, MAX_MAX_AGE_MS) : DEFAULT_MAX_AGE_MS;
}
