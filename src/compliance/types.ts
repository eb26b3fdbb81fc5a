// The compliance contract: standards as data (one JSON file per standard version in this folder)
// and what a report says of each requirement. Implementation: index.ts.

export interface Requirement {
  /** The standard's own id, e.g. `1.3.1`, `164.312(a)(1)`, `SC-7(3)`, `PR.AC-5`. */
  id: string;
  /** What it asks, in our own words (never the standard's text). */
  title: string;
  /** The rule ids that assess it (empty: no rule covers it, so it is "not assessed"). */
  rules: string[];
  /** Where the mapping comes from (a public mapping checked against the standard, or "cloudconform" with the reasoning). */
  source: string;
  /** Why the rules assess it (required when `source` is our own). */
  reasoning?: string;
}

export interface Standard {
  /** Command-line id, e.g. `pci-dss-4.0`, `hipaa`, `nist-800-53-r5`, `aws-fsbp`. */
  id: string;
  name: string;
  version: string;
  /** The standard's public home page. */
  url?: string;
  requirements: Requirement[];
}

export type RequirementStatus = 'pass' | 'fail' | 'unknown' | 'not-assessed';

export interface RequirementResult {
  requirement: Requirement;
  /**
   * `not-assessed`: no rule covers it, or none of its rules ran or found a resource to check
   * (never shown as passing); `fail`: a non-suppressed failing finding of one of its rules;
   * `unknown`: none failed but some finding is unknown; `pass`: its rules ran on resources and
   * every finding passed (or is suppressed with a reason).
   */
  status: RequirementStatus;
  findings: import('../model/report').Finding[];
}
