import { createHash } from 'node:crypto';
import { ALL_RULES } from '../rules/index';
import { RISK_ORDER, type Risk, type Rule, type RuleMeta, type Verdict } from '../rules/rule';
import type { ScanError, ScanNote } from '../sources/source';
import { VERSION } from '../version';
import type { Config } from './config';

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
    /** The Terraform root module or top template this instance is deployed from, when not its own file (a shared module, a nested stack). */
    root?: string;
  };
  location: { file: string; line: number; column?: number };
  message: string;
  risk: Risk;
  suppressed: boolean;
  /** Present when suppressed: why, and where the suppression was written. */
  suppression?: Suppression;
  /**
   * A suppression that names this finding but whose `expires` date has passed: it no longer
   * applies, and every report says so ("suppression expired on 2024-01-31 (reason ...)").
   */
  expiredSuppression?: Suppression & { expires: string };
}

/**
 * Why a finding is suppressed. `inline`: a `cloudconform:skip` in the template; `checkov`: a
 * Checkov skip (`#checkov:skip=CKV_AWS_122:reason`, `Metadata.checkov.skip`) honoured so teams
 * moving over keep their decisions; `config`: an exception in `.cloudconform.yml`; `baseline`:
 * the finding's key is in the `--baseline` file.
 */
export interface Suppression {
  reason: string;
  source: 'inline' | 'checkov' | 'config' | 'baseline';
  file?: string;
  line?: number;
  /** The last day it applies (YYYY-MM-DD), when it has one. */
  expires?: string;
}

/**
 * The finding's stable identity across runs: rule, resource id and file (forward slashes, no
 * leading `./`); for live resources the file is `aws://ACCOUNT/REGION` and the id the ARN. SARIF's
 * partial fingerprint and baselines use it.
 */
export function findingKey(f: Pick<Finding, 'ruleId' | 'resource' | 'location'>): string {
  const file = f.location.file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  // The root joins the key only where there is one, so every other finding keeps its key.
  const root = f.resource.root?.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const parts = root === undefined ? [f.ruleId, f.resource.id, file] : [f.ruleId, f.resource.id, file, root];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
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
  /** Findings whose suppression has expired (present when some). */
  expiredSuppressions?: number;
  /** `warnings` entries (present when some). */
  warnings?: number;
}

export interface ScanReport {
  version: 1;
  tool: { name: 'cloudconform'; version: string };
  /** The rules that ran, for reporters that describe them (SARIF, text). */
  rules: RuleMeta[];
  findings: Finding[];
  errors: ScanError[];
  /**
   * Problems that can't change a verdict: an error about a resource no selected rule checks (a
   * duplicate `kubernetes_pod`). They don't change the exit code (absent when none).
   */
  warnings?: ScanError[];
  /** Live audits: regions skipped and why, resources deleted mid-audit. Scans: what was not evaluated (absent when nothing). */
  notes?: ScanNote[];
  summary: ReportSummary;
}

// Building a report: shared by `scan` and `audit`, and apart from both so the audit loads no parser.

export interface UnitResult {
  findings: Finding[];
  errors: ScanError[];
  /** Files read and recognised as templates, plans or Terraform. */
  filesScanned: number;
  resources: number;
  /** Scans: what a source did not evaluate (see SourceResult.notes). */
  notes?: ScanNote[];
  /** Scans: problems that can't change a verdict (a named file that is not a template...). */
  warnings?: ScanError[];
  /** Indices of the config exceptions that matched some finding (expired ones too), for unusedExceptionNotes. */
  matchedExceptions?: number[];
  /** Scans given `--var`/`--var-file`/`--parameter`: which of those names the unit declares (see scan.ts). */
  declaredInputs?: DeclaredInputs;
  /** Scans: indices of the named directories (ScanUnitContext.namedDirs) in which a template was found. */
  templatesIn?: number[];
}

