// The AWS Security Finding Format (ASFF), what Security Hub's BatchImportFindings takes: `--format
// asff` writes the report's findings as a JSON array of them, and `export securityhub` imports them.
// Limits and values from the Security Hub API reference (botocore's securityhub 2018-10-26 model).
import { createHash } from 'node:crypto';
import { findingKey, compareFindings, liveIdentityOf, type Finding, type LiveIdentity, type ScanReport } from '../model/report';
import type { Risk, RuleMeta } from '../rules/rule';
import { VERSION } from '../version';
import { printable } from './printable';
import { jsonArrayLines } from './json-lines';
import { describeSuppression, isWebUrl } from './shared';
import { relatedRequirements } from './requirements';

export interface AsffResource {
  Type: string;
  Id: string;
  Partition?: 'aws' | 'aws-cn' | 'aws-us-gov';
  Region?: string;
  Details?: { Other: Record<string, string> };
}

export type ComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

/** The subset of AwsSecurityFinding this tool writes (and reads back to archive). */
export interface AsffFinding {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Region?: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: SeverityLabel; Original: string };
  Title: string;
  Description: string;
  Remediation?: { Recommendation: { Text: string; Url?: string } };
  ProductFields: Record<string, string>;
  Resources: AsffResource[];
  Compliance: { Status: ComplianceStatus; RelatedRequirements?: string[] };
  RecordState: 'ACTIVE' | 'ARCHIVED';
  Workflow?: { Status: WorkflowStatus };
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
}

/** Documented limits: string lengths (characters), list sizes, map sizes. */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  resourceRegion: 16,
  recommendation: 512,
  note: 512,
  severityOriginal: 64,
  relatedRequirements: 32,
  resources: 32,
  types: 50,
  fieldMapEntries: 50,
  fieldMapKey: 128,
  productFieldValue: 2048,
  otherValue: 1024,
} as const;

/**
 * Placeholders for a scan's findings when no account and region are given: a scan reads files,
 * which belong to no account. `export securityhub` imports them under the caller's account and
 * region instead; Security Hub refuses an account that isn't the caller's.
 */
export const PLACEHOLDER_ACCOUNT = '000000000000';
export const PLACEHOLDER_REGION = 'us-east-1';

export interface AsffOptions {
  /** Where findings without a live identity (scans) go: the importing account and region. */
  target?: { account: string; region: string };
}


/** `arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default`: findings a customer imports itself. */
export function defaultProductArn(account: string, region: string): string {
  return `arn:${partitionOfRegion(region)}:securityhub:${region}:${account}:product/${account}/default`;
}

function partitionOfRegion(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

const SEVERITY: Readonly<Record<Risk, SeverityLabel>> = {
  Low: 'LOW',
  Medium: 'MEDIUM',
  High: 'HIGH',
  // As SARIF's security-severity bands: Very High is high (8.5), Extreme critical (9.5).
  'Very High': 'HIGH',
  Extreme: 'CRITICAL',
};

/** ASFF's resource types: the notebook has its own; a Studio domain has none in the list, so `Other`. */
const RESOURCE_TYPE: Readonly<Record<string, string>> = {
  'AWS::SageMaker::NotebookInstance': 'AwsSageMakerNotebookInstance',
};

/** Our standards' short names as ASFF type classifiers (namespace/category/classifier). */
const STANDARD_TYPES: Readonly<Record<string, string>> = {
  PCI: 'PCI-DSS',
  HIPAA: 'HIPAA Controls (USA)',
  NIST: 'NIST 800-53 Controls (USA)',
};
const TYPE_PREFIX = 'Software and Configuration Checks/Industry and Regulatory Standards';

/**
 * Text for Security Hub's console: control characters, bidi overrides and invisible characters
 * escaped (as the text report does), then cut to `max` characters (a cut is marked with …, and
 * never splits a surrogate pair).
 */
export function asffText(value: string, max: number): string {
  const text = printable(value);
  // Security Hub's strings must hold a character other than white space.
  if (!/\S/.test(text)) return '-';
  // Code units bound code points from above: most strings need no count.
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, max - 1).join('') + '…';
}

/**
 * The finding's Id: the finding key, which names the rule, resource and place. A scan's findings are
 * imported under one account and region whatever repository they come from, so the run's scope
 * joins the Id there: two repositories with the same file and resource names stay two findings.
 */
export function asffId(f: Finding, report: Pick<ScanReport, 'run'>): string {
  const key = findingKey(f);
  if (liveIdentityOf(f)) return `cloudconform/live/${key}`;
  const scope = report.run?.scope.key;
  return scope === undefined ? `cloudconform/scan/${key}` : `cloudconform/scan/${createHash('sha256').update(scope).digest('hex').slice(0, 16)}/${key}`;
}

