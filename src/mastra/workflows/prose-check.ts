import type { Terms } from "../../negotiation/types.js";
import { meanUnitPrice, totalPrice } from "../../negotiation/index.js";
import type { Currency } from "../../../convex/model/currency.js";

// Numbers by code, words by models: every number a model writes in a message
// is read back and checked against what the engine decided. What may appear:
// - money (a currency mark, or a bare amount): a unit price, a line's total,
//   the total or the mean unit price of the move's terms or of an offer made
//   earlier in the negotiation, a list price, or the step between any two of
//   the move and each side's last offers; within half the currency's minor unit
//   ("$4.10" for 4.1049). An abbreviated amount ("$40.17k") is rounded where
//   it was written. A mark of another currency than the quote's is a mismatch.
// - days: "net N" and "N-day terms" are payment terms; "N days" after a word of
//   delivery is a lead time, after a word of payment payment terms, otherwise
//   either; weeks count 7 days, months 30. Differences between offers too.
// - quantities (bare numbers: "2,000 ×"), a line's or all lines' units.
// - percentages: the change of a price or total between those offers, or of
//   the move's price from the list price, at the precision written.
// - the protocol: "round N", "N rounds", ordinals, within 0..maxRounds+1; the
//   response window in hours or days ("within 48 hours", "2 days to answer").
// - digits inside names (products, SKUs, the supplier, its tagline, the
//   brand's notes) as bare numbers only, never as money or days.
// Not terms, never checked: dates, times of day, years, and a number glued to
// letters other than a unit ("100mm", "3D", "M8").
// A separator may be a thousands or a decimal one ("1,234" or "€8,40"): a
// number passes when any reading of it does.

export interface ProseFacts {
  currency: Currency;
  /** The move's terms; absent when the move ends without agreement. */
  terms?: Terms;
  /** Every offer of the negotiation so far: a message may recall them. */
  earlier: Terms[];
  /** Each side's last offers (the brief's `previous`): the steps between them and the move may be stated. */
  compareWith: Terms[];
  listPrices: Record<string, number>;
  maxRounds: number;
  responseHours?: number;
  /** Names the brief gives, whose digits are not terms. */
  names: string[];
  /** Free text of the brand (the quote's notes): its numbers are facts, not terms. */
  notes?: string;
}

export type Role = "money" | "percent" | "lead" | "payment" | "days" | "hours" | "round" | "bare";

export interface Mismatch {
  /** As the prose wrote it: "$12.50", "90 days", "net 10". */
  said: string;
  role: Role;
  /** A currency other than the quote's. */
  foreignCurrency?: boolean;
}

interface Allowed {
  money: number[];
  lead: Set<number>;
  payment: Set<number>;
  quantities: Set<number>;
  percents: number[];
  nameNumbers: Set<number>;
  tolerance: number;
  facts: ProseFacts;
}

const minorUnit = new Map<string, number>();
function minorDigits(currency: Currency): number {
  let digits = minorUnit.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().minimumFractionDigits ?? 2;
    minorUnit.set(currency, digits);
  }
  return digits;
}

function moneyOf(terms: Terms): number[] {
  return [...terms.lines.flatMap((l) => [l.unitPrice, l.unitPrice * l.quantity]), totalPrice(terms), meanUnitPrice(terms)];
}

const change = (a: number, b: number) => (b > 0 ? (Math.abs(a - b) / b) * 100 : undefined);
const isNumber = (x: number | undefined): x is number => x !== undefined;

