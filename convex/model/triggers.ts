import { customCtx, customMutation } from "convex-helpers/server/customFunctions";
import { Triggers } from "convex-helpers/server/triggers";
import type { DataModel } from "../_generated/dataModel";
import { internalMutation as rawInternalMutation, mutation as rawMutation } from "../_generated/server";
import { quoteCountsTrigger } from "./quoteCounts";
import { negotiationOutcomeTrigger, quoteOutcomeTrigger } from "./quoteOutcomes";

// What runs on every write to a table, whichever function made it: the
// insights' aggregates (model/quoteCounts.ts, model/quoteOutcomes.ts). Every
// mutation of convex/ is built from these two builders (convex/functions.ts wraps `mutation` with the
// access rules on top, so the rules see the writes and the triggers see the
// rows as written); `_generated/server`'s own mutation builders are not used
// elsewhere, so no write to these tables can skip its trigger.

const triggers = new Triggers<DataModel>();
triggers.register("quotes", quoteCountsTrigger);
triggers.register("quotes", quoteOutcomeTrigger);
triggers.register("negotiations", negotiationOutcomeTrigger);

/** A mutation's ctx with the triggers on its db (what the builders below do): for tests writing as a function would. */
export const withTriggers = triggers.wrapDB;

export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB));
export const internalMutation = customMutation(rawInternalMutation, customCtx(triggers.wrapDB));
