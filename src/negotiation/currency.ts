// A workspace's currency: an ISO 4217 code, the one rule for the engine, the
// server and web (convex/model/currency.ts adds the server's check and
// re-exports the rest). A quote records the workspace's currency when it is
// requested, so changing the workspace's currency later never changes what a
// past quote, offer, award or purchase order meant. Money is always formatted
// with Intl, here.

export type Currency = string;

/** A workspace created without a choice, and a quote stored before currencies, are in US dollars. */
export const DEFAULT_CURRENCY: Currency = "USD";

/** The choices the pickers offer first; any other ISO 4217 code Intl knows is accepted too. */
export const COMMON_CURRENCIES: readonly Currency[] = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "SEK"];

const SUPPORTED: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

/** Every code the picker may offer: the common ones first, then the rest alphabetically. */
export const ALL_CURRENCIES: readonly Currency[] = [
  ...COMMON_CURRENCIES,
  ...[...SUPPORTED].filter((code) => !COMMON_CURRENCIES.includes(code)).sort(),
];

export function isCurrency(code: string): boolean {
  return SUPPORTED.has(code);
}

export const CURRENCY_MESSAGE = "Currency must be an ISO 4217 code such as USD or EUR";

/** The currency a workspace or quote states; absent (rows from before currencies) reads as the default. */
export function currencyOf(row: { currency?: string } | null | undefined): Currency {
  return row?.currency ?? DEFAULT_CURRENCY;
}

/** "Euro", "US Dollar": for labels and pickers. */
export function currencyName(code: Currency): string {
  return new Intl.DisplayNames("en", { type: "currency" }).of(code) ?? code;
}

/** "€", "$", "CHF": for short field labels. */
export function currencySymbol(code: Currency): string {
  return formatter(code, "money").formatToParts(0).find((part) => part.type === "currency")?.value ?? code;
}

// One Intl.NumberFormat per currency and style: building one is slow.
type Style = "money" | "unit";
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: Currency, style: Style): Intl.NumberFormat {
  const key = `${currency}:${style}`;
  let format = formatters.get(key);
  if (!format) {
    const base = new Intl.NumberFormat("en-US", { style: "currency", currency });
    // A unit price keeps two more digits than the currency's minor unit (none for JPY): it is multiplied by large quantities.
    const minor = base.resolvedOptions().minimumFractionDigits ?? 2;
    format =
      style === "money"
        ? base
        : new Intl.NumberFormat("en-US", { style: "currency", currency, minimumFractionDigits: minor, maximumFractionDigits: minor + 2 });
    formatters.set(key, format);
  }
  return format;
}

/** "€12,450.00", "¥12,450": an amount in `currency`, with thousands separators and the currency's minor unit. */
export function formatMoney(value: number, currency: Currency): string {
  return formatter(currency, "money").format(value);
}

/** A unit price, with up to two digits more than the minor unit ("$4.1234"). */
export function formatUnitPrice(value: number, currency: Currency): string {
  return formatter(currency, "unit").format(value);
}
