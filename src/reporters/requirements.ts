// The standards' requirements a rule assesses, as ASFF's Compliance.RelatedRequirements and OCSF's
// compliance.requirements spell them: `STANDARD VERSION/REQUIREMENT` (e.g. `PCI DSS 4.0/1.3.1`).
// Wired to src/compliance/index.ts (requirementsOf) once it lands; until then none are named.

/** `PCI DSS 4.0/1.3.1`, sorted, without repeats. */
export function relatedRequirements(_ruleId: string): string[] {
  return [];
}

/** The standards a rule's requirements belong to (`PCI DSS 4.0`), sorted. */
export function relatedStandards(_ruleId: string): string[] {
  return [];
}
