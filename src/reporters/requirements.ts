// The standards' requirements a rule assesses (src/compliance), as ASFF's
// Compliance.RelatedRequirements and OCSF's compliance.requirements and standards spell them.
import { compareStrings } from '../model/report';
import { requirementsOf } from '../compliance/index';

/** `pci-dss-4.0/1.3.1`: our standard id (as `report --standard` takes it), then the standard's own requirement id; sorted, no repeats. */
export function relatedRequirements(ruleId: string): string[] {
  return [...new Set(requirementsOf(ruleId).map(({ standard, requirement }) => `${standard.id}/${requirement.id}`))].sort(compareStrings);
}

/** `PCI DSS 4.0`, `NIST SP 800-53 Revision 5`: the standards a rule's requirements belong to, sorted. */
export function relatedStandards(ruleId: string): string[] {
  const names = requirementsOf(ruleId).map(({ standard }) => (standard.name.includes(standard.version) ? standard.name : `${standard.name} ${standard.version}`));
  return [...new Set(names)].sort(compareStrings);
}
