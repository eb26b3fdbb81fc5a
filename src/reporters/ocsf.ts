// OCSF 1.1.0, class 2003 Compliance Finding (category 2 Findings), with the cloud profile: `--format
// ocsf` writes a JSON array of events, one per finding. The tests validate it against the class's JSON
// schema (test/fixtures/ocsf/), which allows no property it doesn't define.
import { compareFindings, findingKey, liveIdentityOf, type Finding, type ScanReport } from '../model/report';
import type { Risk, RuleMeta } from '../rules/rule';
import type { Verdict } from '../rules/rule';
import { VERSION } from '../version';
import { printable } from './printable';
import { jsonArrayLines } from './json-lines';
import { relatedRequirements, relatedStandards } from './requirements';
import { describeSuppression, isWebUrl } from './shared';

export const OCSF_VERSION = '1.1.0';

/** severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical (as ASFF's labels). */
const SEVERITY: Readonly<Record<Risk, [number, string]>> = {
  Low: [2, 'Low'],
  Medium: [3, 'Medium'],
  High: [4, 'High'],
  'Very High': [4, 'High'],
  Extreme: [5, 'Critical'],
};

/** compliance.status_id: 1 Pass, 3 Fail; `unknown` is 0 Unknown (what is deployed may differ from what we read). */
const COMPLIANCE_STATUS: Readonly<Record<Verdict, [number, string]>> = {
  pass: [1, 'Pass'],
  fail: [3, 'Fail'],
  unknown: [0, 'Unknown'],
};

/** Text from scanned files and APIs, with control and invisible characters escaped (consumers show it). */
const text = (value: string) => printable(value);

function millis(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

// Per rule, once: URL parsing per finding was a tenth of the time for 50,000 findings.
const webReferenceCache = new WeakMap<RuleMeta, string[]>();
function webReferences(rule: RuleMeta): string[] {
  let found = webReferenceCache.get(rule);
  if (!found) webReferenceCache.set(rule, (found = rule.references.filter(isWebUrl)));
  return found;
}

export function toOcsfEvent(f: Finding, report: Pick<ScanReport, 'run'>, rule: RuleMeta | undefined, now: number): Record<string, unknown> {
  const live = liveIdentityOf(f);
  const [severityId, severity] = f.result === 'pass' ? [1, 'Informational'] : SEVERITY[f.risk] ?? [3, 'Medium'];
  const [statusId, status] = COMPLIANCE_STATUS[f.result] ?? COMPLIANCE_STATUS.unknown;
  const started = millis(report.run?.startedAt);
  const ended = millis(report.run?.endedAt);
  const standards = relatedStandards(f.ruleId);
  const requirements = relatedRequirements(f.ruleId);
  const references = rule ? webReferences(rule) : [];
  const event: Record<string, unknown> = {
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2003,
    class_name: 'Compliance Finding',
    type_uid: 200301,
    type_name: 'Compliance Finding: Create',
    severity_id: severityId,
    severity,
    // The finding's lifecycle: 3 Suppressed, else 1 New (the history tells new from still failing).
    status_id: f.suppressed ? 3 : 1,
    status: f.suppressed ? 'Suppressed' : 'New',
    ...(f.suppressed ? { status_detail: text(describeSuppression(f)) } : {}),
    time: ended ?? now,
    ...(started !== undefined ? { start_time: started } : {}),
    ...(ended !== undefined ? { end_time: ended } : {}),
    message: text(f.message),
    metadata: {
      version: OCSF_VERSION,
      profiles: ['cloud'],
      product: { name: 'cloudconform', vendor_name: 'cloudconform', version: VERSION },
      ...(report.run ? { correlation_uid: report.run.id } : {}),
      event_code: f.ruleId,
    },
    finding_info: {
      uid: findingKey(f),
      title: text(rule ? `${f.ruleId}: ${rule.title}` : f.ruleId),
      desc: text(f.message),
      types: ['Software and Configuration Checks/AWS Security Best Practices/Network Reachability'],
      ...(started !== undefined ? { created_time: started } : {}),
      ...(ended !== undefined ? { last_seen_time: ended } : {}),
    },
    compliance: {
      control: f.ruleId,
      // `standards` is required: the rule's own short names when the compliance data names none.
      standards: standards.length ? standards : (rule?.standards ?? []),
      ...(requirements.length ? { requirements } : {}),
      status_id: statusId,
      status,
      status_detail: text(f.message),
    },
    cloud: {
      provider: 'AWS',
      ...(live ? { account: { uid: live.account, type_id: 10, type: 'AWS Account' }, region: live.region } : {}),
    },
    resource: {
      uid: text(f.resource.id),
      type: f.resource.type,
      ...(f.resource.details?.name ? { name: text(f.resource.details.name) } : {}),
      ...(live ? { region: live.region, cloud_partition: live.arn.split(':')[1] || 'aws' } : {}),
      data: {
        source: f.resource.source,
        ...(live ? {} : { file: text(f.location.file), line: f.location.line }),
        ...(f.resource.root ? { root: text(f.resource.root) } : {}),
      },
    },
    ...(rule?.remediation ? { remediation: { desc: text(rule.remediation), ...(references.length ? { references } : {}) } } : {}),
    unmapped: {
      cloudconform: {
        verdict: f.result,
        risk: f.risk,
        ...(f.suppressed && f.suppression ? { suppression: { reason: text(f.suppression.reason), source: f.suppression.source, ...(f.suppression.expires ? { expires: f.suppression.expires } : {}) } } : {}),
        ...(f.expiredSuppression ? { expiredSuppression: { reason: text(f.expiredSuppression.reason), expires: f.expiredSuppression.expires } } : {}),
        ...(report.run ? { scope: text(report.run.scope.key) } : {}),
      },
    },
  };
  return event;
}

/** `--format ocsf`: every finding as an OCSF Compliance Finding event, in the report's one order. */
export function renderOcsf(report: ScanReport, now: number = Date.now()): string {
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  const events = [...report.findings].sort(compareFindings).map((f) => toOcsfEvent(f, report, rules.get(f.ruleId), now));
  return jsonArrayLines(events);
}
