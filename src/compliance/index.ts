// Standards as data (one JSON file per standard version, beside this file; each mapping says its
// source and why) and what a report says of each requirement. The JSON files are imported
// statically so the bundle carries them: nothing is read from disk at run time.
import { compareFindings, compareStrings, findingKey, type Finding, type ScanError, type ScanNote, type ScanReport } from '../model/report';
import type { RuleMeta } from '../rules/rule';
import type { Requirement, RequirementResult, RequirementStatus, Standard } from './types';
import apraCps234 from './apra-cps-234.json';
import awsFsbp from './aws-fsbp.json';
import gdpr from './gdpr.json';
import hipaa from './hipaa.json';
import nist80053r4 from './nist-800-53-r4.json';
import nist80053r5 from './nist-800-53-r5.json';
import nist800171r2 from './nist-800-171-r2.json';
import nistCsf11 from './nist-csf-1.1.json';
import nistCsf20 from './nist-csf-2.0.json';
import pciDss321 from './pci-dss-3.2.1.json';
import pciDss40 from './pci-dss-4.0.json';

/** A standard as its data file holds it: the contract's Standard, plus how the mapping was made. */
export interface StandardData extends Standard {
  /** Other names `--standard` accepts (`pci` is the current PCI DSS). */
  aliases: string[];
  /** How the mappings were made and what they cover. */
  notes: string;
  /** Public mappings looked at and not adopted, each with the reason. */
  rejected: { id: string; source: string; why: string }[];
}

/** Every standard, in id order. */
const STANDARDS: readonly StandardData[] = (
  [apraCps234, awsFsbp, gdpr, hipaa, nist800171r2, nist80053r4, nist80053r5, nistCsf11, nistCsf20, pciDss321, pciDss40] as StandardData[]
).sort((a, b) => compareStrings(a.id, b.id));

export function listStandards(): readonly StandardData[] {
  return STANDARDS;
}

/** By id or alias, any case (`PCI-DSS-4.0`, `pci`, `nist-csf`); undefined when none. */
export function findStandard(id: string): StandardData | undefined {
  const wanted = id.trim().toLowerCase();
  if (wanted === '') return undefined;
  return STANDARDS.find((s) => s.id === wanted || s.aliases.includes(wanted));
}

/** The requirements a rule assesses, across every standard, in standard then file order. */
export function requirementsOf(ruleId: string): { standard: StandardData; requirement: Requirement }[] {
  const wanted = ruleId.toLowerCase();
  return STANDARDS.flatMap((standard) =>
    standard.requirements.filter((r) => r.rules.some((id) => id.toLowerCase() === wanted)).map((requirement) => ({ standard, requirement })),
  );
}

/** What assess() reads of a report: its rules, findings and errors (a ScanReport, or several merged by unionOfReports). */
export type AssessedReport = Pick<ScanReport, 'rules' | 'findings' | 'errors' | 'run'> & Pick<Partial<ScanReport>, 'notes'>;

/** A RequirementResult with why it has its status, for people. */
export interface AssessedRequirement extends RequirementResult {
  /** Why the status, e.g. `SageMaker-005 did not run`, `1 finding is unknown`. */
  why: string;
}

/**
 * Each requirement of the standard against the report, in the standard's order:
 * - `not-assessed` when no rule covers it, or its rules did not run or found nothing to check — never
 *   a pass;
 * - `fail` when a finding of its rules fails and is not suppressed (an expired suppression, or one
 *   without a reason, suppresses nothing);
 * - `unknown` when none fails but a finding is unknown, one of its rules did not run (what it would
 *   have checked is not known), or the run could not read everything (an error entry);
 * - `pass` otherwise: its rules ran on resources and every finding passed or is suppressed.
 */
