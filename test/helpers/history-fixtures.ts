// Findings and reports for the history's classification tests, built as scan and audit write them.
import type { Finding, RunEvaluated, RunInfo, ScanError, ScanNote, ScanReport } from '../../src/model/report';
import type { Verdict } from '../../src/rules/rule';
import { ALL_RULES } from '../../src/rules/index';

export const RULE_IDS = ALL_RULES.map((r) => r.meta.id);

export function fileFinding(file: string, id: string, result: Verdict, extra: Partial<Finding> & { ruleId?: string; root?: string } = {}): Finding {
  const { root, ...rest } = extra;
  return {
    ruleId: 'SageMaker-004',
    result,
    resource: { type: 'AWS::SageMaker::NotebookInstance', id, source: 'cloudformation', ...(root ? { root } : {}) },
    location: { file, line: 3 },
    message: `${id} ${result}`,
    risk: 'Medium',
    suppressed: false,
    ...rest,
  };
}

export function liveFinding(account: string, region: string, name: string, result: Verdict, ruleId = 'SageMaker-004'): Finding {
  const arn = `arn:aws:sagemaker:${region}:${account}:notebook-instance/${name}`;
  return {
    ruleId,
    result,
    resource: { type: 'AWS::SageMaker::NotebookInstance', id: arn, source: 'live', details: { account, region, name }, live: { account, region, arn } },
    location: { file: `aws://${account}/${region}`, line: 0 },
    message: `${name} ${result}`,
    risk: 'Medium',
    suppressed: false,
  };
}

/** What an event run says it described: the resource of each finding given, with the rules run on it. */
export function described(...resources: { arn: string; account: string; region: string; ruleIds?: string[] }[]): { account: string; region: string; arn: string; ruleIds: string[] }[] {
  return resources.map((r) => ({ account: r.account, region: r.region, arn: r.arn, ruleIds: r.ruleIds ?? ['SageMaker-004', 'SageMaker-005'] }));
}

let counter = 0;

/** A run id that sorts by `minutes` after 2026-01-01. */
export function runId(minutes: number): string {
  const d = new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);
  return `${d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}-${(counter++).toString(16).padStart(8, '0')}`;
}

export function report(
  findings: Finding[],
  evaluated: RunEvaluated,
  options: { errors?: ScanError[]; notes?: ScanNote[]; rules?: string[]; scope?: string; command?: RunInfo['command']; minutes?: number } = {},
): ScanReport {
  const rules = ALL_RULES.filter((r) => (options.rules ?? RULE_IDS).includes(r.meta.id)).map((r) => r.meta);
  const id = runId(options.minutes ?? 0);
  const at = new Date(Date.UTC(2026, 0, 1) + (options.minutes ?? 0) * 60_000).toISOString();
  return {
    version: 1,
    tool: { name: 'cloudconform', version: '0.2.0' },
    rules,
    findings,
    errors: options.errors ?? [],
    ...(options.notes ? { notes: options.notes } : {}),
    summary: { resources: findings.length, findings: findings.length, pass: 0, fail: 0, unknown: 0, suppressed: 0, errors: 0, filesScanned: 0, failing: 0 },
    run: {
      id,
      command: options.command ?? (evaluated.resources ? 'event' : evaluated.regions ? 'audit' : 'scan'),
      startedAt: at,
      endedAt: at,
      scope: { key: options.scope ?? (evaluated.regions || evaluated.resources ? 'audit:caller:111111111111' : 'scan:repo'), label: 'test' },
      evaluated,
    },
  };
}
