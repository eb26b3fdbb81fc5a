// The standards' requirements a rule assesses (src/compliance), as ASFF's
// Compliance.RelatedRequirements and OCSF's compliance.requirements and standards spell them.
import { compareStrings } from '../model/report';
import { requirementsOf } from '../compliance/index';

// Per rule, once: every finding of a rule names the same ones (50,000 findings: 5.4 s to 1.x s in asff).
const requirementsCache = new Map<string, readonly string[]>();
const standardsCache = new Map<string, readonly string[]>();

/** `pci-dss-4.0/1.3.1`: our standard id (as `report --standard` takes it), then the standard's own requirement id; sorted, no repeats. */
export function relatedRequirements(ruleId: string): readonly string[] {
  let found = requirementsCache.get(ruleId);
  if (!found) {
    found = [...new Set(requirementsOf(ruleId).map(({ standard, requirement }) => `${standard.id}/${requirement.id}`))].sort(compareStrings);
    requirementsCache.set(ruleId, found);
  }
  return found;
}

/** `PCI DSS 4.0`, `NIST SP 800-53 Revision 5`: the standards a rule's requirements belong to, sorted. */
export function relatedStandards(ruleId: string): readonly string[] {
  let found = standardsCache.get(ruleId);
  if (!found) {
    const names = requirementsOf(ruleId).map(({ standard }) => (standard.name.includes(standard.version) ? standard.name : `${standard.name} ${standard.version}`));
    found = [...new Set(names)].sort(compareStrings);
    standardsCache.set(ruleId, found);
  }
  return found;
}
