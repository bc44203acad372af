// Small hand-made setups shared by the negotiation tests.

import { type NegotiationSetup, personaPreset, type SupplierPersona } from "../../src/negotiation/index.js";

export function singleLineSetup(overrides: Partial<NegotiationSetup> = {}, persona: SupplierPersona = personaPreset("balanced")): NegotiationSetup {
  return {
    lineItems: [{ sku: "TS", name: "T-shirt", quantity: 1000, listPrice: 10, targetUnitPrice: 8, maxUnitPrice: 10 }],
    priorities: { price: 0.5, leadTime: 0.2, paymentTerms: 0.2, quality: 0.1 },
    guardrails: { maxLeadTimeDays: 30, minPaymentTermsDays: 30 },
    supplier: { id: "s1", name: "Fairweave", qualityScore: persona.qualityScore, persona },
    maxRounds: 8,
    seed: 7,
    ...overrides,
  };
}
