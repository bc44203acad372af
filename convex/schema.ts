import { authTables } from "@convex-dev/auth/server";
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// Validators shared by the schema and the functions. They mirror the types in
// src/negotiation/types.ts.

export const priorities = v.object({
  price: v.number(),
  leadTime: v.number(),
  paymentTerms: v.number(),
  quality: v.number(),
});

export const guardrails = v.object({
  maxLeadTimeDays: v.number(),
  minPaymentTermsDays: v.number(),
});

export const lineItem = v.object({
  productId: v.id("products"),
  sku: v.string(),
  name: v.string(),
  quantity: v.number(),
  listPrice: v.number(),
  targetUnitPrice: v.number(),
  maxUnitPrice: v.number(),
});

export const termsLine = v.object({
  sku: v.string(),
  quantity: v.number(),
  unitPrice: v.number(),
});

export const terms = v.object({
  lines: v.array(termsLine),
  leadTimeDays: v.number(),
  paymentTermsDays: v.number(),
});

/** The Incoterms 2020 rules; their words are in convex/model/incoterms.ts. */
export const incoterm = v.union(
  v.literal("EXW"),
  v.literal("FCA"),
  v.literal("CPT"),
  v.literal("CIP"),
  v.literal("DAP"),
  v.literal("DPU"),
  v.literal("DDP"),
  v.literal("FAS"),
  v.literal("FOB"),
  v.literal("CFR"),
  v.literal("CIF"),
);

export const party = v.union(v.literal("brand"), v.literal("supplier"));

/** Who plays the supplier side of a negotiation: Parley's engine from a persona, or a person invited by link. */
export const supplierSide = v.union(v.literal("simulated"), v.literal("live"));

export const persona = v.object({
  concession: v.union(
    v.literal("boulware"),
    v.literal("linear"),
    v.literal("conceder"),
    v.literal("tit_for_tat"),
  ),
  concessionExponent: v.number(),
  unitCostRatio: v.number(),
  openingMarkup: v.number(),
  reservationMargin: v.number(),
  weights: v.object({ price: v.number(), leadTime: v.number(), paymentTerms: v.number() }),
  leadTimeDays: v.object({ standard: v.number(), fastest: v.number() }),
  expediteCostPerDay: v.number(),
  paymentTermsDays: v.object({ preferred: v.number(), max: v.number() }),
  annualFinancingRate: v.number(),
  capacityPerLine: v.number(),
  qualityScore: v.number(),
});

/** What a member may do in a workspace; see convex/model/access.ts. */
export const role = v.union(v.literal("owner"), v.literal("approver"), v.literal("buyer"), v.literal("viewer"));

/** What a supplier publishes about itself: all the brand side ever sees of it. */
export const supplierProfile = v.object({
  tagline: v.string(),
  description: v.string(),
  location: v.string(),
  qualityScore: v.number(),
});

export const quoteStatus = v.union(
  v.literal("queued"),
  v.literal("negotiating"),
  v.literal("completed"),
  v.literal("awarded"),
  v.literal("cancelled"),
  v.literal("failed"),
);

export const negotiationStatus = v.union(
  v.literal("pending"),
  v.literal("active"),
  v.literal("paused"),
  v.literal("accepted"),
  v.literal("rejected"),
  v.literal("impasse"),
  v.literal("expired"),
  v.literal("failed"),
);

export const negotiationOutcome = v.union(
  v.literal("agreement"),
  v.literal("impasse"),
  v.literal("walked_away"),
  v.literal("expired"),
  v.literal("failed"),
);

export const offerStatus = v.union(
  v.literal("pending"),
  v.literal("accepted"),
  v.literal("rejected"),
  v.literal("countered"),
  v.literal("expired"),
);

/** brand, supplier: the AI of each side; user: a brand member; contact: a live supplier's person; system: Parley. */
export const messageSender = v.union(
  v.literal("brand"),
  v.literal("supplier"),
  v.literal("system"),
  v.literal("user"),
  v.literal("contact"),
);

export const messageKind = v.union(
  v.literal("text"),
  v.literal("offer"),
  v.literal("acceptance"),
  v.literal("rejection"),
  v.literal("system"),
  v.literal("ai_suggestion"),
);

export const messageMetadata = v.object({
  model: v.optional(v.string()),
  tokenUsage: v.optional(
    v.object({ inputTokens: v.number(), outputTokens: v.number(), totalTokens: v.number() }),
  ),
  latencyMs: v.optional(v.number()),
  /** Set when a model's structured output was malformed or outside the guardrails
   * and the engine's decision was used instead: what was wrong. */
  replacedByEngine: v.optional(v.string()),
});

