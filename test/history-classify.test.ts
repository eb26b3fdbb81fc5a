// The history's classification of a run against its scope's previous state. Attack cases first:
// a run that did not look somewhere must never resolve what is there (Prowler #1626), and a place
// looked at completely with nothing left in it must resolve what was there (Prowler #2190).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, ScopeMismatchError, type StateEntry } from '../src/history/classify';
import { compareFindings, findingKey, type Finding, type ScanReport } from '../src/model/report';
import { fileFinding, liveFinding, report } from './helpers/history-fixtures';

const A = '111111111111';

function changeOf(result: ReturnType<typeof classify>, f: Finding): string | undefined {
  return result.comparison.changes.find((c) => c.key === findingKey(f))?.change;
}

/** Classifies the reports in turn, each against the state the one before left. */
function sequence(...reports: ScanReport[]): ReturnType<typeof classify> {
  let state: StateEntry[] | undefined;
  let previous: ScanReport['run'];
  let last: ReturnType<typeof classify> | undefined;
  for (const r of reports) {
    last = classify(state, previous, r);
    state = last.state;
    previous = r.run;
  }
  return last!;
}

test('attack (Prowler #1626): an audit whose region errored resolves nothing in that region', () => {
  const east = liveFinding(A, 'us-east-1', 'nb-east', 'fail');
  const west = liveFinding(A, 'eu-west-1', 'nb-west', 'fail');
  const full = report([east, west], { regions: [{ account: A, region: 'us-east-1', ruleIds: ['SageMaker-004', 'SageMaker-005'] }, { account: A, region: 'eu-west-1', ruleIds: ['SageMaker-004', 'SageMaker-005'] }] });
  // eu-west-1's listing failed: it is not in `evaluated`, and its notebook was not seen.
  const partial = report([], { regions: [{ account: A, region: 'us-east-1', ruleIds: ['SageMaker-004', 'SageMaker-005'] }] }, {
    errors: [{ file: `aws://${A}/eu-west-1`, account: A, region: 'eu-west-1', call: 'sagemaker:ListNotebookInstances', message: 'Throttling' }],
    minutes: 1,
  });
  const r = sequence(full, partial);
  assert.equal(changeOf(r, east), 'resolved', 'gone from a region listed completely');
  assert.equal(changeOf(r, west), 'not-evaluated', 'a region that errored resolves nothing');
  assert.equal(r.comparison.counts.resolved, 1);
  // Carried over: a later complete run that still sees it says still-failing, not new.
  const later = report([west], { regions: [{ account: A, region: 'eu-west-1', ruleIds: ['SageMaker-004'] }] }, { minutes: 2 });
  const r2 = classify(r.state, partial.run, later);
  assert.equal(changeOf(r2, west), 'still-failing');
});

test('attack (Prowler #1626): a narrower --regions or --rules resolves nothing outside what it read', () => {
  const east = liveFinding(A, 'us-east-1', 'nb', 'fail');
  const domain = liveFinding(A, 'us-east-1', 'dom', 'fail', 'SageMaker-005');
  const first = report([east, domain], { regions: [{ account: A, region: 'us-east-1', ruleIds: ['SageMaker-004', 'SageMaker-005'] }] });
  const narrower = report([], { regions: [{ account: A, region: 'us-west-2', ruleIds: ['SageMaker-004', 'SageMaker-005'] }] }, { minutes: 1 });
  const r = sequence(first, narrower);
  assert.equal(changeOf(r, east), 'not-evaluated');
  assert.equal(changeOf(r, domain), 'not-evaluated');
  // --rules SageMaker-004: the domain rule did not run, so its finding is not resolved by absence.
  const oneRule = report([], { regions: [{ account: A, region: 'us-east-1', ruleIds: ['SageMaker-004'] }] }, { rules: ['SageMaker-004'], minutes: 1 });
  const r2 = sequence(first, oneRule);
  assert.equal(changeOf(r2, east), 'resolved');
  assert.equal(changeOf(r2, domain), 'not-evaluated');
});

