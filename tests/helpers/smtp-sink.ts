import net from "node:net";

// A tiny SMTP server on node:net that keeps what it is sent: enough of
// RFC 5321 for nodemailer (greeting, EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT), no TLS; it can refuse recipients or messages.

export interface SunkMail {
  from: string;
  to: string[];
  /** The message as sent (headers and body), dot-unstuffed. */
  raw: string;
  /** The AUTH PLAIN user, if the client signed in. */
  user?: string;
}

export interface SmtpSink {
  port: number;
  url(credentials?: { user: string; pass: string }): string;
  mails: SunkMail[];
  /** Messages whose DATA has begun (arrived or still arriving). */
  begun(): number;
  /** Resolves once `count` mails have arrived in all. */
  received(count: number): Promise<SunkMail[]>;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Recipients answered with a 550. */
  refuse?: (address: string) => boolean;
  /** A reply other than 250 to a message's end of data (a spam filter quoting what it found, say). */
  replyToData?: (raw: string) => string | undefined;
  dataDelayMs?: number;
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: SunkMail[] = [];
  const waiters: { count: number; resolve: (mails: SunkMail[]) => void }[] = [];
  const sockets = new Set<net.Socket>();
  let begun = 0;
  const arrived = (mail: SunkMail) => {
    mails.push(mail);
    for (const w of [...waiters]) if (mails.length >= w.count) (waiters.splice(waiters.indexOf(w), 1), w.resolve([...mails]));
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.setEncoding("utf8");
    const say = (line: string) => socket.writable && socket.write(`${line}\r\n`);
    let buffer = "";
    let inData = false;
    let data: string[] = [];
    let envelope: { from: string; to: string[] } = { from: "", to: [] };
    let user: string | undefined;
    const command = (line: string) => {
      const verb = line.split(" ")[0]!.toUpperCase();
      const address = () => /<([^>]*)>/.exec(line)?.[1] ?? "";
      switch (verb) {
        case "EHLO":
          return say("250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME");
        case "HELO":
          return say("250 sink.test");
        case "AUTH": {
          const [, mechanism, initial] = line.split(" ");
          if (mechanism?.toUpperCase() !== "PLAIN" || !initial) return say("504 only AUTH PLAIN with an initial response");
          user = Buffer.from(initial, "base64").toString("utf8").split("\u0000")[1];
          return say("235 2.7.0 Authentication successful");
        }
        case "MAIL":
          envelope = { from: address(), to: [] };
          return say("250 2.1.0 OK");
        case "RCPT": {
          const to = address();
          if (opts.refuse?.(to)) return say(`550 5.1.1 <${to}>: mailbox unavailable`);
          envelope.to.push(to);
          return say("250 2.1.5 OK");
        }
        case "DATA":
          if (envelope.to.length === 0) return say("554 5.5.1 no valid recipients");
          inData = true;
          begun++;
          data = [];
          return say("354 End data with <CR><LF>.<CR><LF>");
        case "RSET":
          envelope = { from: "", to: [] };
          return say("250 2.0.0 OK");
        case "NOOP":
          return say("250 2.0.0 OK");
        case "QUIT":
          say("221 2.0.0 Bye");
          return socket.end();
        default:
          return say("502 5.5.2 command not recognised");
      }
    };
    const endData = () => {
      inData = false;
      const mail = { ...envelope, raw: data.join("\r\n"), ...(user ? { user } : {}) };
      const refusal = opts.replyToData?.(mail.raw);
      const accept = () => (refusal ? say(refusal) : (arrived(mail), say("250 2.0.0 queued")));
      if (opts.dataDelayMs) setTimeout(accept, opts.dataDelayMs);
      else accept();
    };
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!inData) command(line);
        else if (line === ".") endData();
        else data.push(line.startsWith("..") ? line.slice(1) : line);
      }
    });
    say("220 sink.test ESMTP ready");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (credentials) =>
      `smtp://${credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@` : ""}127.0.0.1:${port}`,
    mails,
    begun: () => begun,
    received: (count) =>
      mails.length >= count ? Promise.resolve([...mails]) : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A message's part of this type (text/plain, text/html), decoded (quoted-printable, base64 or as is). */
export function mimePart(raw: string, type: "text/plain" | "text/html"): string {
  const pattern = String.raw`content-type: ${type}[^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n((?:[^\r\n]+\r\n)*)\r\n([\s\S]*?)(?:\r\n--[^\r\n]+|$)`;
  const part = new RegExp(pattern, "i").exec(raw);
  if (!part) throw new Error(`the message has no ${type} part`);
  const encoding = /content-transfer-encoding:\s*([^\s;]+)/i.exec(part[1]!)?.[1]?.toLowerCase();
  const body = part[2]!;
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const text = body.replace(/=\r\n/g, "");
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const hex = text.slice(i + 1, i + 3);
      if (text[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else bytes.push(text.charCodeAt(i));
    }
    return Buffer.from(bytes).toString("utf8");
  }
  return body;
}

/** A header's raw value (continuation lines unfolded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split("\r\n\r\n")[0]!.replace(/\r\n[ \t]+/g, " ");
  return head.split("\r\n").find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
}