/** Why a message was withdrawn before it was finished (convex/model/messages.ts words each reason). */
export const withdrawReason = v.union(v.literal("take_over"), v.literal("closed"), v.literal("failed"));

export const offerAi = v.object({
  generated: v.boolean(),
  confidence: v.optional(v.number()),
  reasoning: v.optional(v.string()),
});

/** A quote's auto-award policy: the recommended final offer is awarded without asking when every line is at most `maxPctOverTarget`% over its target. */
export const autoAwardPolicy = v.object({ maxPctOverTarget: v.number() });

export const recommendation = v.object({
  negotiationId: v.optional(v.id("negotiations")),
  supplierId: v.optional(v.id("suppliers")),
  explanation: v.string(),
  ranking: v.array(
    v.object({
      negotiationId: v.id("negotiations"),
      supplierId: v.id("suppliers"),
      supplierName: v.string(),
      score: v.number(),
      rank: v.number(),
      outcome: negotiationOutcome,
      terms: v.optional(terms),
      summary: v.string(),
    }),
  ),
  createdAt: v.number(),
});

const workspaceId = v.id("workspaces");

export const approvalStatus = v.union(
  v.literal("pending"),
  v.literal("approved"),
  v.literal("rejected"),
  v.literal("withdrawn"),
);

export const purchaseOrderLine = v.object({
  sku: v.string(),
  name: v.string(),
  quantity: v.number(),
  unitPrice: v.number(),
  lineTotal: v.number(),
});

