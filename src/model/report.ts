// The report contract at the bottom of the stack: what every source, the engine, the reporters
// and the CLI agree on. The JSON report is this shape (`version: 1`); src/engine/report.ts builds it.
import { createHash, randomBytes } from 'node:crypto';
import { RISK_ORDER, type Risk, type RuleMeta, type Verdict } from '../rules/rule';

/** A problem with one input: it is reported and the scan goes on. */
export interface ScanError {
  /** The input file; for live audits an `aws://ACCOUNT/REGION` style locator of what failed. */
  file: string;
  message: string;
  line?: number;
  /** Live audits: where the call that failed was made. */
  account?: string;
  region?: string;
  /** Live audits: the API call, e.g. `sagemaker:DescribeNotebookInstance`. */
  call?: string;
  /**
   * Set only when the error concerns this one resource and nothing else in the file (a duplicate
   * `kubernetes_pod` block): its CloudFormation type name, or the Terraform type when it has no
   * CloudFormation name. The report then makes it a warning when no selected rule checks that type.
   */
  resourceType?: string;
}

/**
 * Something the user should know that is not an error: a region skipped, a resource gone
 * mid-audit, a Terraform module that was not evaluated.
 */
export interface ScanNote {
  message: string;
  /** Scans: the file (and line) the note is about. */
  file?: string;
  line?: number;
  account?: string;
  region?: string;
}

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
    /**
     * Live resources: where the resource is, typed. `location.file` still says `aws://ACCOUNT/REGION`
     * (line 0) for version 1 readers; read these instead.
     */
    live?: LiveIdentity;
    /**
     * Live resources: their tags, present only when the run was asked to keep them (`--notify-tag`,
     * which filters notifications on them) and they were read. Absent: unknown, not "no tags".
     */
    tags?: Record<string, string>;
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

/** A live resource's identity. */
export interface LiveIdentity {
  account: string;
  region: string;
  arn: string;
}

/**
 * A live finding's account, region and ARN: `resource.live`, or for reports written before it
 * existed (0.1), the `aws://ACCOUNT/REGION` locator (line 0) and the resource id (the ARN).
 * Undefined for a scan's findings. History, HTML and every export read live places through this.
 */
export function liveIdentityOf(f: Pick<Finding, 'resource' | 'location'>): LiveIdentity | undefined {
  if (f.resource.live) return f.resource.live;
  const m = f.location.line === 0 ? /^aws:\/\/([^/]+)\/([^/]+)$/.exec(f.location.file) : null;
  return m ? { account: m[1]!, region: m[2]!, arn: f.resource.id } : undefined;
}

/**
 * One order for findings everywhere (reports, every format, history, diffs): file, line, column,
 * rule, resource id, each compared by UTF-16 code units, so the order is the same on every machine
 * and locale (`localeCompare` put `B` after `a` under some locales and not others).
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.file, b.location.file) ||
    a.location.line - b.location.line ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.resource.id, b.resource.id) ||
    compareStrings(a.resource.root ?? '', b.resource.root ?? '')
  );
}

/** Code-unit order (see compareFindings). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One run of `scan` or `audit`: its identity, when it ran, what it was asked to look at, and what
 * it actually evaluated. The history compares runs of the same `scope.key`; a finding is resolved
 * only where `evaluated` says this run looked (a region that errored, a narrower `--regions`, a
 * file left out or unreadable resolves nothing).
 */
export interface RunInfo {
  /** Unique, and sorts by start time: `20261204T193000Z-3fa9c1d2`. */
  id: string;
  /** `event`: `handle-event` (or the Lambda handler) describing the resources a batch of CloudTrail events named. */
  command: 'scan' | 'audit' | 'event';
  /** ISO 8601, UTC, milliseconds. */
  startedAt: string;
  endedAt: string;
  scope: RunScope;
  evaluated: RunEvaluated;
}

export interface RunScope {
  /**
   * Runs with the same key are compared. Scans: `scan:` and the repository (its origin remote, else
   * its path; see scanScope), with `@DIR` when run below its root; audits: `audit:` and the account
   * selection (`organization`, `accounts:111111111111,222222222222`, `caller:111111111111`).
   */
  key: string;
  /** For people: the paths scanned, or the accounts and regions asked for. */
  label: string;
}

export interface RunEvaluated {
  /**
   * Scans: every file read, as findings' `location.file` spells it. A file with an error entry
   * that names no resource (`resourceType` absent) was not fully evaluated.
   */
  files?: string[];
  /**
   * Scans: the directories named (as `files` spells paths; `.` for the working directory). A file
   * below one of them that no longer exists was deleted: what it held is resolved when the history
   * records the run (it checks the file system then; a diff of two report files can't).
   */
  roots?: string[];
  /** Audits: each account and region whose listing of a rule's resources completed, with those rules. */
  regions?: { account: string; region: string; ruleIds: string[] }[];
  /**
   * Event runs: each live resource described (or found gone) with the rules run on it. Such a run
   * says nothing of any other resource of its scope: the history leaves their findings as they
   * were (not even `not-evaluated`); a resource listed here with no finding left is resolved.
   */
  resources?: { account: string; region: string; arn: string; ruleIds: string[] }[];
}

/** A new run id: the start time (seconds, UTC) and 8 random hex digits. */
export function newRunId(started: Date): string {
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
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
  /** The run this report is of (absent in reports written before 0.2, and in reports merged by hand). */
  run?: RunInfo;
}

/** The lowest risk whose failures make the exit code 1; `None`: findings never do (`--fail-on none`). */
export type FailOn = Risk | 'None';

export function isFailing(f: Finding, failOn: FailOn): boolean {
  if (failOn === 'None') return false;
  return f.result === 'fail' && !f.suppressed && RISK_ORDER.indexOf(f.risk) >= RISK_ORDER.indexOf(failOn);
}

