import { expiryProblem } from '../model/expires';
import { ALL_RULES, findRule } from '../rules/index';

/**
 * Rule ids in inline skips, shared by the Terraform and CloudFormation sources. cloudconform's own
 * skips name a rule by its id or any alias (CKV_AWS_122), and an unknown one is an error: a typo
 * would otherwise suppress nothing, silently. Checkov skips live in Checkov's namespace, where
 * teams have many skips for checks we don't implement: only the Checkov ids of our rules count,
 * the rest are Checkov's business and are ignored without a word.
 */

/** The rule's own id for an id or alias; undefined when no rule has it. */
export function ruleIdFor(id: string): string | undefined {
  return findRule(id.trim())?.meta.id;
}

/** The rule whose Checkov alias this is (`CKV_AWS_122` -> SageMaker-004); undefined for other Checkov checks. */
export function ruleIdForCheckov(id: string): string | undefined {
  const wanted = id.trim().toLowerCase();
  return ALL_RULES.find((r) => r.meta.aliases.some((a) => a.tool === 'Checkov' && a.id.toLowerCase() === wanted))?.meta.id;
}

/** `no rule 'X' (rules: SageMaker-004, SageMaker-005; aliases such as CKV_AWS_122 work too)` */
export function unknownRuleMessage(id: string): string {
  const alias = ALL_RULES.flatMap((r) => r.meta.aliases).find((a) => a.tool === 'Checkov')?.id;
  return `no rule '${id}' (rules: ${ALL_RULES.map((r) => r.meta.id).join(', ')}${alias ? `; aliases such as ${alias} work too` : ''})`;
}

/** Why an inline skip's `expires` can't be used, or undefined when it is a date. */
export function skipExpiryProblem(expires: string): string | undefined {
  const problem = expiryProblem(expires);
  return problem && `expires ${problem}; the skip is not applied`;
}