test('attack (Prowler #2190): a region listed completely with zero resources resolves its old findings', () => {
  const f = liveFinding(A, 'ap-south-1', 'nb', 'fail');
  const before = report([f], { regions: [{ account: A, region: 'ap-south-1', ruleIds: ['SageMaker-004'] }] });
  const empty = report([], { regions: [{ account: A, region: 'ap-south-1', ruleIds: ['SageMaker-004'] }] }, { minutes: 1 });
  const r = sequence(before, empty);
  assert.equal(changeOf(r, f), 'resolved');
  assert.equal(r.state.find((e) => e.key === findingKey(f))?.standing, 'resolved');
  // And failing again later is a regression, not something new.
  const back = report([f], { regions: [{ account: A, region: 'ap-south-1', ruleIds: ['SageMaker-004'] }] }, { minutes: 2 });
  assert.equal(changeOf(classify(r.state, empty.run, back), f), 'regressed');
});

test('attack: a scan resolves nothing in a file it did not read, a file with an error, or a rule it did not run', () => {
  const kept = fileFinding('a.yaml', 'Nb', 'fail');
  const unread = fileFinding('b.yaml', 'Nb', 'fail');
  const broken = fileFinding('c.yaml', 'Nb', 'fail');
  const first = report([kept, unread, broken], { files: ['a.yaml', 'b.yaml', 'c.yaml'] });
  const second = report([], { files: ['a.yaml', 'c.yaml'] }, { errors: [{ file: 'c.yaml', message: 'cannot parse' }], minutes: 1 });
  const r = sequence(first, second);
  assert.equal(changeOf(r, kept), 'resolved');
  assert.equal(changeOf(r, unread), 'not-evaluated');
  assert.equal(changeOf(r, broken), 'not-evaluated');
  // An error pinned on one resource (resourceType) leaves the file evaluated.
  const pinned = report([], { files: ['a.yaml', 'b.yaml', 'c.yaml'] }, { errors: [{ file: 'c.yaml', message: 'duplicate', resourceType: 'AWS::S3::Bucket' }], minutes: 1 });
  assert.equal(changeOf(sequence(first, pinned), broken), 'resolved');
  // Red team: one pinned on a type a rule checks (Terraform's duplicate resource, which it refuses)
  // made the notebook's finding vanish from its file: not resolved.
  const duplicate = report([], { files: ['a.yaml', 'b.yaml', 'c.yaml'] }, { errors: [{ file: 'c.yaml', message: 'duplicate', resourceType: 'AWS::SageMaker::NotebookInstance' }], minutes: 1 });
  assert.equal(changeOf(sequence(first, duplicate), broken), 'not-evaluated');
  const otherRule = report([], { files: ['a.yaml'] }, { rules: ['SageMaker-005'], minutes: 1 });
  assert.equal(changeOf(sequence(first, otherRule), kept), 'not-evaluated');
});

test('attack: an error on a Terraform module directory, another file of the module, a parent directory or an option covers the file', () => {
  const f = fileFinding('infra/main.tf', 'aws_sagemaker_notebook_instance.nb', 'fail', { resource: { type: 'AWS::SageMaker::NotebookInstance', id: 'aws_sagemaker_notebook_instance.nb', source: 'terraform' } });
  const first = report([f], { files: ['infra/main.tf', 'infra/variables.tf'] });
  for (const file of ['infra', 'infra/variables.tf', '.', '--var-file prod.tfvars', './infra']) {
    const next = report([], { files: ['infra/main.tf', 'infra/variables.tf'] }, { errors: [{ file, message: 'broken' }], minutes: 1 });
    assert.equal(changeOf(sequence(first, next), f), 'not-evaluated', `error on ${file}`);
  }
  // A CloudFormation template beside a broken one is its own file.
  const cfn = fileFinding('stacks/a.yaml', 'Nb', 'fail');
  const before = report([cfn], { files: ['stacks/a.yaml', 'stacks/b.yaml'] });
  const after = report([], { files: ['stacks/a.yaml', 'stacks/b.yaml'] }, { errors: [{ file: 'stacks/b.yaml', message: 'broken' }], minutes: 1 });
  assert.equal(changeOf(sequence(before, after), cfn), 'resolved');
});

