// `cloudconform diff`, the built command, on real scans of real temporary repositories: scan,
// change the tree, scan again, diff the two JSON reports (and the two runs in the history).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';
import { notebookTf, runCli } from './helpers/suppressions';

const SUBNET = 'subnet-0123456789abcdef0';

/** A template with several notebooks: name -> 'Enabled' (fails) or 'Disabled' (passes, with a subnet). */
function template(notebooks: Record<string, 'Enabled' | 'Disabled'>): string {
  const blocks = Object.entries(notebooks).map(([name, access]) =>
    NOTEBOOK_CFN_YAML(name, access, access === 'Disabled' ? SUBNET : undefined)
      .split('\n')
      .slice(2)
      .join('\n'),
  );
  return ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', ...blocks].join('\n');
}

const SKIP = '# cloudconform:skip=SageMaker-004 accepted for the training sandbox (SEC-1)';
const EXPIRED = '# cloudconform:skip=SageMaker-004 expires=2020-01-31 accepted until the migration (SEC-2)';

/** Version 1 of the repository, then version 2 with one change of each kind. */
function repository() {
  const t = makeTree({
    'repo/.git/HEAD': 'ref: refs/heads/main\n',
    'repo/a.yaml': template({ Fixed: 'Enabled', Still: 'Enabled', Regresses: 'Disabled' }),
    'repo/b.yaml': template({ Deleted: 'Enabled', Other: 'Disabled' }),
    'repo/gone.yaml': template({ InGoneFile: 'Enabled' }),
    'repo/c.yaml': template({ InBrokenFile: 'Enabled' }),
    'repo/tf/main.tf': notebookTf('hidden') + notebookTf('expiring', [EXPIRED.replace('2020-01-31', '2099-01-31')]),
  });
  const repo = join(t.root, 'repo');
  const change = () => {
    writeFileSync(join(repo, 'a.yaml'), template({ Fixed: 'Disabled', Still: 'Enabled', Regresses: 'Enabled', Added: 'Enabled' }));
    writeFileSync(join(repo, 'b.yaml'), template({ Other: 'Disabled' }));
    rmSync(join(repo, 'gone.yaml'));
    writeFileSync(join(repo, 'c.yaml'), 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {unclosed\n');
    writeFileSync(join(repo, 'tf/main.tf'), notebookTf('hidden', [SKIP]) + notebookTf('expiring', [EXPIRED]));
  };
  return { t, repo, change };
}

function scanTo(repo: string, file: string, extra: string[] = []) {
  const r = runCli(['scan', '.', '--format', 'json', '--output', `json=${file}`, '--no-history', '-q', ...extra], repo);
  assert.ok(r.code === 1 || r.code === 2, `scan: ${r.code} ${r.stderr}`);
}

const EXPECTED: Record<string, string> = {
  'SageMaker-004 Fixed': 'resolved',
  'SageMaker-004 Still': 'still-failing',
  'SageMaker-004 Regresses': 'regressed',
  'SageMaker-004 Added': 'new',
  'SageMaker-004 Deleted': 'resolved',
  // A file gone from the tree, and one the scan could not parse: not resolved (Prowler #1626).
  'SageMaker-004 InGoneFile': 'not-evaluated',
  'SageMaker-004 InBrokenFile': 'not-evaluated',
  'SageMaker-004 aws_sagemaker_notebook_instance.hidden': 'newly-suppressed',
  'SageMaker-004 aws_sagemaker_notebook_instance.expiring': 'suppression-expired',
};

test('diff of two JSON reports of a changed repository: each change classified, exit 1 for new or regressed', () => {
  const { t, repo, change } = repository();
  try {
    scanTo(repo, join(t.root, 'before.json'));
    change();
    scanTo(repo, join(t.root, 'after.json'));
    const r = runCli(['diff', join(t.root, 'before.json'), join(t.root, 'after.json'), '--format', 'json'], repo);
    assert.equal(r.code, 1, r.stderr);
    const diff = JSON.parse(r.stdout);
    assert.equal(diff.version, 1);
    assert.equal(diff.kind, 'diff');
    assert.equal(diff.previous.scope.key, `scan:${repo}`);
    assert.equal(diff.current.scope.key, `scan:${repo}`);
    const got = Object.fromEntries(diff.changes.map((c: { change: string; finding: { ruleId: string; resource: { id: string } } }) => [`${c.finding.ruleId} ${c.finding.resource.id}`, c.change]));
    assert.deepEqual(got, EXPECTED);
    assert.equal(diff.counts.new, 1);
    assert.equal(diff.counts.regressed, 1);
    assert.equal(diff.counts.resolved, 2);
    assert.equal(diff.counts['not-evaluated'], 2);
    // The resolved one that passes now shows what failed before.
    const fixed = diff.changes.find((c: { finding: { resource: { id: string } } }) => c.finding.resource.id === 'Fixed');
    assert.equal(fixed.finding.result, 'pass');
    assert.equal(fixed.previous.result, 'fail');
    assert.match(fixed.key, /^[0-9a-f]{64}$/);

    // Text: grouped, counted, the exit code said.
    const text = runCli(['diff', join(t.root, 'before.json'), join(t.root, 'after.json')], repo);
    assert.equal(text.code, 1);
    const order = ['New: 1', 'Regressed (passing or resolved before): 1', 'Resolved: 2', 'Still failing: 1', 'Newly suppressed: 1', 'Suppression expired: 1', 'Not evaluated'];
    const at = order.map((h) => text.stdout.indexOf(h));
    assert.ok(at.every((i) => i >= 0), text.stdout);
    assert.deepEqual([...at].sort((x, y) => x - y), at);
    assert.match(text.stdout, /1 new, 1 regressed, 2 resolved, 1 still failing, 1 newly suppressed, 1 suppression expired, 2 not evaluated/);
    assert.match(text.stdout, /has an error entry: what it concerns is not resolved/);

    // Compared with itself: nothing changed, exit 0.
    const same = runCli(['diff', join(t.root, 'after.json'), join(t.root, 'after.json'), '--format', 'json'], repo);
    assert.equal(same.code, 0);
    const sameDiff = JSON.parse(same.stdout);
    assert.equal(sameDiff.counts.new + sameDiff.counts.resolved + sameDiff.counts.regressed, 0);
    // Only fixed: exit 0 the other way round is new ones again.
    const back = runCli(['diff', join(t.root, 'after.json'), join(t.root, 'before.json'), '--format', 'json'], repo);
    assert.equal(back.code, 1);
  } finally {
    t.cleanup();
  }
});

test('diff --format sarif: valid SARIF 2.1.0, each result with its baselineState; junit and csv parse; several --output at once', () => {
  const { t, repo, change } = repository();
  try {
    scanTo(repo, join(t.root, 'before.json'));
    change();
    scanTo(repo, join(t.root, 'after.json'));
    const out = join(t.root, 'out');
    const r = runCli(
      ['diff', join(t.root, 'before.json'), join(t.root, 'after.json'), '--format', 'sarif', '-o', `junit=${join(out, 'diff.xml')}`, '-o', join(out, 'diff.csv'), '-o', join(out, 'diff.json'), '-o', `text=${join(out, 'diff.txt')}`],
      repo,
    );
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout);
    const schemaPath = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
    const { $schema: _s, id, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false, logger: false }).compile({ $id: id, ...schema });
    assert.ok(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors?.slice(0, 3)));
    const states = Object.fromEntries(log.runs[0].results.map((x: { logicalLocations?: unknown; locations: { logicalLocations: { name: string }[] }[]; baselineState: string; properties: { change: string } }) => [x.locations[0]!.logicalLocations[0]!.name, `${x.baselineState} ${x.properties.change}`]));
    assert.equal(states.Added, 'new new');
    assert.equal(states.Regresses, 'new regressed');
    assert.equal(states.Fixed, 'absent resolved');
    assert.equal(states.Deleted, 'absent resolved');
    assert.equal(states.Still, 'unchanged still-failing');
    assert.equal(states.InGoneFile, 'unchanged not-evaluated');
    assert.equal(states['aws_sagemaker_notebook_instance.hidden'], 'updated newly-suppressed');
    assert.equal(log.runs[0].results.find((x: { properties: { change: string } }) => x.properties.change === 'newly-suppressed').suppressions.length, 1);

    const junit = readFileSync(join(out, 'diff.xml'), 'utf8');
    assert.match(junit, /<testsuites name="cloudconform diff" tests="9" failures="2" errors="0" skipped="5">/);
    assert.match(junit, /<testsuite name="cloudconform.diff.new" tests="1" failures="1"/);
    const csv = readFileSync(join(out, 'diff.csv'), 'utf8');
    assert.match(csv, /^change,key,rule,verdict,/);
    assert.equal(csv.split('\r\n').filter(Boolean).length, 10);
    assert.match(csv, /\r\nresolved,[0-9a-f]{64},SageMaker-004,fail,Medium,AWS::SageMaker::NotebookInstance,Fixed,/);
    assert.equal(JSON.parse(readFileSync(join(out, 'diff.json'), 'utf8')).kind, 'diff');
    assert.match(readFileSync(join(out, 'diff.txt'), 'utf8'), /^Changes in scan:\//);
  } finally {
    t.cleanup();
  }
});

