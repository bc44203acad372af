import fs from "node:fs";

// The local addresses on which something listens on `port`, read from the
// kernel's socket tables (what `ss -ltn` shows), so a test can tell loopback
// from every interface.

const LISTEN = "0A";

function decode(hex: string): string {
  if (hex.length === 8) return hex.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".");
  // IPv6: four little-endian 32-bit words.
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(""));
  const groups = words.join("").match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.trim().split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [addr, portHex] = local!.split(":");
      if (state === LISTEN && parseInt(portHex!, 16) === port) found.push(decode(addr!));
    }
  }
  return found;
}

export const LOOPBACK = ["127.0.0.1", "::1"];
