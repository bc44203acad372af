import type { FunctionReturnType } from "convex/server";
import { randomUUID } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import { api } from "../../../convex/_generated/api.js";
import { BackendUnreachableError, readRetryPolicy, retryTransport } from "../backend-retry.js";
import type { ConvexTransport } from "../convex-transport.js";

// Supplier invitation links by email, from the quote worker's process: Convex
// stays V8-only, so it queues the mail (worker.pendingMail) and this process
// sends it and says what became of it (worker.recordMailResult), after
// claiming it against any other mailer on the deployment (worker.claimMail,
// MAIL_CLAIM_MS), so each mail is sent once however many workers run. Without an
// SMTP server each one is recorded "not_configured", and the brand shares the
// link shown on the quote.

export type PendingMail = FunctionReturnType<typeof api.worker.pendingMail>[number];
type Outcome = { status: "sent" | "failed" | "not_configured"; error?: string };

export interface MailerOptions {
  transport: ConvexTransport & Required<Pick<ConvexTransport, "onUpdate">>;
  serviceKey: string;
  /** The dashboard as the invited people reach it (PARLEY_PUBLIC_URL, else the dashboard's own address). */
  publicUrl: string;
  /** PARLEY_SMTP_URL: smtp://user:pass@host:587 or smtps://…; unset: nothing is sent. */
  smtpUrl?: string;
  /** PARLEY_MAIL_FROM. */
  from?: string;
  log?: (line: string) => void;
}

export interface Mailer {
  /** Stops taking mail, waits for the sends in flight (and their records), unsubscribes. */
  stop(): Promise<void>;
}

export const DEFAULT_MAIL_FROM = "Parley <no-reply@parley.local>";

/** nodemailer waits minutes by default; a stuck server should not hold stop() that long. URL parameters still win. */
const SMTP_TIMEOUTS = { connectionTimeout: "30000", greetingTimeout: "30000", socketTimeout: "60000" };
/** A record lost to an outage longer than the retry policy is tried again after this, without sending again. */
const RECORD_AGAIN_MS = 30_000;
const MAX_ERROR = 300;
/**
 * How long this process holds a mail it is sending against other mailers on
 * the same deployment (worker.claimMail): longer than the SMTP timeouts above
 * together, so a slow send is never taken over, and short enough that a mail
 * claimed by a process that died mid-send goes out a few minutes later.
 */
const MAIL_CLAIM_MS = 5 * 60 * 1000;

export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/#/supplier/invite/${encodeURIComponent(token)}`;
}

const dateInWords = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "full", timeStyle: "short" });

/** Names come from people: no line break in them may start a header (or a line) of its own. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The invitation email: who invites, for which supplier, to what, until when, and the link. */
export function invitationMail(mail: PendingMail, link: string) {
  const brand = oneLine(mail.brandName) || "A brand";
  const supplier = oneLine(mail.supplierName) || "your company";
  const contact = oneLine(mail.contactName);
  const title = mail.quoteTitle ? oneLine(mail.quoteTitle) : "";
  const until = `${dateInWords.format(mail.expiresAt)} UTC`;
  const paragraphs = [
    contact ? `Hello ${contact},` : "Hello,",
    `${brand} invites you to negotiate for ${supplier} on Parley${title ? `, on the quote “${title}”` : ""}.`,
    "Open this link to sign in or create an account, and join the negotiation:",
    link,
    `The link works until ${until}. Whoever holds it can answer for ${supplier}, so please do not forward it.`,
    "If you were not expecting this invitation, you can ignore this email.",
  ];
  const html = paragraphs
    .map((p) => (p === link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : `<p>${escapeHtml(p)}</p>`))
    .join("\n");
  return {
    to: { name: contact, address: mail.to },
    subject: `${brand} invites ${supplier} to negotiate on Parley`,
    text: `${paragraphs.join("\n\n")}\n`,
    html: `<!doctype html>\n<html><body>\n${html}\n</body></html>\n`,
  };
}

