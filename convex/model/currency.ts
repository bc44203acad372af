import { CURRENCY_MESSAGE, type Currency, isCurrency } from "../../src/negotiation/currency";
import { invalid } from "./errors";

// The server's side of a currency: the check of a code given in a request. The
// rule itself (codes, formatting) is the engine's (src/negotiation/currency.ts),
// re-exported here so that convex/ and web/ read one definition.

export * from "../../src/negotiation/currency";

/** The code, upper-cased and trimmed, or a refusal in plain words at `field`. */
export function checkCurrency(code: string, field = "currency"): Currency {
  const normalised = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(normalised) || !isCurrency(normalised)) invalid(field, CURRENCY_MESSAGE);
  return normalised;
}
