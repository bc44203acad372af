import http from "node:http";
import type { AddressInfo } from "node:net";

// A loopback proxy in front of the OpenAI stand-in: it counts the model calls
// in flight (request received to response ended), holds each call `delayMs`
// so that calls overlap, and answers the calls it is told to with 429.

export interface ModelProxy {
  baseURL: string;
  /** Most calls in flight at once so far. */
  readonly maxInFlight: number;
  /** Every call: when it arrived and the status it got. */
  calls: { at: number; status: number }[];
  /** Answers the next calls with 429 and these headers, one entry per call. */
  rateLimitNext(...headers: Record<string, string>[]): void;
  /** Answers every call with 429 until turned off. */
  rateLimitAll: boolean;
  close(): Promise<void>;
}

export async function startModelProxy(target: string, opts: { delayMs?: number } = {}): Promise<ModelProxy> {
  const upstream = new URL(target);
  let inFlight = 0;
  let maxInFlight = 0;
  const calls: ModelProxy["calls"] = [];
  const limited: Record<string, string>[] = [];
  const state = { rateLimitAll: false };
  const server = http.createServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const call = { at: Date.now(), status: 200 };
    calls.push(call);
    let body = "";
    for await (const chunk of req) body += chunk;
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
    const headers = state.rateLimitAll ? {} : limited.shift();
    if (headers) {
      call.status = 429;
      res.writeHead(429, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify({ error: { message: "Rate limit reached (stand-in)", type: "rate_limit_exceeded" } }));
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get maxInFlight() {
      return maxInFlight;
    },
    calls,
    rateLimitNext: (...headers) => void limited.push(...headers),
    get rateLimitAll() {
      return state.rateLimitAll;
    },
    set rateLimitAll(v: boolean) {
      state.rateLimitAll = v;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
