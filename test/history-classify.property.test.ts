// Invariants of the classification on random runs (fast-check): whatever the findings, errors and
// evaluated places, nothing outside what a run evaluated is resolved by absence, a run compared
// with itself has nothing new or resolved, counts add up, and the order is compareFindings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classify, inferEvaluated, type StateEntry } from '../src/history/classify';
import { liveIdentityOf as livePlace } from '../src/model/report';
import { compareFindings, findingKey, type Finding, type ScanReport } from '../src/model/report';
import { fileFinding, liveFinding, report } from './helpers/history-fixtures';

const FILES = ['a.yaml', 'B.yaml', 'dir/c.yaml', 'dir/d.json', 'é.yaml'];
const PLACES = [['111111111111', 'us-east-1'], ['111111111111', 'eu-west-1'], ['222222222222', 'us-east-1']] as const;
const RULES = ['SageMaker-004', 'SageMaker-005'];

const verdict = fc.constantFrom('pass' as const, 'fail' as const, 'unknown' as const);
const mark = fc.constantFrom('none', 'suppressed', 'expired');

function marked(f: Finding, how: string): Finding {
  if (how === 'suppressed' && f.result !== 'pass') return { ...f, suppressed: true, suppression: { reason: 'r', source: 'config' } };
  if (how === 'expired') return { ...f, expiredSuppression: { reason: 'r', source: 'config', expires: '2025-01-01' } };
  return f;
}

const scanFinding = fc
  .record({ file: fc.constantFrom(...FILES), id: fc.constantFrom('Nb', 'Other', 'nb'), rule: fc.constantFrom(...RULES), result: verdict, mark, line: fc.nat(40) })
  .map(({ file, id, rule, result, mark: how, line }) => marked({ ...fileFinding(file, id, result, { ruleId: rule }), location: { file, line } }, how));

const auditFinding = fc
  .record({ place: fc.constantFrom(...PLACES), name: fc.constantFrom('nb1', 'nb2'), rule: fc.constantFrom(...RULES), result: verdict, mark })
  .map(({ place, name, rule, result, mark: how }) => marked(liveFinding(place[0], place[1], name, result, rule), how));

const scanRun = fc.record({
  findings: fc.array(scanFinding, { maxLength: 12 }),
  files: fc.subarray(FILES),
  // Errors on files, a directory, everything, an option: the oracle below only knows files, so it is
  // less careful than classify, never more.
  errored: fc.subarray([...FILES, 'dir', '.', '--var-file prod.tfvars']),
  rules: fc.subarray(RULES, { minLength: 1 }),
});

const auditRun = fc.record({
  findings: fc.array(auditFinding, { maxLength: 12 }),
  regions: fc.array(fc.record({ place: fc.constantFrom(...PLACES), rules: fc.subarray(RULES) }), { maxLength: 3 }),
  rules: fc.subarray(RULES, { minLength: 1 }),
});

// Event runs: a few notebooks described (or found gone) with the rules run on each; the report
// holds findings of described resources and rules only.
const NAMES = ['nb1', 'nb2'];
const eventRun = fc.record({
  findings: fc.array(auditFinding, { maxLength: 6 }),
  described: fc.array(fc.record({ place: fc.constantFrom(...PLACES), name: fc.constantFrom(...NAMES), rules: fc.subarray(RULES) }), { maxLength: 3 }),
  rules: fc.subarray(RULES, { minLength: 1 }),
});
type EventRun = { findings: Finding[]; described: { place: readonly [string, string]; name: string; rules: string[] }[]; rules: string[] };

function eventReport(r: EventRun, minutes: number): ScanReport {
  const resources = r.described.map((d) => ({
    account: d.place[0],
    region: d.place[1],
    arn: `arn:aws:sagemaker:${d.place[1]}:${d.place[0]}:notebook-instance/${d.name}`,
    ruleIds: d.rules.filter((id) => r.rules.includes(id)),
  }));
  const listed = (f: Finding) => resources.some((x) => x.arn === f.resource.live!.arn && x.account === f.resource.live!.account && x.ruleIds.includes(f.ruleId));
  return report(r.findings.filter(listed), { resources }, { rules: r.rules, minutes });
}