test("attack: a module or nested stack instance is not resolved when its root was not read (the child file alone was)", () => {
  const child = fileFinding('modules/nb/main.tf', 'module.a.aws_sagemaker_notebook_instance.nb', 'fail', { root: 'envs/prod' });
  const first = report([child], { files: ['envs/prod/main.tf', 'modules/nb/main.tf'] });
  const rootBroken = report([], { files: ['envs/prod/main.tf', 'modules/nb/main.tf'] }, { errors: [{ file: 'envs/prod/main.tf', message: 'parse' }], minutes: 1 });
  assert.equal(changeOf(sequence(first, rootBroken), child), 'not-evaluated');
  const rootUnread = report([], { files: ['modules/nb/main.tf'] }, { minutes: 1 });
  assert.equal(changeOf(sequence(first, rootUnread), child), 'not-evaluated');
  const both = report([], { files: ['envs/prod/main.tf', 'modules/nb/main.tf'] }, { minutes: 1 });
  assert.equal(changeOf(sequence(first, both), child), 'resolved');
});

test('a failure that becomes unknown is not resolved: not-evaluated, and the state keeps the failure', () => {
  const fail = liveFinding(A, 'us-east-1', 'nb', 'fail');
  const unknown = { ...fail, result: 'unknown' as const, message: 'DescribeNotebookInstance failed: AccessDenied' };
  const pass = { ...fail, result: 'pass' as const };
  const ev = { regions: [{ account: A, region: 'us-east-1', ruleIds: ['SageMaker-004'] }] };
  const r = sequence(report([fail], ev), report([unknown], ev, { minutes: 1 }));
  const c = r.comparison.changes.find((x) => x.key === findingKey(fail))!;
  assert.equal(c.change, 'not-evaluated');
  assert.equal(c.finding.result, 'unknown', 'the finding as this run saw it, with the reason');
  assert.equal(c.previous?.result, 'fail');
  assert.equal(r.state[0]!.standing, 'failing');
  // Failing again: still failing, not new; passing: resolved.
  assert.equal(changeOf(sequence(report([fail], ev), report([unknown], ev, { minutes: 1 }), report([fail], ev, { minutes: 2 })), fail), 'still-failing');
  assert.equal(changeOf(sequence(report([fail], ev), report([unknown], ev, { minutes: 1 }), report([pass], ev, { minutes: 2 })), fail), 'resolved');
  // Unknown to failing is new (as the baseline treats it).
  assert.equal(changeOf(sequence(report([unknown], ev), report([fail], ev, { minutes: 1 })), fail), 'new');
});

test('every transition of the table', () => {
  const ev = { files: ['t.yaml'] };
  const base = fileFinding('t.yaml', 'Nb', 'fail');
  const suppressed = { ...base, suppressed: true, suppression: { reason: 'accepted', source: 'config' as const } };
  const expired = { ...base, expiredSuppression: { reason: 'accepted', source: 'config' as const, expires: '2025-01-01' } };
  const pass = { ...base, result: 'pass' as const };
  const cases: [Finding[], string][] = [
    [[base], 'new'],
    [[suppressed], 'newly-suppressed'],
    [[pass], 'unchanged'],
    [[base, base], 'still-failing'],
    [[base, suppressed], 'newly-suppressed'],
    [[base, pass], 'resolved'],
    [[suppressed, expired], 'suppression-expired'],
    [[suppressed, base], 'still-failing'],
    [[suppressed, suppressed], 'unchanged'],
    [[suppressed, pass], 'resolved'],
    [[pass, base], 'regressed'],
    [[pass, pass], 'unchanged'],
    [[pass, suppressed], 'newly-suppressed'],
  ];
  for (const [steps, expected] of cases) {
    const r = sequence(...steps.map((f, i) => report([f], ev, { minutes: i })));
    assert.equal(changeOf(r, base), expected, `${steps.map((s) => (s.result === 'pass' ? 'pass' : s.suppressed ? 'suppressed' : s.expiredSuppression ? 'expired' : 'fail')).join(' -> ')}`);
  }
});

