import http from "node:http";
import type { AddressInfo } from "node:net";

// A loopback OpenAI-compatible chat completions server (what Ollama, llama.cpp
// and LM Studio serve) whose answers a test writes: `answer` gets each request's
// system and user text and returns the assistant's reply, here a JSON move.

export interface MoveServer {
  baseURL: string;
  requests: { path: string; model: string; system: string; prompt: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startMoveServer(answer: (request: { system: string; prompt: string; index: number }) => string): Promise<MoveServer> {
  const requests: MoveServer["requests"] = [];
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    const text = (role: string) =>
      ((body.messages ?? []) as { role: string; content: unknown }[])
        .filter((m) => m.role === role)
        .map((m) => (typeof m.content === "string" ? m.content : (m.content as { text?: string }[]).map((p) => p.text ?? "").join("")))
        .join("\n");
    const request = { path: req.url ?? "", model: body.model, system: text("system"), prompt: text("user"), authorization: req.headers.authorization };
    requests.push(request);
    if (req.url !== "/v1/chat/completions" || body.stream) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `not served: ${req.url}${body.stream ? " (streaming)" : ""}` } }));
      return;
    }
    const content = answer({ system: request.system, prompt: request.prompt, index: requests.length - 1 });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `c${requests.length}`,
        object: "chat.completion",
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}/v1`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
