import { findingKey, type Finding, type ScanReport } from '../model/report';
import type { Risk, RuleMeta } from '../rules/rule';
import type { ScanError, ScanNote } from '../sources/source';
import { compareFindings, describeExpiredSuppression, describeSuppression, errorText, isWebUrl, riskAtLeast } from './shared';
import { safeJson } from './printable';

// Only the SARIF 2.1.0 subset this reporter writes.
type Level = 'error' | 'warning' | 'note';

interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

interface SarifLocation {
  physicalLocation: {
    artifactLocation: SarifArtifactLocation;
    region?: { startLine: number; startColumn?: number };
  };
  logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: Level };
  properties: { tags: string[]; 'security-severity': string; precision: 'very-high'; risk: Risk };
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: Level;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: 'inSource' | 'external'; justification: string; location?: SarifLocation }[];
  properties: { verdict: Finding['result']; risk: Risk; resourceType: string; resourceSource: string; resourceDetails?: Record<string, string> };
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/cloudconform/cloudconform';
export const SOURCE_ROOT = '%SRCROOT%';
export const FINGERPRINT_KEY = 'cloudconformFingerprint/v1';

/** GitHub code scanning ranks alerts by this CVSS-like score (> 9 critical, >= 7 high, >= 4 medium). */
export const SECURITY_SEVERITY: Readonly<Record<Risk, string>> = {
  Low: '3.0',
  Medium: '5.5',
  High: '7.5',
  'Very High': '8.5',
  Extreme: '9.5',
};

/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Failures and unknowns become
 * results (unknowns as notes, so they stay visible without blocking); passes are not results.
 * Suppressed findings stay in, marked with `suppressions`, as SARIF asks.
 */
export function renderSarif(report: ScanReport): string {
  const rules = collectRules(report);
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const results = report.findings
    .filter((f) => f.result !== 'pass')
    .sort(compareFindings)
    .map((f) => toResult(f, ruleIndex.get(f.ruleId)));

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules: rules.map(toRule),
          },
        },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: [
              ...report.errors.map((e) => toNotification(e, 'error')),
              ...(report.warnings ?? []).map((e) => toNotification(e, 'warning')),
              // Notes too (paths left out, templates not evaluated, regions skipped): code scanning
              // is where many teams read the run, and what was not checked must show there.
              ...(report.notes ?? []).map((n) => noteNotification(n)),
            ],
          },
        ],
        originalUriBaseIds: {
          // No absolute uri: the paths are relative to wherever the scan ran, which the report doesn't record.
          [SOURCE_ROOT]: { description: { text: 'The directory the scan ran in; result paths are relative to it.' } },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return safeJson(log, 2);
}

/** The report's rules, plus a bare descriptor for any finding whose rule metadata is missing, so every ruleIndex resolves. */
function collectRules(report: ScanReport): RuleMeta[] {
  const rules = [...report.rules];
  const known = new Set(rules.map((r) => r.id));
  for (const f of report.findings) {
    if (f.result === 'pass' || known.has(f.ruleId)) continue;
    known.add(f.ruleId);
    rules.push({
      id: f.ruleId,
      title: f.ruleId,
      risk: f.risk,
      standards: [],
      resourceTypes: [],
      rationale: '',
      remediation: '',
      references: [],
      aliases: [],
    });
  }
  return rules;
}

function toRule(rule: RuleMeta): SarifRule {
  const title = rule.title || rule.id;
  const helpUri = rule.references.find(isWebUrl);
  return {
    id: rule.id,
    name: pascalCase(title) || pascalCase(rule.id),
    shortDescription: { text: title },
    fullDescription: { text: rule.rationale || title },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: failLevel(rule.risk) },
    properties: {
      tags: [...new Set([...rule.standards, 'security'])],
      'security-severity': SECURITY_SEVERITY[rule.risk],
      precision: 'very-high',
      risk: rule.risk,
    },
  };
}

function helpText(rule: RuleMeta): string {
  const parts = [rule.remediation || rule.title || rule.id];
  if (rule.references.length > 0) parts.push(`References:\n${rule.references.map((r) => `- ${r}`).join('\n')}`);
  return parts.join('\n\n');
}

function helpMarkdown(rule: RuleMeta): string {
  const parts = [`**${escapeMarkdown(rule.title || rule.id)}** (${rule.id}, risk: ${rule.risk})`];
  if (rule.rationale) parts.push(escapeMarkdown(rule.rationale));
  if (rule.remediation) parts.push(`**Remediation:** ${escapeMarkdown(rule.remediation)}`);
  if (rule.references.length > 0) {
    const links = rule.references.map((r) => (isWebUrl(r) ? `- <${r}>` : `- ${escapeMarkdown(r)}`));
    parts.push(`**References:**\n${links.join('\n')}`);
  }
  return parts.join('\n\n');
}

