// The engine's public API. Everything here is pure and seeded: no I/O.

export * from "./types.js";
export type {
  BrandContext,
  BrandSetup,
  BrandStrategyName,
  Move,
  NegotiationMetrics,
  NegotiationResult,
  NegotiationSetup,
  OfferRecord,
} from "./setup-types.js";
export { BRAND_STRATEGY_NAMES, DEFAULT_MAX_ROUNDS } from "./setup-types.js";
export { brandView, supplierProfile, supplierProfileOf } from "./brand-view.js";
export { brandMove, brandProposal, negotiationResult, nextMove, runNegotiation, whoseTurn } from "./protocol.js";
export type { SupplierTactic } from "./supplier-strategy.js";
export { evaluateNegotiations, type EvaluationInput, type NegotiationSummary } from "./evaluation.js";
export {
  predictAcceptance,
  shouldAutoAccept,
  suggestCounter,
  type AutoAcceptContext,
  type AutoAcceptPolicy,
  type CounterSuggestion,
} from "./assist.js";
export {
  brandUtility,
  guardrailBreaches,
  hasZoneOfAgreement,
  normalisedPriorities,
  paymentTermsCeiling,
  supplierAcceptable,
  supplierMargin,
  supplierOpeningTerms,
  supplierUtility,
  withinGuardrails,
  type GuardrailBreach,
  type PriceLimit,
} from "./utility.js";
export { agreementSpace, nashPoint, paretoDistance, paretoFrontier, type Outcome, type UtilityPoint } from "./outcome-space.js";
export { learnOpponentModel, acceptanceProbability, type OpponentModel } from "./opponent-model.js";
export { PERSONA_PRESETS, personaPreset, type PersonaPresetName } from "./personas.js";
export { parseScenario, scenarioSchema, scenarioSetups, ScenarioError, type Scenario } from "./scenario.js";
export { DAY_LIMITS, describeTerms, meanUnitPrice, totalPrice } from "./terms.js";
export { mulberry32 } from "./prng.js";