type ScanRun = { findings: Finding[]; files: string[]; errored: string[]; rules: string[] };
type AuditRun = { findings: Finding[]; regions: { place: readonly [string, string]; rules: string[] }[]; rules: string[] };

function scanReport(r: ScanRun, minutes: number): ScanReport {
  // A report only has findings of rules that ran, in files it read.
  const findings = r.findings.filter((f) => r.rules.includes(f.ruleId) && r.files.includes(f.location.file));
  return report(findings, { files: r.files }, { rules: r.rules, minutes, errors: r.errored.map((file) => ({ file, message: 'broken' })) });
}

function auditReport(r: AuditRun, minutes: number): ScanReport {
  const regions = r.regions.map((x) => ({ account: x.place[0], region: x.place[1], ruleIds: x.rules.filter((id) => r.rules.includes(id)) }));
  return report(r.findings.filter((f) => r.rules.includes(f.ruleId)), { regions }, { rules: r.rules, minutes });
}

/** The oracle, written apart from classify: where a missing finding may be resolved. */
function lookedAt(current: ScanReport, f: Finding): boolean {
  if (!current.rules.some((r) => r.id === f.ruleId)) return false;
  if (f.resource.live) {
    if (current.run!.evaluated.resources) {
      return current.run!.evaluated.resources.some((r) => r.account === f.resource.live!.account && r.region === f.resource.live!.region && r.arn === f.resource.live!.arn && r.ruleIds.includes(f.ruleId));
    }
    return (current.run!.evaluated.regions ?? []).some((r) => r.account === f.resource.live!.account && r.region === f.resource.live!.region && r.ruleIds.includes(f.ruleId));
  }
  return (current.run!.evaluated.files ?? []).includes(f.location.file) && !current.errors.some((e) => e.file === f.location.file && !e.resourceType);
}

function checkInvariants(state: StateEntry[] | undefined, previous: ScanReport | undefined, current: ScanReport): StateEntry[] {
  const { comparison, state: next } = classify(state, previous?.run, current);
  const currentKeys = new Set(current.findings.map(findingKey));
  // Nothing outside what the run evaluated is resolved by absence.
  for (const c of comparison.changes) {
    if (c.change === 'resolved' && !currentKeys.has(c.key)) assert.ok(lookedAt(current, c.finding), `resolved outside what was evaluated: ${JSON.stringify(c.finding)}`);
    if (c.change === 'resolved' && currentKeys.has(c.key)) assert.equal(c.finding.result, 'pass');
  }
  // Counts add up, every kind present.
  const total = Object.values(comparison.counts).reduce((a, b) => a + b, 0);
  assert.equal(total, comparison.changes.length);
  for (const [kind, n] of Object.entries(comparison.counts)) assert.equal(comparison.changes.filter((c) => c.change === kind).length, n);
  // One change per key; every key seen now has one; every failing key of the state not seen now
  // is resolved or not-evaluated, and stays in the state.
  assert.equal(new Set(comparison.changes.map((c) => c.key)).size, comparison.changes.length);
  for (const k of currentKeys) assert.ok(comparison.changes.some((c) => c.key === k));
  for (const e of state ?? []) {
    // An event run says nothing of what it did not describe: the entry as it was, no change.
    if (current.run!.evaluated.resources && !currentKeys.has(e.key) && !lookedAt(current, e.finding)) {
      assert.ok(!comparison.changes.some((c) => c.key === e.key), `an event run changed what it did not describe: ${e.key}`);
      assert.deepEqual(next.find((n) => n.key === e.key), e);
      continue;
    }
    if ((e.standing === 'failing' || e.standing === 'suppressed') && !currentKeys.has(e.key)) {
      const c = comparison.changes.find((x) => x.key === e.key);
      assert.ok(c && (c.change === 'resolved' || c.change === 'not-evaluated'));
      assert.ok(next.some((n) => n.key === e.key), 'a failing key is never lost from the state');
    }
  }
  // One order everywhere.
  for (let i = 1; i < comparison.changes.length; i++) assert.ok(compareFindings(comparison.changes[i - 1]!.finding, comparison.changes[i]!.finding) <= 0);
  for (let i = 1; i < next.length; i++) assert.ok(compareFindings(next[i - 1]!.finding, next[i]!.finding) <= 0);
  assert.equal(new Set(next.map((e) => e.key)).size, next.length);
  // The state is plain JSON: what the store writes is what it reads back.
  assert.deepEqual(JSON.parse(JSON.stringify(next)), next);
  return next;
}

