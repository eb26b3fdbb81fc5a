import { findingKey, type Finding, type ScanReport } from '../model/report';
import type { Risk, RuleMeta } from '../rules/rule';
import type { ScanError } from '../sources/source';
import { INFORMATION_URI } from './sarif';
import { compareFindings, describeExpiredSuppression, errorText, formatLocation, isWebUrl } from './shared';
import { safeJson } from './printable';

/** The GitLab security report schema this output follows (validated against it in gitlab-sast.test.ts). */
export const GITLAB_SAST_VERSION = '15.0.7';
export const GITLAB_SAST_SCHEMA = `https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v${GITLAB_SAST_VERSION}/dist/sast-report-format.json`;

type Severity = 'Info' | 'Unknown' | 'Low' | 'Medium' | 'High' | 'Critical';

/**
 * Our five risks onto GitLab's four severities, as the SARIF output ranks them for GitHub
 * (security-severity 8.5 is "high" there, 9.5 "critical"), so one finding has one rank everywhere.
 * An unknown verdict is `Unknown`: whether it is a vulnerability at all is what is not known.
 */
export const GITLAB_SEVERITY: Readonly<Record<Risk, Severity>> = {
  Low: 'Low',
  Medium: 'Medium',
  High: 'High',
  'Very High': 'High',
  Extreme: 'Critical',
};

// The schema's limits (maxLength); longer text is cut so GitLab does not reject the whole report.
const MAX_NAME = 255;
const MAX_DESCRIPTION = 1_048_576;
const MAX_SOLUTION = 7_000;
const MAX_MESSAGE = 10_000;

export interface GitlabSastOptions {
  /** The scan's time (start and end: the report records no duration); now when absent. */
  now?: Date;
}

/**
 * GitLab's SAST report (`artifacts: reports: sast:`), shown in merge requests and the
 * vulnerability report. Failures and unknowns that are not suppressed are vulnerabilities; passes
 * and suppressed findings are not (GitLab has no place for a suppression). Errors and warnings are
 * scan messages; errors make the status `failure`, since the scan did not see everything.
 */
export function renderGitlabSast(report: ScanReport, options: GitlabSastOptions = {}): string {
  const time = gitlabTime(options.now ?? new Date());
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  const tool = {
    id: 'cloudconform',
    name: 'cloudconform',
    url: INFORMATION_URI,
    version: report.tool.version,
    vendor: { name: 'cloudconform' },
  };
  const seen = new Map<string, number>();
  const vulnerabilities = report.findings
    .filter((f) => f.result !== 'pass' && !f.suppressed)
    .sort(compareFindings)
    .map((f) => {
      // The finding key is stable across runs; two findings with one key (a resource id repeated
      // in a file) still need distinct ids, so later ones are numbered.
      const key = findingKey(f);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      return toVulnerability(f, rules.get(f.ruleId), n === 1 ? key : `${key}-${n}`);
    });
  const messages = [
    ...report.errors.map((e) => message('warn', 'error', e)),
    ...(report.warnings ?? []).map((e) => message('info', 'warning', e)),
    ...(report.notes ?? []).map((n) => ({ level: 'info' as const, value: cut(`note: ${n.file ? `${formatLocation(n.file, n.line)}: ` : ''}${n.message}`, MAX_MESSAGE) })),
  ];
  const out = {
    version: GITLAB_SAST_VERSION,
    schema: GITLAB_SAST_SCHEMA,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: 'sast',
      start_time: time,
      end_time: time,
      status: report.errors.length === 0 ? 'success' : 'failure',
      ...(messages.length > 0 ? { messages } : {}),
    },
    vulnerabilities,
  };
  return safeJson(out, 2);
}

function toVulnerability(f: Finding, rule: RuleMeta | undefined, id: string) {
  const unknown = f.result === 'unknown';
  const title = rule?.title || f.ruleId;
  const description = [
    unknown ? `The verdict is unknown: the check could not decide for ${f.resource.id} (${f.risk} risk if it fails). ${f.message}` : f.message,
    describeExpiredSuppression(f) ?? '',
    rule?.rationale ?? '',
  ].filter(Boolean);
  const links = (rule?.references ?? []).filter(isWebUrl).map((url) => ({ url }));
  return {
    id,
    name: cut(unknown ? `Unknown: ${title}` : title, MAX_NAME),
    description: cut(description.join('\n\n'), MAX_DESCRIPTION),
    severity: unknown ? 'Unknown' : GITLAB_SEVERITY[f.risk],
    ...(rule?.remediation ? { solution: cut(rule.remediation, MAX_SOLUTION) } : {}),
    identifiers: [
      // The first identifier is GitLab's primary one: it groups the vulnerability with the same rule's elsewhere.
      { type: 'cloudconform_rule_id', name: `cloudconform ${f.ruleId}`, value: f.ruleId },
      // The same control in other tools (Checkov CKV_AWS_122, Security Hub SageMaker.1): type `checkov_id`, `aws_security_hub_id`.
      ...(rule?.aliases ?? []).map((a) => ({ type: `${snakeCase(a.tool)}_id`, name: `${a.tool} ${a.id}`, value: a.id })),
    ],
    ...(links.length > 0 ? { links } : {}),
    location: {
      file: f.location.file,
      ...(Number.isInteger(f.location.line) && f.location.line >= 1 ? { start_line: f.location.line } : {}),
    },
    details: {
      resource: { name: 'Resource', type: 'text', value: f.resource.id },
      resource_type: { name: 'Resource type', type: 'text', value: f.resource.type },
      verdict: { name: 'Verdict', type: 'text', value: f.result },
      risk: { name: 'Risk', type: 'text', value: f.risk },
      ...(f.expiredSuppression ? { expired_suppression: { name: 'Expired suppression', type: 'text', value: describeExpiredSuppression(f)! } } : {}),
    },
  };
}

function message(level: 'warn' | 'info', label: string, e: ScanError) {
  return { level, value: cut(`${label}: ${formatLocation(e.file, e.line)}: ${errorText(e)}`, MAX_MESSAGE) };
}

/** `yyyy-mm-ddThh:mm:ss` in UTC, the only form the schema accepts. */
function gitlabTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/** `AWS Security Hub` → `aws_security_hub`, `cdk-nag` → `cdk_nag`. */
function snakeCase(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'other';
}