test('resolved entries are kept a while, then dropped; passing ones gone from a looked-at file are dropped', () => {
  const f = fileFinding('t.yaml', 'Nb', 'fail');
  const p = fileFinding('t.yaml', 'Other', 'pass');
  const ev = { files: ['t.yaml'] };
  const r = sequence(report([f, p], ev), report([], ev, { minutes: 1 }));
  assert.deepEqual(r.state.map((e) => e.standing), ['resolved']);
  const yearLater = classify(r.state, undefined, report([], ev, { minutes: 60 * 24 * 300 }));
  assert.equal(yearLater.state.length, 1);
  const muchLater = classify(r.state, undefined, report([], ev, { minutes: 60 * 24 * 500 }));
  assert.equal(muchLater.state.length, 0);
});

test('runs of different scopes are refused', () => {
  const a = report([], { files: [] }, { scope: 'scan:one' });
  const b = report([], { files: [] }, { scope: 'scan:two' });
  assert.throws(() => classify([], a.run, b), ScopeMismatchError);
});

test('a deleted template resolves what it held, but only below a scanned directory, only when it is gone, and only when the history can look', () => {
  const deleted = fileFinding('infra/gone.yaml', 'Nb', 'fail');
  const kept = fileFinding('infra/kept.yaml', 'Nb', 'fail'); // still there, left out (say by exclude)
  const outside = fileFinding('other/gone.yaml', 'Nb', 'fail'); // gone, but this run did not walk `other`
  const first = report([deleted, kept, outside], { files: ['infra/gone.yaml', 'infra/kept.yaml', 'other/gone.yaml'], roots: ['infra', 'other'] });
  const second = report([], { files: [], roots: ['infra'] }, { minutes: 1 });
  const asked: string[] = [];
  const gone = (path: string) => {
    asked.push(path);
    return path.endsWith('gone.yaml');
  };
  const r = classify(classify(undefined, undefined, first).state, first.run, second, { fileGone: gone });
  assert.equal(changeOf(r, deleted), 'resolved');
  assert.equal(changeOf(r, kept), 'not-evaluated', 'a file still there but not read is not resolved');
  assert.equal(changeOf(r, outside), 'not-evaluated', 'a file outside the scanned directories is not asked about');
  assert.ok(!asked.includes('other/gone.yaml'));
  // Without a look at the disk (a diff of two report files), nothing is resolved by absence.
  const blind = classify(classify(undefined, undefined, first).state, first.run, second);
  assert.equal(changeOf(blind, deleted), 'not-evaluated');
  // `.` covers every relative path, never an absolute one or one above it.
  const dot = report([], { files: [], roots: ['.'] }, { minutes: 1 });
  const abs = fileFinding('/elsewhere/gone.yaml', 'Nb', 'fail');
  const up = fileFinding('../gone.yaml', 'Nb', 'fail');
  const start = report([deleted, abs, up], { files: ['infra/gone.yaml', '/elsewhere/gone.yaml', '../gone.yaml'], roots: ['.'] });
  const r2 = classify(classify(undefined, undefined, start).state, start.run, dot, { fileGone: () => true });
  assert.equal(changeOf(r2, deleted), 'resolved');
  assert.equal(changeOf(r2, abs), 'not-evaluated');
  assert.equal(changeOf(r2, up), 'not-evaluated');
});