/** Of the input names the user gave, those some scanned configuration declares; and what each `--var-file` sets. */
export interface DeclaredInputs {
  /** Variables a Terraform root module declares. */
  variables: string[];
  /** Parameters a CloudFormation template declares. */
  parameters: string[];
  /** `--var-file` path -> the variables it sets (for the files a Terraform unit read). */
  varFiles: Record<string, string[]>;
}

export function emptyUnitResult(): UnitResult {
  return { findings: [], errors: [], filesScanned: 0, resources: 0 };
}

export function selectRules(config: Config, ruleIds?: string[]): Rule[] {
  const lower = (xs: string[] | undefined) => xs?.map((x) => x.toLowerCase());
  const include = lower(ruleIds) ?? lower(config.rules?.include);
  const exclude = lower(config.rules?.exclude) ?? [];
  return ALL_RULES.filter((r) => {
    const id = r.meta.id.toLowerCase();
    return (!include?.length || include.includes(id)) && !exclude.includes(id);
  });
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    a.location.file.localeCompare(b.location.file) ||
    a.location.line - b.location.line ||
    a.resource.id.localeCompare(b.resource.id) ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

function compareNotes(a: ScanNote, b: ScanNote): number {
  return (
    (a.account ?? '').localeCompare(b.account ?? '') ||
    (a.region ?? '').localeCompare(b.region ?? '') ||
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    a.message.localeCompare(b.message)
  );
}

/** The lowest risk whose failures make the exit code 1; `None`: findings never do (`--fail-on none`). */
export type FailOn = Risk | 'None';

export function isFailing(f: Finding, failOn: FailOn): boolean {
  if (failOn === 'None') return false;
  return f.result === 'fail' && !f.suppressed && RISK_ORDER.indexOf(f.risk) >= RISK_ORDER.indexOf(failOn);
}

/** `summary.expiredSuppressions`: findings whose suppression expired (absent when none). */
export function expiredCount(findings: readonly Finding[]): { expiredSuppressions?: number } {
  const n = findings.reduce((sum, f) => sum + (f.expiredSuppression ? 1 : 0), 0);
  return n > 0 ? { expiredSuppressions: n } : {};
}

/** `notes`: live audits (skipped regions, resources deleted mid-audit); scans pass theirs only when there are some. */
export function buildReport(rules: Rule[], total: UnitResult, failOn: FailOn, notes?: ScanNote[]): ScanReport {
  const findings = total.findings.sort(compareFindings);
  // Every key takes part, so concurrent audits (errors arriving in any order) report the same way each run.
  const byPlace = (a: ScanError, b: ScanError) =>
    a.file.localeCompare(b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.call ?? '').localeCompare(b.call ?? '') ||
    a.message.localeCompare(b.message);
  // An error a source pinned on one resource alone (`resourceType`) can't change a verdict when no
  // selected rule checks that type: a warning. Everything else (no resourceType) stays an error.
  const checked = new Set(rules.flatMap((r) => r.meta.resourceTypes));
  const warnings = [...(total.warnings ?? [])];
  const errors: ScanError[] = [];
  for (const e of total.errors) (e.resourceType !== undefined && !checked.has(e.resourceType) ? warnings : errors).push(e);
  errors.sort(byPlace);
  warnings.sort(byPlace);
  const count = (pred: (f: Finding) => boolean) => findings.reduce((n, f) => n + (pred(f) ? 1 : 0), 0);
  return {
    version: 1,
    tool: { name: 'cloudconform', version: VERSION },
    rules: rules.map((r) => r.meta),
    findings,
    errors,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(notes ? { notes: [...notes].sort(compareNotes) } : {}),
    summary: {
      resources: total.resources,
      findings: findings.length,
      pass: count((f) => f.result === 'pass' && !f.suppressed),
      fail: count((f) => f.result === 'fail' && !f.suppressed),
      unknown: count((f) => f.result === 'unknown' && !f.suppressed),
      suppressed: count((f) => f.suppressed),
      errors: errors.length,
      ...(warnings.length > 0 ? { warnings: warnings.length } : {}),
      filesScanned: total.filesScanned,
      failing: count((f) => isFailing(f, failOn)),
      ...expiredCount(findings),
    },
  };
}