function toResult(f: Finding, ruleIndex: number | undefined): SarifResult {
  const unknown = f.result === 'unknown';
  const location: SarifLocation = {
    ...physicalLocation(f.location.file, f.location.line, f.location.column),
    logicalLocations: [{ name: f.resource.id, fullyQualifiedName: f.resource.id, kind: 'resource' }],
  };
  const expired = describeExpiredSuppression(f);
  const verdictText = unknown
    ? `The verdict is unknown: the check could not decide for ${f.resource.id}. ${f.message || 'No reason given.'}`
    : f.message || `${f.ruleId} failed for ${f.resource.id}.`;
  // An expired suppression is not a SARIF suppression (the result counts again): the message says it.
  const text = expired ? `${verdictText} (${expired})` : verdictText;
  const result: SarifResult = {
    ruleId: f.ruleId,
    // collectRules gives every result's rule a descriptor, so the index is always there.
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    // An unknown is an open question rather than a failure: a note keeps it in the alert list without
    // the weight of an error. `kind` stays the default "fail": SARIF requires level "none" for any other kind.
    level: unknown ? 'note' : failLevel(f.risk),
    message: { text },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: findingKey(f) },
    properties: {
      verdict: f.result,
      risk: f.risk,
      resourceType: f.resource.type,
      resourceSource: f.resource.source,
      ...(f.resource.details ? { resourceDetails: f.resource.details } : {}),
      ...(f.expiredSuppression ? { expiredSuppression: f.expiredSuppression } : {}),
    },
  };
  if (f.suppressed) {
    const s = f.suppression;
    result.suppressions = [
      {
        // Written in the template (ours or Checkov's) or kept apart from it (config, baseline).
        kind: s?.source === 'inline' || s?.source === 'checkov' ? 'inSource' : 'external',
        justification: s?.reason || describeSuppression(f),
        ...(s?.file ? { location: physicalLocation(s.file, s.line ?? 0) } : {}),
      },
    ];
  }
  return result;
}

function toNotification(error: ScanError, level: 'error' | 'warning') {
  return {
    level,
    message: { text: `${error.file}: ${errorText(error)}` },
    // A warning about a command-line option (`--var NAME`) has no file to point at.
    ...(error.file.startsWith('--') ? {} : { locations: [physicalLocation(error.file, error.line ?? 0)] }),
  };
}

function noteNotification(note: ScanNote) {
  const where = [note.account, note.region].filter(Boolean).join('/');
  return {
    level: 'note' as const,
    message: { text: `${where ? `${where}: ` : ''}${note.message}` },
    ...(note.file && !note.file.startsWith('--') ? { locations: [physicalLocation(note.file, note.line ?? 0)] } : {}),
  };
}

function physicalLocation(file: string, line: number, column?: number): SarifLocation {
  const region =
    Number.isInteger(line) && line >= 1
      ? { startLine: line, ...(column !== undefined && Number.isInteger(column) && column >= 1 ? { startColumn: column } : {}) }
      : undefined;
  return { physicalLocation: { artifactLocation: artifactLocation(file), ...(region ? { region } : {}) } };
}

/**
 * Relative paths become relative URIs under %SRCROOT%, which is what code scanning matches against
 * repository files. Absolute paths (a scan outside the checkout) become file: URIs, since a base would be wrong.
 */
export function artifactLocation(file: string): SarifArtifactLocation {
  // Already a URI (a live audit's `aws://ACCOUNT/REGION`): absolute, so no base.
  const scheme = URI_SCHEME.exec(file);
  if (scheme) return { uri: `${scheme[0]}${encodePath(file.slice(scheme[0].length))}` };
  const slashed = file.replace(/\\/g, '/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive) return { uri: `file:///${drive[1]}:/${encodePath(slashed.slice(3))}` };
  if (slashed.startsWith('//')) return { uri: `file:${encodePath(slashed)}` };
  if (slashed.startsWith('/')) return { uri: `file://${encodePath(slashed)}` };
  const relative = slashed.replace(/^(\.\/)+/, '');
  return { uri: encodePath(relative || '.'), uriBaseId: SOURCE_ROOT };
}

/** `scheme://`, with a scheme longer than a Windows drive letter. */
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;

/** Percent-encodes each path segment, keeping `/`. `:` is encoded too: in a first segment it would read as a scheme. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      segment.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=@]/gu, (ch) =>
        [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
      ),
    )
    .join('/');
}

/**
 * Stable across runs and line moves: the same rule on the same resource in the same file is the
 * same alert, so code scanning tracks it instead of opening a new one when lines shift.
 */

function failLevel(risk: Risk): Level {
  return riskAtLeast(risk, 'High') ? 'error' : 'warning';
}

/** `SageMaker notebook instances should not have direct internet access` → `SageMakerNotebookInstancesShouldNotHaveDirectInternetAccess`. */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}


function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}
