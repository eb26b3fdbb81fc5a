// assess(): what a report says of each requirement. Never a pass for what no rule covers, for a rule
// that did not run or found nothing, or for a run that could not read everything; suppressions
// count only with a reason and while they apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assess, findStandard, unionOfReports, type AssessedReport } from '../src/compliance/index';
import type { Standard } from '../src/compliance/types';
import type { Finding, ScanError } from '../src/model/report';
import { rule as sm004 } from '../src/rules/sagemaker-004/rule';
import { rule as sm005 } from '../src/rules/sagemaker-005/rule';

const STANDARD: Standard = {
  id: 'test',
  name: 'Test',
  version: '1',
  requirements: [
    { id: 'both', title: 'both rules', rules: ['SageMaker-004', 'SageMaker-005'], source: 'cloudconform', reasoning: 'test' },
    { id: 'notebooks', title: 'notebooks', rules: ['SageMaker-004'], source: 'cloudconform', reasoning: 'test' },
    { id: 'none', title: 'no rule', rules: [], source: 'cloudconform', reasoning: 'test' },
  ],
};

let line = 0;
function finding(ruleId: string, result: Finding['result'], extra: Partial<Finding> = {}): Finding {
  line++;
  return {
    ruleId,
    result,
    resource: { type: ruleId === 'SageMaker-004' ? 'AWS::SageMaker::NotebookInstance' : 'AWS::SageMaker::Domain', id: `R${line}`, source: 'cloudformation' },
    location: { file: 't.yaml', line },
    message: `${result}`,
    risk: 'Medium',
    suppressed: false,
    ...extra,
  };
}

function report(findings: Finding[], ran = ['SageMaker-004', 'SageMaker-005'], errors: ScanError[] = []): AssessedReport {
  return { rules: [sm004.meta, sm005.meta].filter((m) => ran.includes(m.id)), findings, errors };
}

function statuses(r: AssessedReport, standard: Standard = STANDARD): Record<string, string> {
  return Object.fromEntries(assess(standard, r).map((x) => [x.requirement.id, x.status]));
}

test('a requirement no rule covers is not assessed, even when everything passes', () => {
  const r = report([finding('SageMaker-004', 'pass'), finding('SageMaker-005', 'pass')]);
  const result = assess(STANDARD, r).find((x) => x.requirement.id === 'none')!;
  assert.equal(result.status, 'not-assessed');
  assert.equal(result.why, 'no rule assesses it');
  assert.deepEqual(result.findings, []);
  // In the shipped data too: FSBP SageMaker.2 has no rule.
  assert.equal(statuses(r, findStandard('aws-fsbp')!)['SageMaker.2'], 'not-assessed');
});

test('rules that did not run, or found nothing to check, assess nothing', () => {
  const notRun = assess(STANDARD, report([], []));
  assert.deepEqual(notRun.map((x) => x.status), ['not-assessed', 'not-assessed', 'not-assessed']);
  assert.equal(notRun[0]!.why, 'SageMaker-004 and SageMaker-005 did not run');
  const nothing = assess(STANDARD, report([]));
  assert.deepEqual(nothing.map((x) => x.status), ['not-assessed', 'not-assessed', 'not-assessed']);
  assert.equal(nothing[1]!.why, 'SageMaker-004 found nothing to check');
  // A run with --rules SageMaker-004 on a repository without notebooks.
  assert.equal(assess(STANDARD, report([], ['SageMaker-004']))[0]!.why, 'SageMaker-005 did not run, and SageMaker-004 found nothing to check');
});

test('pass only when its rules ran on resources and every finding passed', () => {
  assert.deepEqual(statuses(report([finding('SageMaker-004', 'pass'), finding('SageMaker-005', 'pass')])), { both: 'pass', notebooks: 'pass', none: 'not-assessed' });
  // SageMaker-005 ran and found no domain: the notebooks decide.
  assert.deepEqual(statuses(report([finding('SageMaker-004', 'pass')])), { both: 'pass', notebooks: 'pass', none: 'not-assessed' });
});

test('one of its rules did not run: unknown, not a pass (what it would check is not known)', () => {
  const [both] = assess(STANDARD, report([finding('SageMaker-004', 'pass')], ['SageMaker-004']));
  assert.equal(both!.status, 'unknown');
  assert.equal(both!.why, 'SageMaker-005 did not run: what it would check is not known');
});

test('a failing finding fails the requirement; an unknown one makes it unknown', () => {
  assert.deepEqual(statuses(report([finding('SageMaker-004', 'pass'), finding('SageMaker-005', 'fail')])), { both: 'fail', notebooks: 'pass', none: 'not-assessed' });
  assert.deepEqual(statuses(report([finding('SageMaker-004', 'unknown'), finding('SageMaker-005', 'pass')])), { both: 'unknown', notebooks: 'unknown', none: 'not-assessed' });
  assert.deepEqual(statuses(report([finding('SageMaker-004', 'unknown'), finding('SageMaker-004', 'fail')])), { both: 'fail', notebooks: 'fail', none: 'not-assessed' });
});

