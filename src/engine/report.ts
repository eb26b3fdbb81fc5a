import type { Risk, RuleMeta, Verdict } from '../rules/rule';
import type { ScanError, ScanNote } from '../sources/source';

/** One rule evaluated against one resource. This shape is the JSON report's stable contract. */
export interface Finding {
  ruleId: string;
  result: Verdict;
  resource: {
    /** CloudFormation type name whatever the source. */
    type: string;
    /** Logical id, Terraform address or ARN. */
    id: string;
    source: string;
    /** Live resources: account, region, name, status. */
    details?: Record<string, string>;
  };
  location: { file: string; line: number; column?: number };
  message: string;
  risk: Risk;
  suppressed: boolean;
  /** Present when suppressed: why, and where the suppression was written. */
  suppression?: { reason: string; source: 'inline' | 'config'; file?: string; line?: number };
}

export interface ReportSummary {
  resources: number;
  findings: number;
  pass: number;
  fail: number;
  unknown: number;
  suppressed: number;
  errors: number;
  filesScanned: number;
  /** Non-suppressed failures at or above the --fail-on risk. */
  failing: number;
}

export interface ScanReport {
  version: 1;
  tool: { name: 'cloudconform'; version: string };
  /** The rules that ran, for reporters that describe them (SARIF, text). */
  rules: RuleMeta[];
  findings: Finding[];
  errors: ScanError[];
  /** Live audits: regions skipped and why, resources deleted mid-audit. Absent for IaC scans. */
  notes?: ScanNote[];
  summary: ReportSummary;
}