function complianceStatus(f: Finding): ComplianceStatus {
  // `unknown`: what is deployed may differ from what we read, so no result is claimed.
  return f.result === 'pass' ? 'PASSED' : f.result === 'fail' ? 'FAILED' : 'NOT_AVAILABLE';
}

function workflowStatus(f: Finding): WorkflowStatus {
  if (f.suppressed) return 'SUPPRESSED';
  return f.result === 'pass' ? 'RESOLVED' : 'NEW';
}

function fieldMap(entries: [string, string | undefined][], maxValue: number): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [key, value] of entries.slice(0, ASFF_LIMITS.fieldMapEntries)) {
    if (value !== undefined && value !== '') map[asffText(key, ASFF_LIMITS.fieldMapKey)] = asffText(value, maxValue);
  }
  return map;
}

/** One finding in ASFF. `rule` describes its rule when the report has it. */
export function toAsffFinding(f: Finding, report: Pick<ScanReport, 'run'>, rule: RuleMeta | undefined, options: AsffOptions = {}): AsffFinding {
  const live = liveIdentityOf(f);
  const account = live?.account ?? options.target?.account ?? PLACEHOLDER_ACCOUNT;
  const region = live?.region ?? options.target?.region ?? PLACEHOLDER_REGION;
  const created = report.run?.startedAt ?? new Date().toISOString();
  const updated = report.run?.endedAt ?? created;
  const requirements = relatedRequirements(f.ruleId);
  const types = [
    ...new Set([
      'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
      ...(rule?.standards ?? []).map((s) => (STANDARD_TYPES[s] ? `${TYPE_PREFIX}/${STANDARD_TYPES[s]}` : TYPE_PREFIX)),
    ]),
  ].slice(0, ASFF_LIMITS.types);
  const type = RESOURCE_TYPE[f.resource.type] ?? 'Other';
  const suppression = f.suppressed ? describeSuppression(f) : undefined;
  const description = [f.message, suppression, f.expiredSuppression ? `suppression expired on ${f.expiredSuppression.expires}` : undefined].filter(Boolean).join('. ');
  const where = live ? undefined : `${f.location.file}${f.location.line > 0 ? `:${f.location.line}` : ''}`;
  const productFields = fieldMap(
    [
      ['ProviderName', 'cloudconform'],
      ['ProviderVersion', VERSION],
      ['cloudconform/Key', findingKey(f)],
      ['cloudconform/Kind', live ? 'live' : 'scan'],
      ['cloudconform/ScopeKey', live ? undefined : report.run?.scope.key],
      ['cloudconform/File', live ? undefined : f.location.file],
      ['cloudconform/Location', where],
      ['cloudconform/Root', f.resource.root],
      ['cloudconform/Verdict', f.result],
      ['cloudconform/Risk', f.risk],
      ['cloudconform/RunId', report.run?.id],
      ['cloudconform/SuppressionReason', f.suppressed ? f.suppression?.reason : undefined],
      ['cloudconform/SuppressionExpires', f.suppressed ? f.suppression?.expires : undefined],
      ['cloudconform/RelatedRequirementsOmitted', requirements.length > ASFF_LIMITS.relatedRequirements ? String(requirements.length - ASFF_LIMITS.relatedRequirements) : undefined],
    ],
    ASFF_LIMITS.productFieldValue,
  );
  const resource: AsffResource = {
    Type: type,
    Id: asffText(f.resource.id, ASFF_LIMITS.id),
    Partition: live ? partitionOfArn(live.arn) : partitionOfRegion(region),
    Region: asffText(region, ASFF_LIMITS.resourceRegion),
  };
  if (type === 'Other') {
    resource.Details = {
      Other: fieldMap(
        [
          ['CloudFormationType', f.resource.type],
          ['Source', f.resource.source],
          ...Object.entries(f.resource.details ?? {}),
        ],
        ASFF_LIMITS.otherValue,
      ),
    };
  }
  const url = rule ? remediationUrl(rule) : undefined;
  const finding: AsffFinding = {
    SchemaVersion: '2018-10-08',
    Id: asffId(f, report),
    ProductArn: defaultProductArn(account, region),
    GeneratorId: asffText(f.ruleId, ASFF_LIMITS.generatorId),
    AwsAccountId: account,
    Types: types,
    CreatedAt: created,
    UpdatedAt: updated,
    Severity: { Label: f.result === 'pass' ? 'INFORMATIONAL' : SEVERITY[f.risk] ?? 'MEDIUM', Original: asffText(f.risk, ASFF_LIMITS.severityOriginal) },
    Title: asffText(rule ? `${f.ruleId}: ${rule.title}` : f.ruleId, ASFF_LIMITS.title),
    Description: asffText(description || f.ruleId, ASFF_LIMITS.description),
    ProductFields: productFields,
    Resources: [resource],
    Compliance: {
      Status: complianceStatus(f),
      ...(requirements.length ? { RelatedRequirements: requirements.slice(0, ASFF_LIMITS.relatedRequirements).map((r) => asffText(r, ASFF_LIMITS.id)) } : {}),
    },
    RecordState: 'ACTIVE',
    Workflow: { Status: workflowStatus(f) },
  };
  if (rule?.remediation) finding.Remediation = { Recommendation: { Text: asffText(rule.remediation, ASFF_LIMITS.recommendation), ...(url ? { Url: url } : {}) } };
  if (suppression) finding.Note = { Text: asffText(suppression, ASFF_LIMITS.note), UpdatedBy: 'cloudconform', UpdatedAt: updated };
  return finding;
}