test('diff refuses what it cannot do: other scopes, one argument, formats it does not write (exit 2)', () => {
  const { t, repo } = repository();
  try {
    scanTo(repo, join(t.root, 'a.json'));
    mkdirSync(join(t.root, 'other/.git'), { recursive: true });
    writeFileSync(join(t.root, 'other/t.yaml'), template({ Nb: 'Enabled' }));
    scanTo(join(t.root, 'other'), join(t.root, 'other.json'));
    const mismatch = runCli(['diff', join(t.root, 'a.json'), join(t.root, 'other.json')], repo);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /is a run of 'scan:[^']*\/repo' and .*other\.json of 'scan:[^']*\/other': only runs of the same scope can be compared/);
    assert.equal(mismatch.stdout, '');
    const one = runCli(['diff', join(t.root, 'a.json')], repo);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /give two runs/);
    for (const format of ['gitlab-sast', 'ocsf', 'asff']) {
      const r = runCli(['diff', join(t.root, 'a.json'), join(t.root, 'a.json'), '--format', format], repo);
      assert.equal(r.code, 2, format);
      assert.match(r.stderr, new RegExp(`--format ${format} is not available for diff`));
      const o = runCli(['diff', join(t.root, 'a.json'), join(t.root, 'a.json'), '-o', `${format}=${join(t.root, 'x')}`], repo);
      assert.equal(o.code, 2, format);
    }
    const help = runCli(['diff', '--help'], repo);
    assert.match(help.stdout, /Exit codes: 0 nothing new or regressed, 1 new or regressed failures, 2/);
  } finally {
    t.cleanup();
  }
});

