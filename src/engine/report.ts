import { ALL_RULES } from '../rules/index';
import type { Rule } from '../rules/rule';
import { compareFindings, compareStrings, isFailing, newRunId, type RunEvaluated, type RunInfo, type RunScope, type FailOn, type Finding, type ReportSummary, type ScanError, type ScanNote, type ScanReport } from '../model/report';
import { VERSION } from '../version';
import type { Config } from './config';

// Building a report: shared by `scan` and `audit`, and apart from both so the audit loads no parser.

export interface UnitResult {
  findings: Finding[];
  errors: ScanError[];
  /** Files read and recognised as templates, plans or Terraform. */
  filesScanned: number;
  /** Scans: those files, as findings' location.file spells them (RunEvaluated.files). */
  files?: string[];
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


function compareNotes(a: ScanNote, b: ScanNote): number {
  return (
    compareStrings(a.account ?? '', b.account ?? '') ||
    compareStrings(a.region ?? '', b.region ?? '') ||
    compareStrings(a.file ?? '', b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    compareStrings(a.message, b.message)
  );
}

/** `summary.expiredSuppressions`: findings whose suppression expired (absent when none). */
export function expiredCount(findings: readonly Finding[]): { expiredSuppressions?: number } {
  const n = findings.reduce((sum, f) => sum + (f.expiredSuppression ? 1 : 0), 0);
  return n > 0 ? { expiredSuppressions: n } : {};
}

/** What `scan` or `audit` knows of its run before the report is built (see RunInfo). */
export interface RunStart {
  command: RunInfo['command'];
  startedAt: Date;
  scope: RunScope;
  evaluated: RunEvaluated;
}

/** The run's record, ended now; evaluated lists come out deduplicated and in code-unit order. */
export function finishRun(start: RunStart): RunInfo {
  const evaluated: RunEvaluated = {};
  if (start.evaluated.files) evaluated.files = [...new Set(start.evaluated.files)].sort(compareStrings);
  if (start.evaluated.roots) evaluated.roots = [...new Set(start.evaluated.roots)].sort(compareStrings);
  if (start.evaluated.regions) {
    evaluated.regions = start.evaluated.regions
      .map((r) => ({ ...r, ruleIds: [...new Set(r.ruleIds)].sort(compareStrings) }))
      .sort((a, b) => compareStrings(a.account, b.account) || compareStrings(a.region, b.region));
  }
  if (start.evaluated.resources) {
    evaluated.resources = start.evaluated.resources
      .map((r) => ({ ...r, ruleIds: [...new Set(r.ruleIds)].sort(compareStrings) }))
      .sort((a, b) => compareStrings(a.account, b.account) || compareStrings(a.region, b.region) || compareStrings(a.arn, b.arn));
  }
  return {
    id: newRunId(start.startedAt),
    command: start.command,
    startedAt: start.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    scope: start.scope,
    evaluated,
  };
}

/** `notes`: live audits (skipped regions, resources deleted mid-audit); scans pass theirs only when there are some. */
export function buildReport(rules: Rule[], total: UnitResult, failOn: FailOn, notes?: ScanNote[], run?: RunStart): ScanReport {
  const findings = total.findings.sort(compareFindings);
  // Every key takes part, so concurrent audits (errors arriving in any order) report the same way each run.
  const byPlace = (a: ScanError, b: ScanError) =>
    compareStrings(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    compareStrings(a.call ?? '', b.call ?? '') ||
    compareStrings(a.message, b.message);
  // An error a source pinned on one resource alone (`resourceType`) can't change a verdict when no
  // selected rule checks that type: a warning. Everything else (no resourceType) stays an error.
  const checked = new Set(rules.flatMap((r) => r.meta.resourceTypes));
  const warnings = [...(total.warnings ?? [])];
  const errors: ScanError[] = [];
  for (const e of total.errors) (e.resourceType !== undefined && !checked.has(e.resourceType) ? warnings : errors).push(e);
  errors.sort(byPlace);
  warnings.sort(byPlace);
  const counts = findingCounts(findings, failOn);
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
      pass: counts.pass,
      fail: counts.fail,
      unknown: counts.unknown,
      suppressed: counts.suppressed,
      errors: errors.length,
      ...(warnings.length > 0 ? { warnings: warnings.length } : {}),
      filesScanned: total.filesScanned,
      failing: counts.failing,
      ...expiredCount(findings),
    },
    ...(run ? { run: finishRun(run) } : {}),
  };
}

/** The summary's counts of findings by verdict; a report counts them again when --baseline changes what is suppressed. */
export function findingCounts(findings: readonly Finding[], failOn: FailOn): Pick<ReportSummary, 'pass' | 'fail' | 'unknown' | 'suppressed' | 'failing'> {
  const count = (pred: (f: Finding) => boolean) => findings.reduce((n, f) => n + (pred(f) ? 1 : 0), 0);
  return {
    pass: count((f) => f.result === 'pass' && !f.suppressed),
    fail: count((f) => f.result === 'fail' && !f.suppressed),
    unknown: count((f) => f.result === 'unknown' && !f.suppressed),
    suppressed: count((f) => f.suppressed),
    failing: count((f) => isFailing(f, failOn)),
  };
}