function allowedBy(facts: ProseFacts): Allowed {
  const all = [...(facts.terms ? [facts.terms] : []), ...facts.earlier, ...facts.compareWith];
  const money = [...all.flatMap(moneyOf), ...Object.values(facts.listPrices)];
  const lead = new Set(all.map((t) => t.leadTimeDays));
  const payment = new Set(all.map((t) => t.paymentTermsDays));
  const quantities = new Set(all.flatMap((t) => [...t.lines.map((l) => l.quantity), t.lines.reduce((n, l) => n + l.quantity, 0)]));
  const percents: number[] = [];
  // The steps between any two of the move and each side's last offers: "down $0.50 from your last", "we moved 5 days".
  const stepped = [...(facts.terms ? [facts.terms] : []), ...facts.compareWith];
  for (const [i, a] of stepped.entries()) {
    for (const b of stepped.slice(i + 1)) {
      money.push(Math.abs(totalPrice(a) - totalPrice(b)), Math.abs(meanUnitPrice(a) - meanUnitPrice(b)));
      percents.push(...[change(totalPrice(a), totalPrice(b)), change(meanUnitPrice(a), meanUnitPrice(b)), change(totalPrice(b), totalPrice(a))].filter(isNumber));
      for (const line of a.lines) {
        const was = b.lines.find((l) => l.sku === line.sku);
        if (!was) continue;
        money.push(Math.abs(line.unitPrice - was.unitPrice));
        percents.push(...[change(line.unitPrice, was.unitPrice), change(was.unitPrice, line.unitPrice)].filter(isNumber));
      }
      lead.add(Math.abs(a.leadTimeDays - b.leadTimeDays));
      payment.add(Math.abs(a.paymentTermsDays - b.paymentTermsDays));
    }
  }
  for (const line of facts.terms?.lines ?? []) {
    const list = facts.listPrices[line.sku];
    if (list !== undefined) percents.push(...[change(line.unitPrice, list)].filter(isNumber));
  }
  const nameNumbers = new Set<number>();
  for (const text of [...facts.names, facts.notes ?? ""]) {
    for (const m of text.matchAll(/\d(?:[\d,.]*\d)?/g)) for (const r of readings(m[0])) nameNumbers.add(r.value);
  }
  return { money, lead, payment, quantities, percents, nameNumbers, tolerance: 0.5 * 10 ** -minorDigits(facts.currency) + 1e-9, facts };
}

interface Reading {
  value: number;
  decimals: number;
}

/** Every way to read "1,234.50", "1.234,50", "8,40" or "1,234": grouping by thousands or a decimal mark. */
export function readings(raw: string): Reading[] {
  if (!/[.,]/.test(raw)) return [{ value: Number(raw), decimals: 0 }];
  const out: Reading[] = [];
  const last = Math.max(raw.lastIndexOf(","), raw.lastIndexOf("."));
  const mark = raw[last]!;
  const whole = raw.slice(0, last);
  const fraction = raw.slice(last + 1);
  const group = mark === "," ? "." : ",";
  if (/^\d+$/.test(whole) || new RegExp(`^\\d{1,3}(?:\\${group}\\d{3})+$`).test(whole)) {
    out.push({ value: Number(`${whole.replace(/[.,]/g, "")}.${fraction}`), decimals: fraction.length });
  }
  if (/^\d{1,3}(?:,\d{3})+$/.test(raw) || /^\d{1,3}(?:\.\d{3})+$/.test(raw)) out.push({ value: Number(raw.replace(/[.,]/g, "")), decimals: 0 });
  return out;
}

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\\.?";
/** Dates and times of day: not terms. Replaced before numbers are read. */
const NOT_TERMS = new RegExp(
  [
    `\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?\\b`,
    `\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+\\d{4})?`,
    `\\b${MONTH}\\s+\\d{4}\\b`,
    "\\b\\d{4}-\\d{2}-\\d{2}(?:T[\\d:.]+Z?)?\\b",
    "\\b\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?\\b",
    "\\b\\d{1,2}:\\d{2}(?:\\s?[ap]\\.?m\\.?)?",
    "\\b\\d{1,2}\\s?[ap]\\.m\\.",
    "\\b\\d{1,2}\\s?[ap]m\\b",
    "\\b(?:since|in|year)\\s+(?:19|20)\\d{2}\\b(?![\\d,.]*\\s*(?:units?|pcs|pieces|×|x\\b))",
  ].join("|"),
  "g",
);

const WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const WORD = `(?:${Object.keys(WORDS).join("|")})`;
const wordValue = (text: string) => text.toLowerCase().split(/[\s-]+/).reduce((n, w) => n + (WORDS[w] ?? 0), 0);

const CURRENCY_SYMBOLS = "$€£¥₹₩₽₺₪₫₱฿";
const PREFIX_MARK = new RegExp(`(?:(?:\\b([A-Z]{1,3}))?\\$|([${CURRENCY_SYMBOLS.slice(1)}])|\\b([A-Z]{3}))\\s?$`);
const SUFFIX_MARK = new RegExp(`^\\s?(?:([${CURRENCY_SYMBOLS}])|([A-Z]{3})\\b)`);
const SCALES: [RegExp, number][] = [
  [/^\s?(?:k|K|thousand)\b/, 1e3],
  [/^\s?(?:m|M|mn|million)\b/, 1e6],
  [/^\s?(?:bn|billion)\b/, 1e9],
];
const DELIVERY = /deliver|lead|ship|dispatch|arriv|produc|turnaround|ready/gi;
const PAYMENT = /payment|\bpay|paid|invoice|credit/gi;

const supportedCurrencies = new Set(Intl.supportedValuesOf("currency"));

const marksCache = new Map<Currency, Set<string | undefined>>();
/** "$" and "US$"-style marks Intl writes for `currency`: its symbol and its narrow symbol. */
function marksOf(currency: Currency): Set<string | undefined> {
  let marks = marksCache.get(currency);
  if (!marks) {
    const part = (display: "symbol" | "narrowSymbol") =>
      new Intl.NumberFormat("en-US", { style: "currency", currency, currencyDisplay: display }).formatToParts(0).find((p) => p.type === "currency")?.value;
    marks = new Set([part("symbol"), part("narrowSymbol")]);
    marksCache.set(currency, marks);
  }
  return marks;
}

/** Whether a written mark ("$", "US$", "€", "EUR") is one of `currency`'s. */
function markOf(currency: Currency, dollarPrefix: string | undefined, symbol: string | undefined, code: string | undefined): "ours" | "foreign" | undefined {
  if (code !== undefined) return supportedCurrencies.has(code) ? (code === currency ? "ours" : "foreign") : undefined;
  const marks = marksOf(currency);
  if (symbol !== undefined) return marks.has(symbol) ? "ours" : "foreign";
  if (dollarPrefix) return currency.startsWith(dollarPrefix) || marks.has(`${dollarPrefix}$`) ? "ours" : "foreign";
  return marks.has("$") ? "ours" : "foreign";
}

interface Token {
  start: number;
  end: number;
  values: Reading[];
  role: Role;
  scale: number;
  /** Days per unit written (weeks: 7). */
  perUnit: number;
  foreign?: boolean;
}

/**
 * Whether "N days" at `at`..`end` is a lead time or payment terms: the nearest
 * word of delivery or payment before it in its sentence, else after it in its
 * clause; neither: either.
 */
function daysRole(text: string, at: number, end: number): Role {
  const sentenceStart = Math.max(0, ...[...text.slice(0, at).matchAll(/[.!?;](?:\s|$)/g)].map((m) => m.index + 1));
  const before = text.slice(sentenceStart, at);
  const nearest = (re: RegExp) => Math.max(-1, ...[...before.matchAll(re)].map((m) => m.index));
  const [delivery, payment] = [nearest(DELIVERY), nearest(PAYMENT)];
  if (delivery !== payment) return delivery > payment ? "lead" : "payment";
  const after = text.slice(end, end + 40).split(/[,;]|[.!?](?:\s|$)/)[0]!;
  const first = (re: RegExp) => after.search(re);
  const [deliveryAfter, paymentAfter] = [first(DELIVERY), first(PAYMENT)];
  if (deliveryAfter === paymentAfter) return "days";
  if (deliveryAfter < 0) return "payment";
  if (paymentAfter < 0) return "lead";
  return deliveryAfter < paymentAfter ? "lead" : "payment";
}

