import { createServer } from "node:net";

/** A port the user asked for is taken: say which, by whom it is wanted, and how to pick another. */
export class BusyPortError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly hint: string,
  ) {
    super(`Port ${port} is already in use, so the ${what} cannot start there. ${hint}`);
    this.name = "BusyPortError";
  }
}

/** Resolves when `port` can be listened on at `host`; 0 always can. */
export async function isPortFree(port: number, host: string): Promise<boolean> {
  if (port === 0) return true;
  return await new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, host: string, what: string, hint: string): Promise<void> {
  if (!(await isPortFree(port, host))) throw new BusyPortError(port, what, hint);
}

export function isAddressInUse(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "EADDRINUSE";
}
