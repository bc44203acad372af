import { ConvexClient, ConvexHttpClient } from "convex/browser";
import type { FunctionReference, FunctionReturnType } from "convex/server";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";

// A brand user on a running deployment (the embedded backend or any Convex),
// signed up for real through Convex Auth's Password provider, with the
// workspace they created. For tests and benchmarks that act as a person would.

type Unscoped<F extends FunctionReference<"query" | "mutation">> = Omit<F["_args"], "workspaceId">;

export interface BrandSession {
  token: string;
  workspaceId: Id<"workspaces">;
  query<F extends FunctionReference<"query">>(fn: F, args: Unscoped<F>): Promise<FunctionReturnType<F>>;
  mutation<F extends FunctionReference<"mutation">>(fn: F, args: Unscoped<F>): Promise<FunctionReturnType<F>>;
  /** Live queries as this user (`workspaceId` added). */
  onUpdate<F extends FunctionReference<"query">>(fn: F, args: Unscoped<F>, onValue: (value: FunctionReturnType<F>) => void): () => void;
  close(): Promise<void>;
}

export async function signUpBrand(
  url: string,
  opts: { email: string; password?: string; workspace?: string },
): Promise<BrandSession> {
  const http = new ConvexHttpClient(url, { logger: false });
  const { tokens } = await http.action(api.auth.signIn, {
    provider: "password",
    params: { email: opts.email, password: opts.password ?? "correct horse battery staple", flow: "signUp" },
  });
  if (!tokens?.token) throw new Error(`signing up ${opts.email} returned no token`);
  const token = tokens.token;
  http.setAuth(token);
  const workspaceId = await http.mutation(api.workspaces.create, { name: opts.workspace ?? "Acme Goods" });
  let live: ConvexClient | undefined;
  const scoped = (args: object) => ({ ...args, workspaceId }) as never;
  return {
    token,
    workspaceId,
    query: (fn, args) => http.query(fn, scoped(args)),
    mutation: (fn, args) => http.mutation(fn, scoped(args)),
    onUpdate(fn, args, onValue) {
      if (!live) {
        live = new ConvexClient(url, { logger: false });
        live.setAuth(async () => token);
      }
      return live.onUpdate(fn, scoped(args), onValue);
    },
    close: async () => {
      await live?.close();
    },
  };
}
