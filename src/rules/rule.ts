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

export interface Rule {
  meta: RuleMeta;
  /** Pure: reads the resource, returns a verdict. Never throws for any input. */
  check(resource: Resource): CheckResult;
  /** The knowledge-base page (markdown), loaded on demand. */
  page(): string;
}
