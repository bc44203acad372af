// Pre-framed WebSocket text messages. A transition shared by many clients is
// framed once and the same bytes are written to every socket, instead of the
// `ws` library framing (and corking, and writev-ing two buffers) per client.
import { createRequire } from "node:module";
import type { WebSocket } from "ws";

const { Sender } = createRequire(import.meta.url)("ws") as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

export type Frame = { text: Buffer; frame: Buffer };

export function textFrame(text: Buffer): Frame {
  const parts = Sender.frame(text, { fin: true, rsv1: false, opcode: 0x01, mask: false, readOnly: true });
  return { text, frame: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}

export function sendFrame(ws: WebSocket, f: Frame) {
  const socket = (ws as unknown as { _socket?: { write(b: Buffer): boolean } })._socket;
  // Raw bytes are only valid without extensions (permessage-deflate), which this server never enables.
  if (socket && ws.extensions === "") socket.write(f.frame);
  else ws.send(f.text, { binary: false });
}