test('diff of reports without a run (written before 0.2): accepted, resolved only where the report still shows findings, and said', () => {
  const { t, repo, change } = repository();
  try {
    scanTo(repo, join(t.root, 'before.json'));
    change();
    scanTo(repo, join(t.root, 'after.json'));
    for (const name of ['before.json', 'after.json']) {
      const report = JSON.parse(readFileSync(join(t.root, name), 'utf8'));
      delete report.run;
      writeFileSync(join(t.root, `old-${name}`), JSON.stringify(report));
    }
    const r = runCli(['diff', join(t.root, 'old-before.json'), join(t.root, 'old-after.json'), '--format', 'json'], repo);
    assert.equal(r.code, 1, r.stderr);
    const diff = JSON.parse(r.stdout);
    assert.equal(diff.previous, undefined);
    assert.equal(diff.current, undefined);
    assert.match(diff.notes.join('\n'), /old-after\.json records no run \(written before cloudconform 0\.2\)/);
    const got = Object.fromEntries(diff.changes.map((c: { change: string; finding: { resource: { id: string } } }) => [c.finding.resource.id, c.change]));
    // a.yaml and b.yaml still have findings: read. The gone and broken files: not resolved.
    assert.equal(got.Fixed, 'resolved');
    assert.equal(got.Deleted, 'resolved');
    assert.equal(got.InGoneFile, 'not-evaluated');
    assert.equal(got.InBrokenFile, 'not-evaluated');
  } finally {
    t.cleanup();
  }
});

test('attack: hostile names in a report are escaped in the text diff and the JUnit and SARIF outputs stay well-formed', () => {
  const { t, repo } = repository();
  try {
    scanTo(repo, join(t.root, 'before.json'));
    const report = JSON.parse(readFileSync(join(t.root, 'before.json'), 'utf8'));
    const evil = '\u001b]8;;http://evil\u0007<script>alert(1)</script>\u202e"&\'\n=cmd';
    const after = { ...report, run: { ...report.run, id: `${report.run.id}x` }, findings: report.findings.map((f: { resource: { id: string }; message: string }) => ({ ...f, resource: { ...f.resource, id: `${f.resource.id}${evil}` }, message: evil })) };
    writeFileSync(join(t.root, 'after.json'), JSON.stringify(after));
    const text = runCli(['diff', join(t.root, 'before.json'), join(t.root, 'after.json')], repo);
    assert.equal(text.code, 1);
    assert.ok(!/[\u001b\u0007\u202e]/.test(text.stdout), 'no control or bidi character reaches the terminal');
    assert.match(text.stdout, /\\x1b\]8;;http:\/\/evil\\x07<script>/);
    const junit = runCli(['diff', join(t.root, 'before.json'), join(t.root, 'after.json'), '--format', 'junit'], repo);
    assert.ok(!junit.stdout.includes('<script>'), 'markup escaped in XML');
    assert.match(junit.stdout, /&lt;script&gt;/);
    const sarif = runCli(['diff', join(t.root, 'before.json'), join(t.root, 'after.json'), '--format', 'sarif'], repo);
    assert.ok(!/[\u001b\u202e]/.test(sarif.stdout));
    assert.ok(JSON.parse(sarif.stdout).runs[0].results.length > 0);
    const csv = runCli(['diff', join(t.root, 'before.json'), join(t.root, 'after.json'), '--format', 'csv'], repo);
    assert.ok(!/[\u001b\u202e]/.test(csv.stdout));
  } finally {
    t.cleanup();
  }
});

