import { persona } from "../../convex/schema";

/**
 * The names that only a supplier's hidden persona uses: every persona field but
 * those whose names public data shares (terms have lead and payment days, the
 * profile has the quality score), and the word "persona" itself. A brand-side
 * answer or prompt that contains one of these leaks the persona.
 */
const SHARED_WITH_PUBLIC_DATA = new Set(["qualityScore", "leadTimeDays", "paymentTermsDays"]);

export const HIDDEN_PERSONA_FIELDS: readonly string[] = [
  "persona",
  ...Object.keys(persona.fields).filter((name) => !SHARED_WITH_PUBLIC_DATA.has(name)),
];