test('red team: a module call moved to a remote source, or a nested stack to a remote template, resolves nothing: the scan notes it did not look', () => {
  const tf = { resource: { type: 'AWS::SageMaker::NotebookInstance', id: 'module.team.aws_sagemaker_notebook_instance.nb', source: 'terraform' as const, root: 'tf' } };
  const instance = fileFinding('tf/modules/nb/main.tf', 'module.team.aws_sagemaker_notebook_instance.nb', 'fail', tf);
  const cfn = { resource: { type: 'AWS::SageMaker::NotebookInstance', id: 'Child/Nb', source: 'cloudformation' as const, root: 'parent.yaml' } };
  const child = fileFinding('child.yaml', 'Child/Nb', 'fail', cfn);
  const files = ['tf/main.tf', 'tf/modules/nb/main.tf', 'parent.yaml', 'child.yaml'];
  const first = report([instance, child], { files });
  const remote = report([], { files }, {
    minutes: 1,
    notes: [
      { file: 'tf/main.tf', line: 1, message: 'module "team" (git::https://example.com/nb.git) is not downloaded: its resources are not evaluated' },
      { file: 'parent.yaml', line: 4, message: 'nested stack Child was not evaluated: its template is remote' },
    ],
  });
  const r = sequence(first, remote);
  assert.equal(changeOf(r, instance), 'not-evaluated');
  assert.equal(changeOf(r, child), 'not-evaluated');
  // Without the notes the same runs resolve both (the instances are gone from roots that were read).
  const r2 = sequence(first, report([], { files }, { minutes: 1 }));
  assert.equal(changeOf(r2, instance), 'resolved');
  assert.equal(changeOf(r2, child), 'resolved');
});

test('red team: an error in a variable file covers its module; one in a --var-file elsewhere covers every Terraform file', () => {
  const tf = (file: string) => fileFinding(file, 'aws_sagemaker_notebook_instance.nb["a"]', 'fail', { resource: { type: 'AWS::SageMaker::NotebookInstance', id: 'aws_sagemaker_notebook_instance.nb["a"]', source: 'terraform' } });
  const main = tf('infra/main.tf');
  const other = tf('other/main.tf');
  const template = fileFinding('cfn/nb.yaml', 'Nb', 'fail');
  const files = ['infra/main.tf', 'other/main.tf', 'cfn/nb.yaml'];
  const first = report([main, other, template], { files });
  const local = sequence(first, report([], { files }, { minutes: 1, errors: [{ file: 'infra/terraform.tfvars', line: 2, message: 'syntax error' }] }));
  assert.equal(changeOf(local, main), 'not-evaluated');
  assert.equal(changeOf(local, other), 'resolved');
  const elsewhere = sequence(first, report([], { files }, { minutes: 1, errors: [{ file: 'vars/prod.tfvars', line: 2, message: 'syntax error' }] }));
  assert.equal(changeOf(elsewhere, main), 'not-evaluated');
  assert.equal(changeOf(elsewhere, other), 'not-evaluated');
  assert.equal(changeOf(elsewhere, template), 'resolved', 'a variable file has nothing to do with a template');
});

// Event runs (handle-event, the Lambda handler): each describes a few resources and lists them in
// `evaluated.resources`. Such a run says nothing of any other resource of its scope.
const ALL = ['SageMaker-004', 'SageMaker-005'];
const live = (f: Finding, ruleIds = ALL) => ({ ...f.resource.live!, ruleIds });