export default defineSchema({
  // Convex Auth: users, sessions, accounts, refresh tokens, verifiers, rate limits.
  ...authTables,

  /**
   * Mastra's workflow runs: @mastra/convex's `mastraWorkflowSnapshotsTable`,
   * field for field (tests/mastra/run-store.test.ts compares them). Written
   * here rather than imported: the library's schema module pulls zod and part
   * of @mastra/core into every convex/ module that imports this schema. Written
   * only through mastra.storage, read by the quote worker and Studio; old runs
   * are pruned by the cron.
   */
  mastra_workflow_snapshots: defineTable({
    id: v.optional(v.string()),
    workflow_name: v.string(),
    run_id: v.string(),
    resourceId: v.optional(v.string()),
    snapshot: v.any(),
    createdAt: v.string(),
    updatedAt: v.string(),
  })
    .index("by_record_id", ["id"])
    .index("by_workflow_run", ["workflow_name", "run_id"])
    .index("by_workflow", ["workflow_name"])
    .index("by_resource", ["resourceId"])
    .index("by_created", ["createdAt"]),

  /** One brand's space in Parley; everything below belongs to exactly one. */
  workspaces: defineTable({
    name: v.string(),
    /** Absent for a tools' workspace (seed.workspace), which has no members. */
    createdBy: v.optional(v.id("users")),
    createdAt: v.number(),
    /** Awards above this total need an approver's approval (convex/model/awards.ts); absent = none do. */
    approvalThreshold: v.optional(v.number()),
    /** ISO 4217 (convex/model/currency.ts): catalog list prices and new quotes are in it; absent = "USD". */
    currency: v.optional(v.string()),
  }).index("by_name", ["name"]),

  members: defineTable({
    workspaceId,
    userId: v.id("users"),
    role,
    joinedAt: v.number(),
  })
    .index("by_userId", ["userId"])
    .index("by_workspaceId_and_userId", ["workspaceId", "userId"]),

  /** A link an owner shares; only a hash of its single-use token is kept. */
  invitations: defineTable({
    workspaceId,
    role,
    tokenHash: v.string(),
    invitedBy: v.id("users"),
    createdAt: v.number(),
    expiresAt: v.number(),
    acceptedBy: v.optional(v.id("users")),
    acceptedAt: v.optional(v.number()),
    revokedAt: v.optional(v.number()),
  })
    .index("by_tokenHash", ["tokenHash"])
    .index("by_workspaceId", ["workspaceId"]),

  products: defineTable({
    workspaceId,
    sku: v.string(),
    name: v.string(),
    unit: v.string(),
    category: v.string(),
    listPrice: v.number(),
  })
    .index("by_workspaceId_and_sku", ["workspaceId", "sku"]),

  suppliers: defineTable({
    workspaceId,
    /** Stable key used by the seed and the scenario files. */
    slug: v.string(),
    name: v.string(),
    profile: supplierProfile,
    /** The simulated supplier's hidden parameters: read only by the server's supplier turn. */
    persona,
  }).index("by_workspaceId_and_slug", ["workspaceId", "slug"]),

  quotes: defineTable({
    workspaceId,
    /** The brand's own name for the quote; absent, the dashboard names it by its products (model/quoteNames.ts). */
    title: v.optional(v.string()),
    /** The reference number within the workspace (Q-0001, ...), from 1; absent on quotes requested before numbering. */
    number: v.optional(v.number()),
    /** What a search of the quotes list finds it by (quoteNames.ts quoteSearchText); absent until backfilled. */
    searchText: v.optional(v.string()),
    lineItems: v.array(lineItem),
    priorities,
    guardrails,
    notes: v.optional(v.string()),
    /** Where the goods go, as the purchase order prints it. */
    deliveryAddress: v.optional(v.string()),
    /** Who pays for and bears the risk of transport (Incoterms 2020). */
    incoterms: v.optional(incoterm),
    /** ISO 4217: the workspace's currency when the quote was requested; every price of the quote is in it. Absent = "USD". */
    currency: v.optional(v.string()),
    maxRounds: v.number(),
    /** How long each negotiation has to reach agreement, from the quote's start; absent = 48. */
    responseHours: v.optional(v.number()),
    /** Off when absent: award the recommended final offer automatically when it is within guardrails and every line within this % of its target (convex/model/autoAward.ts). */
    autoAward: v.optional(autoAwardPolicy),
    seed: v.number(),
    status: quoteStatus,
    recommendation: v.optional(recommendation),
    failureReason: v.optional(v.string()),
    requestedAt: v.number(),
    startedAt: v.optional(v.number()),
    completedAt: v.optional(v.number()),
    updatedAt: v.number(),
    claimedBy: v.optional(v.string()),
    leaseExpiresAt: v.optional(v.number()),
    /** Grows by one with every claim: the workflow's writes carry it, and a write with an older one is refused. */
    leaseEpoch: v.optional(v.number()),
    /**
     * The Mastra run that suspended while every open negotiation waited on a live
     * supplier (convex/model/liveWait.ts). While it waits the quote holds no lease
     * and no worker; a move on one of its negotiations sets leaseExpiresAt to now,
     * which makes it claimable, and the claimant resumes this run.
     */
    suspendedRunId: v.optional(v.string()),
  })
    .index("by_status", ["status"])
    .index("by_workspaceId", ["workspaceId"])
    .index("by_workspaceId_and_status", ["workspaceId", "status"])
    .index("by_workspaceId_and_number", ["workspaceId", "number"])
    .index("by_status_and_leaseExpiresAt", ["status", "leaseExpiresAt"])
    .index("by_searchText", ["searchText"])
    .searchIndex("search_text", { searchField: "searchText", filterFields: ["workspaceId", "status"] }),

  negotiations: defineTable({
    workspaceId,
    quoteId: v.id("quotes"),
    supplierId: v.id("suppliers"),
    status: negotiationStatus,
    currentRound: v.number(),
    maxRounds: v.number(),
    currentTerms: v.optional(terms),
    currentOfferId: v.optional(v.id("offers")),
    lastOfferBy: v.optional(party),
    startedAt: v.optional(v.number()),
    lastActivityAt: v.number(),
    expiresAt: v.optional(v.number()),
    outcome: v.optional(negotiationOutcome),
    failureReason: v.optional(v.string()),
    nextSeq: v.number(),
    /** Absent = simulated. */
    side: v.optional(supplierSide),
    /** The live supplier's contact, once an invitation to this negotiation was accepted. */
    contactId: v.optional(v.id("supplierContacts")),
    /** Messages each side has not read yet, kept as messages are written (convex/model/readState.ts). */
    brandUnread: v.optional(v.number()),
    supplierUnread: v.optional(v.number()),
    /** The last seq each side has read: "seen" for the other side. */
    brandReadSeq: v.optional(v.number()),
    supplierReadSeq: v.optional(v.number()),
    /** When both sides were told the deadline is near (once). */
    deadlineNoticeAt: v.optional(v.number()),
  })
    .index("by_quoteId", ["quoteId"])
    .index("by_contactId", ["contactId"])
    .index("by_status_and_expiresAt", ["status", "expiresAt"])
    // The presence sweep's: live negotiations of a closed status, by when they last moved (closing is a move).
    .index("by_side_and_status_and_lastActivityAt", ["side", "status", "lastActivityAt"]),

  offers: defineTable({
    workspaceId,
    negotiationId: v.id("negotiations"),
    round: v.number(),
    offeredBy: party,
    terms,
    status: offerStatus,
    ai: v.optional(offerAi),
    respondedAt: v.optional(v.number()),
    /**
     * Until when the offer holds: an open offer until the negotiation's response
     * deadline; an accepted one (a supplier's final offer, held until the award)
     * for FINAL_OFFER_HOLD_MS after it was reached. Absent on offers from before.
     */
    validUntil: v.optional(v.number()),
  }).index("by_negotiationId_and_round", ["negotiationId", "round"]),

  messages: defineTable({
    workspaceId,
    negotiationId: v.id("negotiations"),
    seq: v.number(),
    sender: messageSender,
    kind: messageKind,
    content: v.string(),
    state: v.union(v.literal("streaming"), v.literal("complete")),
    offerId: v.optional(v.id("offers")),
    metadata: v.optional(messageMetadata),
    readAt: v.optional(v.number()),
    /** Set when the message was withdrawn unfinished: its content then says why. */
    withdrawn: v.optional(withdrawReason),
    /** A note for the brand's side only (a take-over, a hand-back): a live supplier never sees it. */
    brandOnly: v.optional(v.boolean()),
  })
    .index("by_negotiationId_and_seq", ["negotiationId", "seq"])
    .index("by_negotiationId_and_state", ["negotiationId", "state"]),

  /**
   * A streaming message's text after its first words, appended in pieces (on
   * word boundaries, throttled): write volume linear in the message, not
   * quadratic. `start` is the piece's offset in the message's text. Deleted
   * when the message finishes; messages.streaming reassembles them meanwhile.
   */
  messageDeltas: defineTable({
    workspaceId,
    negotiationId: v.id("negotiations"),
    messageId: v.id("messages"),
    start: v.number(),
    text: v.string(),
  }).index("by_messageId_and_start", ["messageId", "start"]),

  events: defineTable({
    workspaceId,
    type: v.string(),
    quoteId: v.optional(v.id("quotes")),
    negotiationId: v.optional(v.id("negotiations")),
    actor: v.union(v.literal("brand"), v.literal("supplier"), v.literal("system"), v.literal("user"), v.literal("contact")),
    /** The person behind an actor "user" or "contact" event. */
    userId: v.optional(v.id("users")),
    data: v.optional(v.record(v.string(), v.union(v.string(), v.number(), v.boolean(), v.null()))),
    at: v.number(),
  })
    .index("by_quoteId_and_at", ["quoteId", "at"])
    .index("by_negotiationId_and_at", ["negotiationId", "at"])
    .index("by_workspaceId_and_at", ["workspaceId", "at"]),

  awards: defineTable({
    workspaceId,
    quoteId: v.id("quotes"),
    negotiationId: v.id("negotiations"),
    supplierId: v.id("suppliers"),
    offerId: v.id("offers"),
    terms,
    awardedBy: v.union(v.literal("user"), v.literal("brand")),
    awardedAt: v.number(),
  }).index("by_quoteId", ["quoteId"]),

  // Award approvals and purchase orders (issue 14): convex/model/approvals.ts, purchaseOrders.ts.

  /** A buyer's award above the workspace's approval threshold, waiting for (or decided by) an approver. */
  approvals: defineTable({
    workspaceId,
    quoteId: v.id("quotes"),
    negotiationId: v.id("negotiations"),
    offerId: v.id("offers"),
    /** The offer's total when it was requested. */
    amount: v.number(),
    requestedBy: v.id("users"),
    requestedAt: v.number(),
    status: approvalStatus,
    decidedBy: v.optional(v.id("users")),
    decidedAt: v.optional(v.number()),
    comment: v.optional(v.string()),
  })
    .index("by_quoteId_and_status", ["quoteId", "status"])
    .index("by_workspaceId_and_status", ["workspaceId", "status"]),

  /** What an award orders, written with it: the agreed terms and the quote's delivery, never the brand's targets. */
  purchaseOrders: defineTable({
    workspaceId,
    quoteId: v.id("quotes"),
    awardId: v.id("awards"),
    /** 1, 2, … per workspace; printed "PO-0001". */
    number: v.number(),
    supplierName: v.string(),
    lines: v.array(purchaseOrderLine),
    total: v.number(),
    leadTimeDays: v.number(),
    paymentTermsDays: v.number(),
    deliveryAddress: v.optional(v.string()),
    incoterms: v.optional(incoterm),
    awardedBy: v.object({ userId: v.id("users"), name: v.string() }),
    awardedAt: v.number(),
    approval: v.optional(
      v.object({ userId: v.id("users"), name: v.string(), approvedAt: v.number(), comment: v.optional(v.string()) }),
    ),
  })
    .index("by_workspaceId_and_number", ["workspaceId", "number"])
    .index("by_quoteId", ["quoteId"]),

  /** A file attached to a quote (convex/model/attachments.ts): its bytes are in file storage, held by this row alone. */
  attachments: defineTable({
    workspaceId,
    quoteId: v.id("quotes"),
    /** Never sent to a client: the list gives a download URL instead. */
    storageId: v.id("_storage"),
    name: v.string(),
    /** As file storage recorded them, not as the client said. */
    size: v.number(),
    contentType: v.string(),
    sha256: v.string(),
    uploadedBy: v.id("users"),
    uploadedAt: v.number(),
  })
    .index("by_quoteId", ["quoteId"])
    .index("by_storageId", ["storageId"]),

  // Live suppliers (convex/model/supplierContacts.ts, supplierInvitations.ts, supplierActions.ts).

  /** A person at a supplier, named by the brand; `userId` once they accepted an invitation and signed in. */
  supplierContacts: defineTable({
    workspaceId,
    supplierId: v.id("suppliers"),
    name: v.string(),
    /** Lower-cased. */
    email: v.string(),
    userId: v.optional(v.id("users")),
    createdAt: v.number(),
  })
    .index("by_userId", ["userId"])
    .index("by_workspaceId_and_supplierId_and_email", ["workspaceId", "supplierId", "email"]),

  /**
   * A link that lets a supplier contact into one negotiation. The token is an
   * HMAC of the invitation's id and nonce under a key derived from the
   * deployment's service key, so the link can be shown again and mailed without
   * ever being stored; only its SHA-256 is kept, to find the invitation by it.
   */
  supplierInvitations: defineTable({
    workspaceId,
    quoteId: v.id("quotes"),
    negotiationId: v.id("negotiations"),
    contactId: v.id("supplierContacts"),
    nonce: v.string(),
    tokenHash: v.string(),
    /** The previous link's hash after a re-send, so that link can say it was replaced. */
    replacedTokenHash: v.optional(v.string()),
    invitedBy: v.id("users"),
    createdAt: v.number(),
    expiresAt: v.number(),
    acceptedBy: v.optional(v.id("users")),
    acceptedAt: v.optional(v.number()),
    revokedAt: v.optional(v.number()),
    /** The email of the link: waiting for the quote worker's mailer, sent, failed, or no mail server configured. */
    mail: v.optional(
      v.object({
        status: v.union(v.literal("pending"), v.literal("sent"), v.literal("failed"), v.literal("not_configured")),
        at: v.number(),
        error: v.optional(v.string()),
        /** While pending: the mailer process sending it, until when (supplierInvitations.claimMail). */
        claimedBy: v.optional(v.string()),
        claimExpiresAt: v.optional(v.number()),
      }),
    ),
  })
    .index("by_tokenHash", ["tokenHash"])
    .index("by_replacedTokenHash", ["replacedTokenHash"])
    .index("by_negotiationId", ["negotiationId"])
    .index("by_mail_status_and_expiresAt", ["mail.status", "expiresAt"]),

  /** In-app notices, one row per person told: brand members, or a supplier contact's user. */
  notifications: defineTable({
    workspaceId,
    userId: v.id("users"),
    /** Which side the person reads it on: the brand's dashboard or the supplier portal. */
    audience: party,
    kind: v.string(),
    text: v.string(),
    quoteId: v.optional(v.id("quotes")),
    negotiationId: v.optional(v.id("negotiations")),
    createdAt: v.number(),
    readAt: v.optional(v.number()),
  })
    .index("by_userId_and_audience_and_readAt", ["userId", "audience", "readAt"])
    .index("by_userId_and_audience_and_createdAt", ["userId", "audience", "createdAt"])
    // The brand's lists are per workspace: a person in several reads each one's own.
    .index("by_userId_and_workspaceId_and_audience_and_readAt", ["userId", "workspaceId", "audience", "readAt"])
    .index("by_userId_and_workspaceId_and_audience_and_createdAt", ["userId", "workspaceId", "audience", "createdAt"]),

  /**
   * Retired: who was typing, before "typing…" moved to @convex-dev/presence
   * (convex/model/presence.ts). Nothing writes or reads it now; it stays
   * declared because a deployment may still hold rows, and removing a table
   * that has documents is refused by schema validation.
   */
  typing: defineTable({
    workspaceId,
    negotiationId: v.id("negotiations"),
    side: party,
    userId: v.id("users"),
    until: v.number(),
  }).index("by_negotiationId_and_side", ["negotiationId", "side"]),
});
