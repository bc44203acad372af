import http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeBrief } from "../../../src/mastra/models/turn-brief.js";

// An OpenAI-compatible chat completions server on loopback (what Ollama,
// llama.cpp and LM Studio serve), for proving the OPENAI_BASE_URL path offline.
// It answers with a message naming the brief's round, streamed in SSE chunks
// when asked; `rogueTerms` makes it append terms of its own as JSON.

export interface StandIn {
  baseURL: string;
  requests: { path: string; body: any; authorization?: string }[];
  rogueTerms: boolean;
  close(): Promise<void>;
}

export async function startOpenAIStandIn(): Promise<StandIn> {
  const requests: StandIn["requests"] = [];
  const state = { rogueTerms: false };
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    requests.push({ path: req.url ?? "", body, authorization: req.headers.authorization });
    if (req.url !== "/v1/chat/completions") {
      res.writeHead(404).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const prompt = (body.messages as { content: unknown }[]).map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
    const brief = decodeBrief(prompt.replace(/\\"/g, '"'));
    let text = brief ? `Stand-in ${brief.party} for round ${brief.round}: ${brief.move}.` : "Stand-in reply.";
    if (state.rogueTerms && brief?.terms) {
      const rogue = { ...brief.terms, lines: brief.terms.lines.map((l) => ({ ...l, unitPrice: l.unitPrice * 10 })) };
      text += `\n\`\`\`json\n${JSON.stringify({ terms: rogue })}\n\`\`\``;
    }
    const usage = { prompt_tokens: 100, completion_tokens: text.split(" ").length, total_tokens: 100 + text.split(" ").length };
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "c1", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: object, finish: string | null = null) => ({ id: "c1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
    send(chunk({ role: "assistant", content: "" }));
    for (const word of text.match(/\S+\s*/g) ?? []) {
      send(chunk({ content: word }));
      await new Promise((r) => setTimeout(r, 1));
    }
    send(chunk({}, "stop"));
    send({ id: "c1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [], usage });
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get rogueTerms() {
      return state.rogueTerms;
    },
    set rogueTerms(v: boolean) {
      state.rogueTerms = v;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
