import { fail } from "./errors";

// Service functions (the workflow) prove themselves with a shared secret. The
// comparison runs over every character whatever the input, so its timing does not
// reveal how much of a guess was right. No Node crypto: convex/ runs in Convex's
// default (V8) runtime.

export function constantTimeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  }
  return diff === 0;
}

export function requireServiceKey(serviceKey: string, signedIn = false): void {
  const expected = process.env.PARLEY_SERVICE_KEY;
  if (!expected || !constantTimeEqual(serviceKey, expected)) {
    fail(signedIn ? "FORBIDDEN" : "UNAUTHENTICATED", "A valid service key is required for this function: only Parley's quote worker calls it");
  }
}