test('property: scans — nothing outside what was evaluated is resolved; counts, keys and order hold over sequences', () => {
  fc.assert(
    fc.property(fc.array(scanRun, { minLength: 1, maxLength: 5 }), (runs) => {
      let state: StateEntry[] | undefined;
      let previous: ScanReport | undefined;
      runs.forEach((r, i) => {
        const current = scanReport(r, i);
        state = checkInvariants(state, previous, current);
        previous = current;
      });
    }),
    { numRuns: 400 },
  );
});

test('property: audits — nothing outside the listed regions and rules is resolved; counts, keys and order hold', () => {
  fc.assert(
    fc.property(fc.array(auditRun, { minLength: 1, maxLength: 5 }), (runs) => {
      let state: StateEntry[] | undefined;
      let previous: ScanReport | undefined;
      runs.forEach((r, i) => {
        const current = auditReport(r, i);
        state = checkInvariants(state, previous, current);
        previous = current;
      });
    }),
    { numRuns: 400 },
  );
});

test('property: event runs among audits — only what they described changes; everything else passes through as it was', () => {
  const run = fc.oneof(auditRun.map((r) => (m: number) => auditReport(r, m)), eventRun.map((r) => (m: number) => eventReport(r, m)));
  fc.assert(
    fc.property(fc.array(run, { minLength: 1, maxLength: 6 }), (runs) => {
      let state: StateEntry[] | undefined;
      let previous: ScanReport | undefined;
      runs.forEach((make, i) => {
        const current = make(i);
        state = checkInvariants(state, previous, current);
        previous = current;
      });
    }),
    { numRuns: 400 },
  );
});

test('property: a run classified against itself has nothing new, regressed, resolved or newly suppressed', () => {
  fc.assert(
    fc.property(fc.oneof(scanRun.map((r) => scanReport(r, 0)), auditRun.map((r) => auditReport(r, 0))), (r) => {
      const first = classify(undefined, undefined, r);
      const again = classify(first.state, r.run, { ...r, run: { ...r.run!, id: `${r.run!.id}-again` } });
      for (const kind of ['new', 'regressed', 'resolved', 'newly-suppressed', 'suppression-expired', 'not-evaluated'] as const) {
        assert.equal(again.comparison.counts[kind], 0, kind);
      }
      assert.deepEqual(again.state.map((e) => [e.key, e.standing]), first.state.map((e) => [e.key, e.standing]));
    }),
    { numRuns: 400 },
  );
});

test('property: a report without a run (inferred) resolves a missing finding only where it still has findings and no error', () => {
  const run = fc.oneof(scanRun.map((r) => (m: number) => scanReport(r, m)), auditRun.map((r) => (m: number) => auditReport(r, m)));
  fc.assert(
    fc.property(run, run, fc.array(fc.constantFrom(...PLACES), { maxLength: 2 }), (first, second, failedRegions) => {
      const before = first(0);
      const after = second(1);
      if (before.run!.command !== after.run!.command) return;
      const errors = [...after.errors, ...failedRegions.map(([account, region]) => ({ file: `aws://${account}/${region}`, account, region, message: 'Throttling' }))];
      const old = { ...after, errors, run: undefined };
      const inferred = { ...old, run: { ...after.run!, evaluated: inferEvaluated(old) } };
      const { comparison } = classify(classify(undefined, undefined, before).state, before.run, inferred);
      const here = new Set(after.findings.map(findingKey));
      for (const c of comparison.changes) {
        if (c.change !== 'resolved' || here.has(c.key)) continue;
        const place = livePlace(c.finding);
        if (place) {
          assert.ok(after.findings.some((f) => livePlace(f)?.account === place.account && livePlace(f)?.region === place.region && f.ruleId === c.finding.ruleId));
          assert.ok(!errors.some((e) => e.account === place.account && e.region === place.region));
        } else {
          assert.ok(after.findings.some((f) => f.location.file === c.finding.location.file));
          assert.ok(!errors.some((e) => e.file === c.finding.location.file));
        }
      }
    }),
    { numRuns: 400 },
  );
});
