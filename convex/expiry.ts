import { internalMutation } from "./model/triggers";
import { expireDue as expire } from "./model/expiry";

/** Run by the cron; not reachable from clients. */
export const expireDue = internalMutation({
  args: {},
  handler: async (ctx) => await expire(ctx),
});