// Per rule, once (URL parsing per finding was a tenth of the time for 50,000 findings).
const urls = new WeakMap<RuleMeta, string | undefined>();
function remediationUrl(rule: RuleMeta): string | undefined {
  if (!urls.has(rule)) urls.set(rule, rule.references.find(isWebUrl));
  return urls.get(rule);
}

function partitionOfArn(arn: string): AsffResource['Partition'] {
  const partition = arn.split(':')[1];
  return partition === 'aws-cn' || partition === 'aws-us-gov' ? partition : 'aws';
}

/** Every finding of the report in ASFF, in the report's one order. */
export function toAsff(report: ScanReport, options: AsffOptions = {}): AsffFinding[] {
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  return [...report.findings].sort(compareFindings).map((f) => toAsffFinding(f, report, rules.get(f.ruleId), options));
}

/**
 * `--format asff`: a JSON array of findings, as `aws securityhub batch-import-findings --findings
 * file://…` takes them (at most 100 per call).
 */
export function renderAsff(report: ScanReport, options: AsffOptions = {}): string {
  return jsonArrayLines(toAsff(report, options));
}

/**
 * The documented limits a finding breaks (empty when none): Security Hub rejects such a finding
 * in FailedFindings, so the exporter checks before sending and reports it itself.
 */
export function asffProblems(f: AsffFinding): string[] {
  const problems: string[] = [];
  const length = (value: string | undefined, max: number, name: string) => {
    if (value === undefined) return;
    const n = Array.from(value).length;
    if (n < 1 || n > max) problems.push(`${name} is ${n} characters (1 to ${max})`);
  };
  length(f.Id, ASFF_LIMITS.id, 'Id');
  length(f.GeneratorId, ASFF_LIMITS.generatorId, 'GeneratorId');
  length(f.Title, ASFF_LIMITS.title, 'Title');
  length(f.Description, ASFF_LIMITS.description, 'Description');
  length(f.Severity.Original, ASFF_LIMITS.severityOriginal, 'Severity.Original');
  length(f.Remediation?.Recommendation.Text, ASFF_LIMITS.recommendation, 'Remediation.Recommendation.Text');
  length(f.Note?.Text, ASFF_LIMITS.note, 'Note.Text');
  if (!/^\d{12}$/.test(f.AwsAccountId)) problems.push('AwsAccountId is not 12 digits');
  if (f.Resources.length < 1 || f.Resources.length > ASFF_LIMITS.resources) problems.push(`${f.Resources.length} Resources (1 to ${ASFF_LIMITS.resources})`);
  for (const r of f.Resources) {
    length(r.Id, ASFF_LIMITS.id, 'Resources[].Id');
    length(r.Region, ASFF_LIMITS.resourceRegion, 'Resources[].Region');
    if (r.Details) checkFieldMap(r.Details.Other, ASFF_LIMITS.otherValue, 'Resources[].Details.Other', problems);
  }
  if (f.Types.length < 1 || f.Types.length > ASFF_LIMITS.types) problems.push(`${f.Types.length} Types (1 to ${ASFF_LIMITS.types})`);
  if ((f.Compliance.RelatedRequirements?.length ?? 0) > ASFF_LIMITS.relatedRequirements) problems.push(`more than ${ASFF_LIMITS.relatedRequirements} Compliance.RelatedRequirements`);
  checkFieldMap(f.ProductFields, ASFF_LIMITS.productFieldValue, 'ProductFields', problems);
  for (const t of [f.CreatedAt, f.UpdatedAt]) if (Number.isNaN(Date.parse(t))) problems.push(`timestamp ${t} is not ISO 8601`);
  return problems;
}

function checkFieldMap(map: Record<string, string>, maxValue: number, name: string, problems: string[]): void {
  const entries = Object.entries(map);
  if (entries.length > ASFF_LIMITS.fieldMapEntries) problems.push(`${name} has ${entries.length} entries (at most ${ASFF_LIMITS.fieldMapEntries})`);
  for (const [k, v] of entries) {
    if (Array.from(k).length > ASFF_LIMITS.fieldMapKey) problems.push(`${name} key longer than ${ASFF_LIMITS.fieldMapKey}`);
    if (Array.from(v).length > maxValue) problems.push(`${name} value longer than ${maxValue}`);
  }
}
