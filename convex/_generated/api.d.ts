/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import type * as approvals from "../approvals.js";
import type * as attachments from "../attachments.js";
import type * as auth from "../auth.js";
import type * as authLimits from "../authLimits.js";
import type * as crons from "../crons.js";
import type * as events from "../events.js";
import type * as expiry from "../expiry.js";
import type * as functions from "../functions.js";
import type * as http from "../http.js";
import type * as ingest from "../ingest.js";
import type * as insights from "../insights.js";
import type * as invitations from "../invitations.js";
import type * as mastra from "../mastra.js";
import type * as members from "../members.js";
import type * as messages from "../messages.js";
import type * as model_access from "../model/access.js";
import type * as model_accounts from "../model/accounts.js";
import type * as model_approvalRequests from "../model/approvalRequests.js";
import type * as model_approvals from "../model/approvals.js";
import type * as model_assist from "../model/assist.js";
import type * as model_attachmentRules from "../model/attachmentRules.js";
import type * as model_attachments from "../model/attachments.js";
import type * as model_auth from "../model/auth.js";
import type * as model_autoAward from "../model/autoAward.js";
import type * as model_awards from "../model/awards.js";
import type * as model_brandActions from "../model/brandActions.js";
import type * as model_catalog from "../model/catalog.js";
import type * as model_currency from "../model/currency.js";
import type * as model_errors from "../model/errors.js";
import type * as model_events from "../model/events.js";
import type * as model_expiry from "../model/expiry.js";
import type * as model_incoterms from "../model/incoterms.js";
import type * as model_ingest from "../model/ingest.js";
import type * as model_insights from "../model/insights.js";
import type * as model_invitationMail from "../model/invitationMail.js";
import type * as model_invitations from "../model/invitations.js";
import type * as model_liveWait from "../model/liveWait.js";
import type * as model_messages from "../model/messages.js";
import type * as model_negotiations from "../model/negotiations.js";
import type * as model_notifications from "../model/notifications.js";
import type * as model_numbering from "../model/numbering.js";
import type * as model_people from "../model/people.js";
import type * as model_presence from "../model/presence.js";
import type * as model_purchaseOrders from "../model/purchaseOrders.js";
import type * as model_quoteCounts from "../model/quoteCounts.js";
import type * as model_quoteNames from "../model/quoteNames.js";
import type * as model_quoteOutcomes from "../model/quoteOutcomes.js";
import type * as model_quotes from "../model/quotes.js";
import type * as model_rateLimits from "../model/rateLimits.js";
import type * as model_readState from "../model/readState.js";
import type * as model_roles from "../model/roles.js";
import type * as model_spendThreshold from "../model/spendThreshold.js";
import type * as model_status from "../model/status.js";
import type * as model_statusWords from "../model/statusWords.js";
import type * as model_supplierAccess from "../model/supplierAccess.js";
import type * as model_supplierActions from "../model/supplierActions.js";
import type * as model_supplierInvitations from "../model/supplierInvitations.js";
import type * as model_supplierViews from "../model/supplierViews.js";
import type * as model_triggers from "../model/triggers.js";
import type * as model_validate from "../model/validate.js";
import type * as model_views from "../model/views.js";
import type * as model_workerState from "../model/workerState.js";
import type * as model_workflowState from "../model/workflowState.js";
import type * as model_workspaces from "../model/workspaces.js";
import type * as negotiations from "../negotiations.js";
import type * as notifications from "../notifications.js";
import type * as offers from "../offers.js";
import type * as presenceSweep from "../presenceSweep.js";
import type * as products from "../products.js";
import type * as purchaseOrders from "../purchaseOrders.js";
import type * as quotes from "../quotes.js";
import type * as seed from "../seed.js";
import type * as supplierInvitations from "../supplierInvitations.js";
import type * as supplierPortal from "../supplierPortal.js";
import type * as suppliers from "../suppliers.js";
import type * as worker from "../worker.js";
import type * as workspaces from "../workspaces.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  approvals: typeof approvals;
  attachments: typeof attachments;
  auth: typeof auth;
  authLimits: typeof authLimits;
  crons: typeof crons;
  events: typeof events;
  expiry: typeof expiry;
  functions: typeof functions;
  http: typeof http;
  ingest: typeof ingest;
  insights: typeof insights;
  invitations: typeof invitations;
  mastra: typeof mastra;
  members: typeof members;
  messages: typeof messages;
  "model/access": typeof model_access;
  "model/accounts": typeof model_accounts;
  "model/approvalRequests": typeof model_approvalRequests;
  "model/approvals": typeof model_approvals;
  "model/assist": typeof model_assist;
  "model/attachmentRules": typeof model_attachmentRules;
  "model/attachments": typeof model_attachments;
  "model/auth": typeof model_auth;
  "model/autoAward": typeof model_autoAward;
  "model/awards": typeof model_awards;
  "model/brandActions": typeof model_brandActions;
  "model/catalog": typeof model_catalog;
  "model/currency": typeof model_currency;
  "model/errors": typeof model_errors;
  "model/events": typeof model_events;
  "model/expiry": typeof model_expiry;
  "model/incoterms": typeof model_incoterms;
  "model/ingest": typeof model_ingest;
  "model/insights": typeof model_insights;
  "model/invitationMail": typeof model_invitationMail;
  "model/invitations": typeof model_invitations;
  "model/liveWait": typeof model_liveWait;
  "model/messages": typeof model_messages;
  "model/negotiations": typeof model_negotiations;
  "model/notifications": typeof model_notifications;
  "model/numbering": typeof model_numbering;
  "model/people": typeof model_people;
  "model/presence": typeof model_presence;
  "model/purchaseOrders": typeof model_purchaseOrders;
  "model/quoteCounts": typeof model_quoteCounts;
  "model/quoteNames": typeof model_quoteNames;
  "model/quoteOutcomes": typeof model_quoteOutcomes;
  "model/quotes": typeof model_quotes;
  "model/rateLimits": typeof model_rateLimits;
  "model/readState": typeof model_readState;
  "model/roles": typeof model_roles;
  "model/spendThreshold": typeof model_spendThreshold;
  "model/status": typeof model_status;
  "model/statusWords": typeof model_statusWords;
  "model/supplierAccess": typeof model_supplierAccess;
  "model/supplierActions": typeof model_supplierActions;
  "model/supplierInvitations": typeof model_supplierInvitations;
  "model/supplierViews": typeof model_supplierViews;
  "model/triggers": typeof model_triggers;
  "model/validate": typeof model_validate;
  "model/views": typeof model_views;
  "model/workerState": typeof model_workerState;
  "model/workflowState": typeof model_workflowState;
  "model/workspaces": typeof model_workspaces;
  negotiations: typeof negotiations;
  notifications: typeof notifications;
  offers: typeof offers;
  presenceSweep: typeof presenceSweep;
  products: typeof products;
  purchaseOrders: typeof purchaseOrders;
  quotes: typeof quotes;
  seed: typeof seed;
  supplierInvitations: typeof supplierInvitations;
  supplierPortal: typeof supplierPortal;
  suppliers: typeof suppliers;
  worker: typeof worker;
  workspaces: typeof workspaces;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;

// ---- components (src/local-backend/components-codegen.ts) ----
export declare const components: {
  "rateLimiter": import("@convex-dev/rate-limiter/_generated/component.js").ComponentApi<"rateLimiter">;
  "presence": import("@convex-dev/presence/_generated/component.js").ComponentApi<"presence">;
  "quoteCounts": import("@convex-dev/aggregate/_generated/component.js").ComponentApi<"quoteCounts">;
  "quoteDeals": import("@convex-dev/aggregate/_generated/component.js").ComponentApi<"quoteDeals">;
  "quoteSavings": import("@convex-dev/aggregate/_generated/component.js").ComponentApi<"quoteSavings">;
  "quoteNegotiations": import("@convex-dev/aggregate/_generated/component.js").ComponentApi<"quoteNegotiations">;
  "quoteSeries": import("@convex-dev/aggregate/_generated/component.js").ComponentApi<"quoteSeries">;
  "quoteSuppliers": import("@convex-dev/aggregate/_generated/component.js").ComponentApi<"quoteSuppliers">;
};
// ---- end of components ----