test('event run: the resources it did not describe are left as they were, not even not-evaluated, and are not in its changes', () => {
  const nb1 = liveFinding(A, 'us-east-1', 'nb1', 'fail');
  const nb2 = liveFinding(A, 'us-east-1', 'nb2', 'fail');
  const west = liveFinding(A, 'eu-west-1', 'nb3', 'fail');
  const ok = liveFinding(A, 'us-east-1', 'nb4', 'pass');
  const audit = report([nb1, nb2, west, ok], { regions: [{ account: A, region: 'us-east-1', ruleIds: ALL }, { account: A, region: 'eu-west-1', ruleIds: ALL }] });
  const before = classify(undefined, undefined, audit);
  const event = report([nb1], { resources: [live(nb1)] }, { minutes: 1 });
  assert.equal(event.run!.command, 'event');
  const r = classify(before.state, audit.run, event);
  assert.deepEqual(r.comparison.changes.map((c) => [c.finding.message, c.change]), [['nb1 fail', 'still-failing']]);
  assert.equal(r.comparison.counts['not-evaluated'], 0);
  assert.equal(r.comparison.counts.resolved, 0);
  // The others' entries pass through as they were (standing, since, finding).
  for (const f of [nb2, west, ok]) assert.deepEqual(r.state.find((e) => e.key === findingKey(f)), before.state.find((e) => e.key === findingKey(f)));
  assert.equal(r.state.length, before.state.length);
  // An event run that described nothing changes nothing.
  const nothing = classify(before.state, audit.run, report([], { resources: [] }, { minutes: 2 }));
  assert.deepEqual(nothing.comparison.changes, []);
  assert.deepEqual(nothing.state, before.state);
});

test('event run: a resource described with no finding left (deleted) is resolved; failing again later is regressed', () => {
  const nb1 = liveFinding(A, 'us-east-1', 'nb1', 'fail');
  const nb2 = liveFinding(A, 'us-east-1', 'nb2', 'fail');
  const audit = report([nb1, nb2], { regions: [{ account: A, region: 'us-east-1', ruleIds: ALL }] });
  const gone = report([], { resources: [live(nb2)] }, { minutes: 1 });
  const r = sequence(audit, gone);
  assert.deepEqual(r.comparison.changes.map((c) => [c.finding.message, c.change]), [['nb2 fail', 'resolved']]);
  assert.equal(r.state.find((e) => e.key === findingKey(nb2))?.standing, 'resolved');
  assert.equal(r.state.find((e) => e.key === findingKey(nb1))?.standing, 'failing');
  const back = sequence(audit, gone, report([nb2], { resources: [live(nb2)] }, { minutes: 2 }));
  assert.deepEqual(back.comparison.changes.map((c) => [c.finding.message, c.change]), [['nb2 fail', 'regressed']]);
  // A first event for a resource never seen: new; the same event again: still failing.
  const fresh = liveFinding(A, 'us-east-1', 'nb9', 'fail');
  const once = report([fresh], { resources: [live(fresh)] }, { minutes: 3 });
  const twice = report([fresh], { resources: [live(fresh)] }, { minutes: 4 });
  assert.equal(changeOf(sequence(audit, once), fresh), 'new');
  assert.equal(changeOf(sequence(audit, once, twice), fresh), 'still-failing');
});

test('attack: an event run resolves only the rules it ran on the exact resource it described (not another account, region, rule or an ARN prefix)', () => {
  const nb = liveFinding(A, 'us-east-1', 'nb', 'fail');
  const nbDomain = liveFinding(A, 'us-east-1', 'nb', 'fail', 'SageMaker-005');
  const longer = liveFinding(A, 'us-east-1', 'nb-2', 'fail');
  const other = liveFinding('222222222222', 'us-east-1', 'nb', 'fail');
  const audit = report([nb, nbDomain, longer, other], { regions: [{ account: A, region: 'us-east-1', ruleIds: ALL }, { account: '222222222222', region: 'us-east-1', ruleIds: ALL }] });
  // Described with SageMaker-004 only; the rule list of the report has both.
  const event = report([], { resources: [live(nb, ['SageMaker-004'])] }, { minutes: 1 });
  const r = sequence(audit, event);
  assert.deepEqual(r.comparison.changes.map((c) => [c.key, c.change]), [[findingKey(nb), 'resolved']]);
  // The right ARN in the wrong account or region resolves nothing.
  const elsewhere = report([], { resources: [{ ...live(nb), region: 'eu-west-1' }, { ...live(nb), account: '333333333333' }] }, { minutes: 1 });
  assert.deepEqual(sequence(audit, elsewhere).comparison.changes, []);
  // A rule the report did not run resolves nothing even when listed.
  const notRun = report([], { resources: [live(nb)] }, { minutes: 1, rules: ['SageMaker-005'] });
  assert.deepEqual(sequence(audit, notRun).comparison.changes.map((c) => [c.key, c.change]), [[findingKey(nbDomain), 'resolved']]);
});

