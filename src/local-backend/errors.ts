// Errors shared by the runtime and the syscall layer.
import { convexToJson, type JSONValue } from "convex/values";

/** A user-facing error that is not an exception in user code. */
export class SystemError extends Error {}

export function isConvexError(e: any): boolean {
  return typeof e === "object" && e !== null && (Symbol.for("ConvexError") in e || e.ConvexErrorSymbol !== undefined || e.name === "ConvexError");
}

export function errorDataJson(e: any): JSONValue | undefined {
  if (!isConvexError(e)) return undefined;
  if (typeof e.data === "string") {
    try {
      return JSON.parse(e.data);
    } catch {
      return e.data;
    }
  }
  return convexToJson(e.data ?? null);
}
