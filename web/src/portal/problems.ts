import { describeError } from "../lib/errors";

export type ProblemContext = "invitation" | "negotiation" | "action";

/** A refusal as a supplier should read it. The server's words are kept where they already explain. */
export function portalProblem(error: unknown, context: ProblemContext): string {
  const { code, message } = describeError(error);
  switch (code) {
    case "FORBIDDEN":
      return context === "negotiation" ? "This negotiation is not one you were invited to." : withStop(message);
    // A negotiation the caller may not see is FORBIDDEN whether or not it exists, so only a link can be "not found".
    case "NOT_FOUND":
      return context === "invitation"
        ? "This invitation link is not valid: check that you copied all of it, or ask the brand for a new one."
        : withStop(message);
    case "EXPIRED":
      return context === "action" ? `${withStop(message)} The response deadline has passed, so nothing more can be offered here.` : withStop(message);
    case "CLOSED":
      return context === "action" ? `${withStop(message)} This negotiation has ended, so it takes no more offers or messages.` : withStop(message);
    case "UNAUTHENTICATED":
      return "You are signed out. Sign in again to continue.";
  }
  return withStop(message);
}

function withStop(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}