test('event run: an unknown verdict (describe failed) keeps the failure; a full audit after event runs sees what they left', () => {
  const nb = liveFinding(A, 'us-east-1', 'nb', 'fail');
  const quiet = liveFinding(A, 'us-east-1', 'quiet', 'fail');
  const unknown = { ...nb, result: 'unknown' as const, message: 'DescribeNotebookInstance failed: AccessDenied' };
  const ev = { regions: [{ account: A, region: 'us-east-1', ruleIds: ALL }] };
  const r = sequence(report([nb, quiet], ev), report([unknown], { resources: [live(nb)] }, { minutes: 1 }));
  assert.equal(changeOf(r, nb), 'not-evaluated');
  assert.equal(r.state.find((e) => e.key === findingKey(nb))?.standing, 'failing');
  // The audit after the events: quiet gone from a listed region is resolved, nb still failing.
  const after = sequence(report([nb, quiet], ev), report([unknown], { resources: [live(nb)] }, { minutes: 1 }), report([nb], ev, { minutes: 2 }));
  assert.equal(changeOf(after, nb), 'still-failing');
  assert.equal(changeOf(after, quiet), 'resolved');
});

test('event run: previous findings are read only to merge what it changed into place (a few per change), never all sorted again (the SQLite store reads them lazily: 20,000 read made an event batch cost 150 ms)', () => {
  const findings = Array.from({ length: 2000 }, (_, i) => liveFinding(A, 'us-east-1', `nb${i}`, i % 2 ? 'fail' : 'pass'));
  const audit = report(findings, { regions: [{ account: A, region: 'us-east-1', ruleIds: ALL }] });
  const before = classify(undefined, undefined, audit);
  // Each previous finding behind a proxy that counts the reads of its body.
  let reads = 0;
  const counted = before.state.map((e) => ({
    ...e,
    finding: new Proxy(e.finding, {
      get: (t, p, r) => {
        reads++;
        return Reflect.get(t, p, r);
      },
    }),
  }));
  const batch = [findings[10]!, findings[1500]!, liveFinding(A, 'us-east-1', 'brand-new', 'fail')];
  const r = classify(counted, audit.run, report(batch, { resources: batch.map((f) => live(f)) }, { minutes: 1 }));
  assert.deepEqual(r.comparison.changes.map((c) => [c.finding.message, c.change]), [['brand-new fail', 'new'], ['nb10 pass', 'unchanged'], ['nb1500 pass', 'unchanged']]);
  assert.equal(r.state.length, 2001);
  for (let i = 1; i < r.state.length; i++) assert.ok(compareFindings(r.state[i - 1]!.finding, r.state[i]!.finding) <= 0, 'the state stays in order');
  reads = 0;
  classify(counted, audit.run, report(batch, { resources: batch.map((f) => live(f)) }, { minutes: 1 }));
  assert.ok(reads < 400, `${reads} reads of previous findings for an event batch of 3 against 2,000 entries`);
});

test('event run against a state of 300,000 entries: merged without overflowing the stack (spread into splice did)', () => {
  const findings = Array.from({ length: 300_000 }, (_, i) => liveFinding(A, 'us-east-1', `nb${String(i).padStart(6, '0')}`, 'fail'));
  const state: StateEntry[] = findings.map((f, i) => ({ key: `k${i}`, finding: f, standing: 'failing', since: '20260101T000000Z-00000000' }));
  const audit = report([], { regions: [] });
  const r = classify(state, audit.run, report([findings[5]!], { resources: [live(findings[5]!)] }, { minutes: 1 }));
  assert.equal(r.state.length, 300_001);
  assert.deepEqual(r.comparison.changes.map((c) => c.change), ['new']);
});