test('an error entry in the run: a would-be pass is unknown (what was not read may fail)', () => {
  const [both] = assess(STANDARD, report([finding('SageMaker-004', 'pass'), finding('SageMaker-005', 'pass')], undefined, [{ file: 'broken.json', message: 'not JSON' }]));
  assert.equal(both!.status, 'unknown');
  assert.match(both!.why, /could not read everything \(1 error\)/);
});

test('red team: a note that the run did not evaluate a file (a remote nested stack) makes a would-be pass unknown; an unused-exception note does not', () => {
  const passing = () => report([finding('SageMaker-004', 'pass'), finding('SageMaker-005', 'pass')]);
  const remote = { ...passing(), notes: [{ file: 'parent.yaml', line: 4, message: 'nested stack Child was not evaluated: its template is remote' }] };
  const [both] = assess(STANDARD, remote);
  assert.equal(both!.status, 'unknown');
  assert.match(both!.why, /did not evaluate everything \(1 note\)/);
  const config = { ...passing(), notes: [{ file: '.cloudconform.yml', message: 'exceptions[0] (SageMaker-004: legacy) matched no finding in this run' }] };
  assert.equal(assess(STANDARD, config)[0]!.status, 'pass');
  // Kept when reports are united.
  assert.equal(assess(STANDARD, unionOfReports([passing(), remote]))[0]!.status, 'unknown');
});

test('suppressed findings with a reason do not fail; expired or reasonless suppressions do', () => {
  const suppression = { reason: 'sandbox, no customer data (SEC-1)', source: 'inline' as const };
  assert.equal(statuses(report([finding('SageMaker-004', 'fail', { suppressed: true, suppression })])).notebooks, 'pass');
  assert.equal(statuses(report([finding('SageMaker-004', 'unknown', { suppressed: true, suppression })])).notebooks, 'pass');
  const expired = { ...suppression, expires: '2024-01-31' };
  // As the engine writes an expired one: not suppressed, expiredSuppression said.
  assert.equal(statuses(report([finding('SageMaker-004', 'fail', { expiredSuppression: expired })])).notebooks, 'fail');
  // A report that says both (hand-edited, or another writer): the expiry wins.
  assert.equal(statuses(report([finding('SageMaker-004', 'fail', { suppressed: true, suppression, expiredSuppression: expired })])).notebooks, 'fail');
  assert.equal(statuses(report([finding('SageMaker-004', 'fail', { suppressed: true, suppression: { reason: '  ', source: 'config' } })])).notebooks, 'fail');
  assert.equal(statuses(report([finding('SageMaker-004', 'fail', { suppressed: true })])).notebooks, 'fail');
});

test('a verdict that is not pass, fail or unknown is unknown, never a pass', () => {
  assert.equal(statuses(report([finding('SageMaker-004', 'PASS' as Finding['result'])])).notebooks, 'unknown');
});

test('the findings behind a requirement are its rules\' findings, in the one finding order', () => {
  const a = finding('SageMaker-005', 'fail');
  const b = finding('SageMaker-004', 'pass');
  const [both, notebooks] = assess(STANDARD, report([a, b]));
  assert.deepEqual(both!.findings, [a, b]);
  assert.deepEqual(notebooks!.findings, [b]);
});

test('several reports: united; a report given twice changes nothing; a new failure beats an old pass', () => {
  const scan = report([finding('SageMaker-004', 'pass')], ['SageMaker-004']);
  const audit = report([finding('SageMaker-005', 'pass')], ['SageMaker-005']);
  assert.deepEqual(statuses(unionOfReports([scan, audit])), { both: 'pass', notebooks: 'pass', none: 'not-assessed' });
  assert.deepEqual(statuses(unionOfReports([scan, scan])), statuses(scan));
  const before = finding('SageMaker-004', 'pass');
  const after = { ...before, result: 'fail' as const, message: 'now Enabled' };
  const union = unionOfReports([report([before]), report([after])]);
  assert.equal(union.findings.length, 1);
  assert.equal(statuses(union).notebooks, 'fail');
  assert.equal(statuses(unionOfReports([report([after]), report([before])])).notebooks, 'fail');
});

test('a failing requirement says how many findings fail and how many are unknown', () => {
  const [both] = assess(STANDARD, report([finding('SageMaker-004', 'fail'), finding('SageMaker-004', 'unknown'), finding('SageMaker-005', 'fail')]));
  assert.equal(both!.why, '2 findings fail, 1 unknown');
});