export function assess(standard: Standard, report: AssessedReport): AssessedRequirement[] {
  // Sorted once: each requirement's findings are then a filter of this list, already in order.
  const findings = (Array.isArray(report.findings) ? [...report.findings] : []).sort(compareFindings);
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const ran = new Set((Array.isArray(report.rules) ? report.rules : []).map((r) => r.id));
  const errors = Array.isArray(report.errors) ? report.errors.length : 0;
  // A scan's notes about a file say what it did not evaluate there (a remote module or nested
  // stack, a macro, a file that is not regular): what that holds may fail (red team: a nested
  // stack moved to a remote template gave SageMaker.1 a pass beside the note). Config notes
  // (an exception that matched nothing) say nothing of the resources.
  const unevaluated = (Array.isArray(report.notes) ? report.notes : []).filter((n) => typeof n?.file === 'string' && !/^exceptions\[/.test(String(n.message))).length;
  return standard.requirements.map((requirement) => {
    if (requirement.rules.length === 0) return { requirement, status: 'not-assessed', findings: [], why: 'no rule assesses it' };
    const mine = requirement.rules.length === 1 ? (byRule.get(requirement.rules[0]!) ?? []) : findings.filter((f) => requirement.rules.includes(f.ruleId));
    // A rule with findings ran, whatever the report's rule list says (a report merged by hand).
    const notRun = requirement.rules.filter((id) => !ran.has(id) && !byRule.has(id));
    const failing = mine.filter((f) => verdictOf(f) === 'fail').length;
    const unknown = mine.filter((f) => verdictOf(f) === 'unknown').length;
    if (failing > 0) {
      const alsoUnknown = unknown > 0 ? `, ${unknown} unknown` : '';
      return { requirement, status: 'fail', findings: mine, why: `${count(failing, 'finding')} ${failing === 1 ? 'fails' : 'fail'}${alsoUnknown}` };
    }
    if (mine.length === 0) {
      const why =
        notRun.length === requirement.rules.length
          ? `${listed(notRun)} did not run`
          : notRun.length > 0
            ? `${listed(notRun)} did not run, and ${listed(requirement.rules.filter((id) => !notRun.includes(id)))} found nothing to check`
            : `${listed(requirement.rules)} found nothing to check`;
      return { requirement, status: 'not-assessed', findings: mine, why };
    }
    if (unknown > 0) return { requirement, status: 'unknown', findings: mine, why: `${count(unknown, 'finding')} ${unknown === 1 ? 'is' : 'are'} unknown` };
    if (notRun.length > 0) return { requirement, status: 'unknown', findings: mine, why: `${listed(notRun)} did not run: what it would check is not known` };
    if (errors > 0) return { requirement, status: 'unknown', findings: mine, why: `the run could not read everything (${count(errors, 'error')}): what it missed may fail` };
    if (unevaluated > 0) return { requirement, status: 'unknown', findings: mine, why: `the run did not evaluate everything (${count(unevaluated, 'note')}): what it left may fail` };
    return { requirement, status: 'pass', findings: mine, why: `${count(mine.length, 'finding')} checked, none failing` };
  });
}

/** Counts per status, in the order reports show them. */
export function countStatuses(results: readonly RequirementResult[]): Record<RequirementStatus, number> {
  const counts: Record<RequirementStatus, number> = { fail: 0, unknown: 0, pass: 0, 'not-assessed': 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/**
 * What a finding counts as for a requirement. A suppression counts only with a reason and while it
 * applies: a finding with `expiredSuppression` counts again (the run that wrote the report decided
 * the expiry). A verdict other than pass/fail/unknown is unknown.
 */
export function verdictOf(f: Finding): 'pass' | 'fail' | 'unknown' | 'suppressed' {
  const result = f.result === 'pass' || f.result === 'fail' ? f.result : 'unknown';
  if (result === 'pass') return 'pass';
  return isSuppressed(f) ? 'suppressed' : result;
}

function isSuppressed(f: Finding): boolean {
  if (f.suppressed !== true || f.expiredSuppression) return false;
  const reason = f.suppression?.reason;
  return typeof reason === 'string' && reason.trim() !== '';
}

/**
 * Several reports as one (a scan and an audit, two accounts' audits): rules and findings united,
 * errors kept. A finding in more than one report (the same key) counts once, with its worst
 * verdict, so giving a report twice changes nothing and an old pass cannot hide a new failure.
 */
export function unionOfReports(reports: readonly AssessedReport[]): AssessedReport {
  if (reports.length === 1) return reports[0]!;
  const rules = new Map<string, RuleMeta>();
  const findings = new Map<string, Finding>();
  const errors: ScanError[] = [];
  const notes: ScanNote[] = [];
  for (const report of reports) {
    for (const r of report.rules ?? []) if (!rules.has(r.id)) rules.set(r.id, r);
    for (const f of report.findings ?? []) {
      const key = findingKey(f);
      const seen = findings.get(key);
      if (!seen || severity(f) > severity(seen)) findings.set(key, f);
    }
    errors.push(...(report.errors ?? []));
    notes.push(...(report.notes ?? []));
  }
  return { rules: [...rules.values()], findings: [...findings.values()].sort(compareFindings), errors, ...(notes.length ? { notes } : {}) };
}

function severity(f: Finding): number {
  return { fail: 3, unknown: 2, suppressed: 1, pass: 0 }[verdictOf(f)];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function listed(ids: readonly string[]): string {
  return ids.length <= 1 ? (ids[0] ?? '') : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}
