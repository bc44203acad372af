import { ConvexError } from "convex/values";

/** What a failed Convex call means for the brand user: words, and the field at fault. */
export interface ServerProblem {
  code?: string;
  message: string;
  field?: string;
}

interface ErrorData {
  code?: unknown;
  message?: unknown;
  field?: unknown;
}

export function describeError(error: unknown): ServerProblem {
  if (error instanceof ConvexError) {
    const data = error.data as ErrorData | string | null;
    if (typeof data === "string") return { message: data };
    if (data === null || typeof data !== "object") return { message: error.message || "The server refused the request." };
    return {
      code: typeof data.code === "string" ? data.code : undefined,
      message: typeof data.message === "string" ? data.message : "The server refused the request.",
      field: typeof data.field === "string" ? normaliseField(data.field) : undefined,
    };
  }
  if (error instanceof Error) {
    // Uncaught server errors arrive as "[CONVEX M(quotes:request)] [Request ID: …] Server Error …".
    const text = error.message.replace(/\[CONVEX [^\]]*\]\s*/g, "").replace(/\[Request ID: [^\]]*\]\s*/g, "");
    if (/failed to fetch|network|websocket/i.test(text)) {
      return { message: "Parley cannot reach its backend. Check that `npm start` is still running." };
    }
    return { message: text.trim() || "Something went wrong." };
  }
  return { message: String(error) };
}

/** "lineItems[0].maxUnitPrice" and "lineItems.0.maxUnitPrice" name the same field. */
export function normaliseField(field: string): string {
  return field.replace(/\[(\d+)\]/g, ".$1");
}