test('diff from the history: the last two runs of the latest scope by default, or two run ids; a missing run or history is exit 2', () => {
  const { t, repo, change } = repository();
  try {
    const db = join(t.root, 'history.db');
    const none = runCli(['diff', '--db', db], repo);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no runs recorded yet|no history database/);
    assert.ok([1, 2].includes(runCli(['scan', '.', '--db', db, '-q'], repo).code!));
    const one = runCli(['diff', '--db', db], repo);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /only one run of scope 'scan:[^']*\/repo'/);
    change();
    assert.ok([1, 2].includes(runCli(['scan', '.', '--db', db, '-q'], repo).code!));
    const r = runCli(['diff', '--db', db, '--format', 'json'], repo);
    assert.equal(r.code, 1, r.stderr);
    const diff = JSON.parse(r.stdout);
    const got = Object.fromEntries(diff.changes.map((c: { change: string; finding: { ruleId: string; resource: { id: string } } }) => [`${c.finding.ruleId} ${c.finding.resource.id}`, c.change]));
    // Recorded by the process that scanned, the deleted template is known gone: resolved (two
    // report files can't tell, so there it stays not evaluated); the unparsable one is not.
    assert.deepEqual(got, { ...EXPECTED, 'SageMaker-004 InGoneFile': 'resolved' });
    // The same two runs by id: the same changes.
    const byId = runCli(['diff', diff.previous.id, diff.current.id, '--db', db, '--format', 'json'], repo);
    assert.equal(byId.code, 1, byId.stderr);
    assert.deepEqual(JSON.parse(byId.stdout).changes, diff.changes);
    // Attack (red team): a file in the working directory named like the earlier run's id does not
    // stand in for it; given as ./NAME it is the file.
    writeFileSync(join(repo, diff.previous.id), readFileSync(join(repo, 'a.yaml')));
    const shadowed = runCli(['diff', diff.previous.id, diff.current.id, '--db', db, '--format', 'json'], repo);
    assert.equal(shadowed.code, 1, shadowed.stderr);
    assert.deepEqual(JSON.parse(shadowed.stdout).changes, diff.changes);
    assert.equal(runCli(['diff', `./${diff.previous.id}`, diff.current.id, '--db', db], repo).code, 2, 'the file itself is not a report');
    rmSync(join(repo, diff.previous.id));
    // Runs that are not next to each other: classified from their two reports.
    assert.ok([1, 2].includes(runCli(['scan', '.', '--db', db, '-q'], repo).code!));
    const latest = JSON.parse(runCli(['diff', '--db', db, '--format', 'json'], repo).stdout);
    assert.equal(latest.counts.new + latest.counts.resolved + latest.counts.regressed, 0, 'nothing changed since');
    const apart = runCli(['diff', diff.previous.id, latest.current.id, '--db', db, '--format', 'json'], repo);
    assert.equal(apart.code, 1, apart.stderr);
    const pairs = (d: { changes: { change: string; key: string }[] }) => d.changes.map((c) => `${c.key} ${c.change}`);
    // Classified from the two reports, the deleted template can't be known gone (no look at the
    // disk then): not evaluated there, resolved in the recorded comparison; the rest alike.
    const gone = diff.changes.find((c: { finding: { resource: { id: string } } }) => c.finding.resource.id === 'InGoneFile').key;
    assert.deepEqual(pairs(JSON.parse(apart.stdout)), pairs(diff).map((p) => (p.startsWith(gone) ? `${gone} not-evaluated` : p)));
    const scoped = runCli(['diff', '--db', db, '--scope', `scan:${repo}`, '--format', 'json'], repo);
    assert.deepEqual(JSON.parse(scoped.stdout).changes, latest.changes);
    const missing = runCli(['diff', '20200101T000000Z-00000000', diff.current.id, '--db', db], repo);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no run 20200101T000000Z-00000000 in the history/);
    const noScope = runCli(['diff', '--db', db, '--scope', 'scan:nothing'], repo);
    assert.equal(noScope.code, 2);
    assert.match(noScope.stderr, /no runs of scope 'scan:nothing'/);
  } finally {
    t.cleanup();
  }
});
