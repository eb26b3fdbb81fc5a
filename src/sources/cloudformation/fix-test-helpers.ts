// Shared by the CloudFormation fixer's tests: targets come from the real source and rules, as
// `cloudconform fix` gets them, not written by hand.
import { Resource } from '../../model/resource';
import type { FixInputs, FixResult, FixTarget } from '../../remediation/iac/fixer';
import { ALL_RULES } from '../../rules/index';
import type { Verdict } from '../../rules/rule';
import { fixCloudFormationTemplate } from './fixer';
import { scanTemplate } from './index';

/** Each rule's verdict on each resource of a template: `Nb SageMaker-004` -> `fail`. */
export function verdicts(text: string, file = 'template.yaml'): Map<string, { result: Verdict; message: string }> {
  const out = new Map<string, { result: Verdict; message: string }>();
  for (const raw of scanTemplate(file, text).resources) {
    for (const rule of ALL_RULES) {
      if (!rule.meta.resourceTypes.includes(raw.type)) continue;
      const checked = rule.check(new Resource(raw));
      out.set(`${raw.id} ${rule.meta.id}`, { result: checked.result, message: checked.message });
    }
  }
  return out;
}

/** The failing resources of a template that a rule knows how to fix, as `fix` passes them. */
export function failingTargets(text: string, file = 'template.yaml'): FixTarget[] {
  const targets: FixTarget[] = [];
  for (const raw of scanTemplate(file, text).resources) {
    for (const rule of ALL_RULES) {
      if (!rule.desired || !rule.meta.resourceTypes.includes(raw.type)) continue;
      const checked = rule.check(new Resource(raw));
      if (checked.result !== 'fail') continue;
      targets.push({ ruleId: rule.meta.id, resourceType: raw.type, resourceId: raw.id, file, line: checked.location.line, desired: rule.desired });
    }
  }
  return targets;
}

/** Scans, fixes what fails, and returns the result with the new text (the old one when unchanged). */
export function fixText(text: string, inputs: FixInputs = {}, file = 'template.yaml'): FixResult & { text: string } {
  const result = fixCloudFormationTemplate(file, text, failingTargets(text, file), inputs);
  return { ...result, text: result.files.get(file) ?? text };
}