function tokensOf(text: string, currency: Currency): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/\d(?:[\d,.]*\d)?/g)) {
    const start = m.index;
    let end = start + m[0].length;
    const prev = text.slice(Math.max(0, start - 1), start);
    // A number within an identifier ("SKU-12", "#3", "v1.2") is a name, unless it is a currency code glued on ("USD12").
    if (/[#_]/.test(prev) || /\p{L}-$/u.test(text.slice(Math.max(0, start - 2), start))) continue;
    const glued = /\p{L}+$/u.exec(text.slice(Math.max(0, start - 4), start))?.[0];
    if (glued && !(glued.length === 3 && supportedCurrencies.has(glued))) continue;
    const values = readings(m[0]);
    if (values.length === 0) continue;
    const before = text.slice(0, start);
    let after = text.slice(end);
    const token: Token = { start, end, values, role: "bare", scale: 1, perUnit: 1 };
    const mark = PREFIX_MARK.exec(before);
    let marked: "ours" | "foreign" | undefined;
    if (mark) {
      marked = markOf(currency, mark[1], mark[2], mark[3]);
      if (marked) token.start = mark.index;
    }
    for (const [re, scale] of SCALES) {
      const s = re.exec(after);
      if (s && (marked || scale === 1e3)) {
        token.scale = scale;
        end += s[0].length;
        after = text.slice(end);
        break;
      }
    }
    const suffix = SUFFIX_MARK.exec(after);
    if (!marked && suffix) {
      marked = markOf(currency, undefined, suffix[1], suffix[2]);
      if (marked) end += suffix[0].length;
      after = text.slice(end);
    }
    // Glued to letters that are no unit: a measure or a model name ("100mm", "3D").
    if (/^\p{L}/u.test(after) && !/^(?:k|K|x|st|nd|rd|th|d|days?|wks?|weeks?|months?|hrs?|hours?|h)\b/.test(after)) {
      if (!marked && token.scale === 1) continue;
    }
    if (marked) {
      token.role = "money";
      token.foreign = marked === "foreign";
    } else if (/^\s?(?:%|percent\b|per cent\b)/.test(after)) {
      token.role = "percent";
      end += /^\s?(?:%|percent|per cent)/.exec(after)![0].length;
    } else if (/^(?:\s|-)?(?:(?:calendar|business|working)\s)?days?\b|^d\b/.test(after)) {
      const unit = /^(?:\s|-)?(?:(?:calendar|business|working)\s)?(?:days?|d)\b/.exec(after)![0];
      end += unit.length;
      const rest = text.slice(end);
      token.role = /^\s?(?:net|payment|terms|credit)\b/.test(rest) || /\bnet[\s-]?$/i.test(before) ? "payment" : daysRole(text, start, end);
    } else if (/^(?:\s|-)?(?:weeks?|wks?)\b/.test(after)) {
      end += /^(?:\s|-)?(?:weeks?|wks?)/.exec(after)![0].length;
      token.role = daysRole(text, start, end);
      token.perUnit = 7;
    } else if (/^(?:\s|-)?months?\b/.test(after)) {
      end += /^(?:\s|-)?months?/.exec(after)![0].length;
      token.role = daysRole(text, start, end);
      token.perUnit = 30;
    } else if (/^(?:\s|-)?(?:hours?|hrs?|h)\b/.test(after)) {
      token.role = "hours";
      end += /^(?:\s|-)?(?:hours?|hrs?|h)/.exec(after)![0].length;
    } else if (/^\s?(?:years?|yrs?)\b/.test(after)) {
      continue;
    } else if (/\bnet[\s-]?$/i.test(before)) {
      token.role = "payment";
      token.start = /\bnet[\s-]?$/i.exec(before)!.index;
    } else if (/^(?:st|nd|rd|th)\b/.test(after) || /\brounds?\s$/i.test(before) || /^\s(?:more\s)?rounds?\b/i.test(after) || /\bround\s\d+\s(?:of|\/)\s(?:at most\s)?$/i.test(before)) {
      token.role = "round";
    }
    token.end = end;
    tokens.push(token);
  }
  for (const m of text.matchAll(new RegExp(`\\bnet[\\s-]+(${WORD}(?:[\\s-]${WORD})?)\\b|\\b(${WORD}(?:-${WORD})?)[\\s-]+(?:(?:calendar|business|working)\\s)?(days?|weeks?|months?)\\b`, "gi"))) {
    const unit = (m[3] ?? "").toLowerCase();
    tokens.push({
      start: m.index,
      end: m.index + m[0].length,
      values: [{ value: wordValue(m[1] ?? m[2]!), decimals: 0 }],
      role: m[1] ? "payment" : /^net\b|^\s?terms\b/i.test(text.slice(m.index + m[0].length).trimStart()) ? "payment" : daysRole(text, m.index, m.index + m[0].length),
      scale: 1,
      perUnit: unit.startsWith("week") ? 7 : unit.startsWith("month") ? 30 : 1,
    });
  }
  return tokens.sort((a, b) => a.start - b.start);
}

const near = (x: number, values: Iterable<number>, tolerance: number) => {
  for (const v of values) if (Math.abs(x - v) <= tolerance) return true;
  return false;
};

function fits(token: Token, allowed: Allowed): boolean {
  const { tolerance, facts } = allowed;
  const days = (role: Role) => (role === "lead" ? allowed.lead : role === "payment" ? allowed.payment : new Set([...allowed.lead, ...allowed.payment]));
  return token.values.some(({ value, decimals }) => {
    switch (token.role) {
      case "money": {
        const x = value * token.scale;
        const slack = token.scale === 1 ? tolerance : 0.5 * token.scale * 10 ** -decimals + 1e-9;
        return !token.foreign && near(x, allowed.money, slack);
      }
      case "percent":
        return near(value, allowed.percents, 0.5 * 10 ** -decimals + 1e-9);
      case "lead":
      case "payment":
      case "days":
        return days(token.role).has(value * token.perUnit) || (token.role === "days" && value * token.perUnit * 24 === facts.responseHours);
      case "hours":
        return value === facts.responseHours || days("days").has(value / 24);
      case "round":
        return Number.isInteger(value) && value >= 0 && value <= facts.maxRounds + 1;
      case "bare":
        return (
          near(value * token.scale, allowed.money, token.scale === 1 ? tolerance : 0.5 * token.scale * 10 ** -decimals) ||
          allowed.quantities.has(value * token.scale) ||
          days("days").has(value) ||
          allowed.nameNumbers.has(value)
        );
    }
  });
}

function withoutNames(text: string, names: string[]): string {
  let out = text;
  for (const name of [...names].filter((n) => /\d/.test(n)).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), (s) => " ".repeat(s.length));
  }
  return out.replace(NOT_TERMS, (s) => " ".repeat(s.length));
}

/** The numbers of `text` that match nothing the engine decided, in order; none: the prose is true to the move. */
export function checkProse(text: string, facts: ProseFacts): Mismatch[] {
  const allowed = allowedBy(facts);
  // Blanked, not removed, so every position still points into the original text.
  const plain = withoutNames(text, [...facts.names, ...(facts.notes ? [facts.notes] : [])]);
  return tokensOf(plain, facts.currency)
    .filter((t) => !fits(t, allowed))
    .map((t) => ({ said: text.slice(t.start, t.end).trim(), role: t.role, ...(t.foreign ? { foreignCurrency: true } : {}) }));
}