/** The SMTP URL with its default timeouts, and the parts of it that must never be logged or recorded. */
function smtpSettings(smtpUrl: string) {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error("PARLEY_SMTP_URL is not a URL: expected smtp://user:password@host:587 or smtps://…");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error(`PARLEY_SMTP_URL must start with smtp:// or smtps:// (it starts with ${url.protocol}//)`);
  }
  for (const [key, value] of Object.entries(SMTP_TIMEOUTS)) if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  const secrets = [url.password, decodeURIComponent(url.password), url.username, decodeURIComponent(url.username)];
  return { url: url.toString(), secrets: secrets.filter((s) => s.length >= 3) };
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function startMailer(options: MailerOptions): Mailer {
  const { transport, serviceKey } = options;
  const protocol = URL.parse(options.publicUrl)?.protocol;
  if (protocol !== "http:" && protocol !== "https:") {
    throw new Error(`The dashboard's public address (PARLEY_PUBLIC_URL) must be an http(s) URL, not "${options.publicUrl}"`);
  }
  const smtp = options.smtpUrl ? smtpSettings(options.smtpUrl) : undefined;
  const sender: Transporter | undefined = smtp && nodemailer.createTransport(smtp.url);
  const from = options.from || DEFAULT_MAIL_FROM;
  /** This process, to the other mailers on the deployment. */
  const claimant = randomUUID();
  const retry = readRetryPolicy(process.env);
  const stopping = new AbortController();
  let stopped = false;

  /** By invitation and nonce: a resend draws a new nonce, so it is a new mail; the same one is never sent twice. */
  type Entry = { mail: PendingMail; outcome?: Outcome; recorded: boolean; task?: Promise<void> };
  const entries = new Map<string, Entry>();
  const keyOf = (mail: PendingMail) => `${mail.invitationId}:${mail.nonce}`;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  // Links are keys to a negotiation: every token this process holds, its link's form and the SMTP credentials are masked.
  const mask = (text: string) => {
    let masked = text.replaceAll(serviceKey, "[service key]");
    for (const { mail } of entries.values()) {
      masked = masked.replaceAll(encodeURIComponent(mail.token), "[link token]").replaceAll(mail.token, "[link token]");
    }
    for (const secret of smtp?.secrets ?? []) masked = masked.replaceAll(secret, "[smtp credentials]");
    return masked;
  };
  const write = (level: string) => (message: string, data?: Record<string, unknown>) =>
    options.log?.(mask(`${level} ${message}${data ? ` ${JSON.stringify(data)}` : ""}`));
  const log = { info: write("info"), warn: write("warn") };

  const deliver = async (mail: PendingMail): Promise<Outcome> => {
    if (!sender) return { status: "not_configured" };
    try {
      await sender.sendMail({ from, ...invitationMail(mail, invitationLink(options.publicUrl, mail.token)) });
      return { status: "sent" };
    } catch (error) {
      return { status: "failed", error: mask(reasonOf(error)).slice(0, MAX_ERROR) };
    }
  };

  const record = async (entry: Entry, outcome: Outcome) => {
    const { invitationId, nonce } = entry.mail;
    try {
      await retryTransport(
        () => transport.mutation(api.worker.recordMailResult, { serviceKey, invitationId, nonce, ...outcome }),
        retry,
        { signal: stopping.signal },
      );
      entry.recorded = true;
      log.info(`invitation mail ${outcome.status}`, { invitationId, ...(outcome.error ? { error: outcome.error } : {}) });
    } catch (error) {
      log.warn("could not record what became of an invitation mail", { invitationId, status: outcome.status, error: reasonOf(error) });
      // Only an outage past the retry policy is worth another try (a refusal would only repeat); the mail is not sent again.
      if (!(error instanceof BackendUnreachableError) || stopped) return;
      later(entry, RECORD_AGAIN_MS);
    }
  };

  /** Runs the entry again after `ms`, if it is still the one waiting. */
  const later = (entry: Entry, ms: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (entries.get(keyOf(entry.mail)) === entry) run(entry);
    }, ms);
    timers.add(timer);
  };

  /** Whether this process may send the mail now; another mailer holding it is waited out, not raced. */
  const claim = async (entry: Entry): Promise<boolean> => {
    const { invitationId, nonce } = entry.mail;
    try {
      const answer = await retryTransport(
        () => transport.mutation(api.worker.claimMail, { serviceKey, invitationId, nonce, claimant, claimMs: MAIL_CLAIM_MS }),
        retry,
        { signal: stopping.signal },
      );
      if (!answer.granted && answer.retryAt !== undefined) later(entry, Math.max(0, answer.retryAt - Date.now()) + 250);
      return answer.granted;
    } catch (error) {
      log.warn("could not claim an invitation mail to send it", { invitationId, error: reasonOf(error) });
      if (error instanceof BackendUnreachableError) later(entry, RECORD_AGAIN_MS);
      return false;
    }
  };

  const run = (entry: Entry) => {
    // In flight, or a result the backend had not caught up with yet.
    if (stopped || entry.task || entry.recorded) return;
    entry.task = (async () => {
      if (!entry.outcome) {
        if (!(await claim(entry))) return;
        entry.outcome = await deliver(entry.mail);
      }
      await record(entry, entry.outcome);
    })().finally(() => (entry.task = undefined));
  };

  const take = (mail: PendingMail) => {
    const key = keyOf(mail);
    const entry = entries.get(key) ?? { mail, recorded: false };
    entries.set(key, entry);
    run(entry);
  };

  const onQueue = (queue: PendingMail[]) => {
    if (stopped) return;
    const listed = new Set(queue.map(keyOf));
    // No longer waiting (recorded, re-drawn, revoked or expired): forgotten, unless still in flight.
    for (const [key, entry] of entries) if (!listed.has(key) && !entry.task) entries.delete(key);
    for (const mail of queue) take(mail);
  };

  let unsubscribe = () => {};
  const subscribe = (attempt: number) => {
    unsubscribe = transport.onUpdate(
      api.worker.pendingMail,
      { serviceKey },
      (queue) => {
        attempt = 0;
        onQueue(queue);
      },
      (error) => {
        log.warn("invitation mail queue subscription error", { error: reasonOf(error) });
        unsubscribe();
        if (stopped) return;
        const timer = setTimeout(() => (timers.delete(timer), subscribe(attempt + 1)), Math.min(30_000, 1_000 * 2 ** attempt));
        timers.add(timer);
      },
    );
  };
  subscribe(0);
  log.info(sender ? "invitation mailer started" : "invitation mailer started without a mail server (PARLEY_SMTP_URL is not set): links are shown on the quote only");

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      unsubscribe();
      // Sends in flight finish and are recorded once; records waiting out an outage give up (the next start sends again).
      stopping.abort(new Error("the mailer is stopping"));
      await Promise.all([...entries.values()].map((entry) => entry.task));
      sender?.close();
      log.info("invitation mailer stopped");
    },
  };
}
