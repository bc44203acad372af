import { ConvexError } from "convex/values";

// Every refusal is a ConvexError carrying one of these codes, so clients can
// branch on `error.data.code` and highlight `error.data.field`.

export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  | "CONFLICT"
  | "EXPIRED"
  | "CLOSED"
  | "RATE_LIMITED";

export type ErrorData = { code: ErrorCode; message: string; field?: string };

export function fail(code: ErrorCode, message: string, field?: string): never {
  const data: ErrorData = field === undefined ? { code, message } : { code, message, field };
  throw new ConvexError(data);
}

export function invalid(field: string, message: string): never {
  fail("INVALID_ARGUMENT", message, field);
}
