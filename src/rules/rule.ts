import type { Resource } from '../model/resource';
import type { SourceLocation } from '../model/location';

export type Risk = 'Low' | 'Medium' | 'High' | 'Very High' | 'Extreme';
export const RISK_ORDER: readonly Risk[] = ['Low', 'Medium', 'High', 'Very High', 'Extreme'];

export type Verdict = 'pass' | 'fail' | 'unknown';

/** The same control in another tool, so users can map their existing exceptions and reports. */
export interface RuleAlias {
  tool: string;
  id: string;
}

export interface RuleMeta {
  /** Conformity-style id, e.g. `SageMaker-004`. */
  id: string;
  title: string;
  risk: Risk;
  /** Compliance standards this rule helps with (short names: PCI, HIPAA, GDPR, APRA, NIST). */
  standards: string[];
  /** CloudFormation type names the rule evaluates. */
  resourceTypes: string[];
  /** Why it matters, one paragraph. */
  rationale: string;
  /** What to do about a failure, one paragraph. */
  remediation: string;
  references: string[];
  aliases: RuleAlias[];
}

export interface CheckResult {
  result: Verdict;
  message: string;
  /** The deciding property's location; the resource's when the property is absent. */
  location: SourceLocation;
}

/**
 * A value `fix` and `remediate` must obtain from the user (a CLI option) or, in a template, from
 * a new parameter or variable: AWS needs it for the desired state and only the user knows it.
 */
export type RequiredInputKind = 'subnet-id' | 'subnet-ids' | 'security-group-ids' | 'vpc-id';

/**
 * What a failing resource must look like to pass, in CloudFormation property names (a dotted
 * path names a nested property, e.g. `DefaultUserSettings.SecurityGroups`). Source-neutral:
 * each source's fixer writes it in its own format.
 */
export interface DesiredState {
  /** Properties to set to exactly this literal value. */
  set: { property: string; value: string }[];
  /**
   * Properties that must be present for AWS to accept `set`. A fixer leaves a present one alone
   * and fills an absent one from the input of this kind.
   */
  require: { property: string; input: RequiredInputKind; description: string }[];
}

export interface Rule {
  meta: RuleMeta;
  /** The state that passes, for `fix` (templates) and `remediate` (live); absent when not fixable. */
  desired?: DesiredState;
  /** Pure: reads the resource, returns a verdict. Never throws for any input. */
  check(resource: Resource): CheckResult;
  /** The knowledge-base page (markdown), loaded on demand. */
  page(): string;
}
