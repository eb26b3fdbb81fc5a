// `cloudconform report --standard`, `rules` and `explain` as a user runs them (bin/cloudconform.js,
// built by `npm run build`), on real scan reports of the rules' bundled examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;
const EXAMPLES = ['src/rules/sagemaker-004/examples', 'src/rules/sagemaker-005/examples'];

function run(args: string[], env: Record<string, string> = {}) {
  const { NO_COLOR, FORCE_COLOR, CLOUDCONFORM_DB, ...base } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'cc-compliance-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A JSON report of a scan (not recorded in any history). */
function scanReport(name: string, args: string[]): string {
  const file = join(dir, name);
  const r = run(['scan', ...args, '--no-history', '-q', '-o', `json=${file}`]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return file;
}

interface JsonRequirement {
  id: string;
  status: string;
  why: string;
  rules: string[];
  /** Counts by verdict; the findings themselves are listed once, after the requirements. */
  findings: { fail: number; unknown: number; suppressed: number; pass: number };
}

test('report --standard on the examples: failing requirements with their findings, exit 1; json lists them all', () => {
  const file = scanReport('examples.json', EXAMPLES);
  const text = run(['report', '--standard', 'pci-dss-4.0', file]);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stdout, /^PCI DSS 4\.0 \(pci-dss-4\.0\)$/m);
  assert.match(text.stdout, /^FAIL {2}1\.3\.2 {2}/m);
  assert.match(text.stdout, /- fail SageMaker-004 FailEnabled \(src\/rules\/sagemaker-004\/examples\/cloudformation\.yaml:\d+:\d+\)/);
  assert.match(text.stdout, /- fail SageMaker-005 /);
  assert.match(text.stdout, /^ {6}SageMaker-004, SageMaker-005: \d+ findings fail, \d+ unknown$/m);
  assert.match(text.stdout, /… and \d+ more of SageMaker-004 \(--format json lists them all\)/);
  assert.match(text.stdout, /3 requirements: 3 fail, 0 unknown, 0 pass, 0 not assessed\./);
  assert.doesNotMatch(text.stdout, /\x1b\[/, 'no colour when not a terminal');

  const json = run(['report', '--standard', 'PCI', '--format', 'json', file]);
  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.standard.id, 'pci-dss-4.0');
  assert.deepEqual(parsed.summary, { fail: 3, unknown: 0, pass: 0, 'not-assessed': 0 });
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const expected = report.findings.filter((f: { ruleId: string }) => f.ruleId === 'SageMaker-004' || f.ruleId === 'SageMaker-005').length;
  assert.equal(parsed.findings.length, expected, 'each finding once');
  for (const r of parsed.requirements as JsonRequirement[]) {
    const { fail, unknown, suppressed, pass } = r.findings;
    assert.equal(fail + unknown + suppressed + pass, expected);
    assert.ok(fail > 0 && unknown > 0 && pass > 0);
  }

  // FSBP: SageMaker.1 fails; SageMaker.2 has no rule and says so, never pass.
  const fsbp = JSON.parse(run(['report', '--standard', 'aws-fsbp', '-f', 'json', file]).stdout);
  const byId: Record<string, JsonRequirement> = Object.fromEntries((fsbp.requirements as JsonRequirement[]).map((r) => [r.id, r]));
  assert.equal(byId['SageMaker.1']!.status, 'fail');
  assert.ok(fsbp.findings.length > 0);
  assert.ok(fsbp.findings.every((f: { ruleId: string }) => f.ruleId === 'SageMaker-004'), 'only the findings of the standard\'s rules');
  assert.equal(byId['SageMaker.2']!.status, 'not-assessed');
  assert.equal(byId['SageMaker.2']!.why, 'no rule assesses it');
});

test('report --standard: a passing scan passes (exit 0); a rule left out of the run makes its requirements unknown or not assessed', () => {
  const t = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Disabled', 'subnet-0123456789abcdef0') });
  try {
    const ok = scanReport('ok.json', [t.root]);
    const pass = run(['report', '--standard', 'nist-800-53-r5', ok]);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /^PASS {2}AC-4 /m);
    assert.match(pass.stdout, /5 requirements: 0 fail, 0 unknown, 5 pass, 0 not assessed\./);

    const only004 = scanReport('only004.json', [t.root, '--rules', 'SageMaker-004']);
    const partial = JSON.parse(run(['report', '--standard', 'hipaa', '-f', 'json', only004]).stdout);
    const byId: Record<string, JsonRequirement> = Object.fromEntries((partial.requirements as JsonRequirement[]).map((r) => [r.id, r]));
    assert.equal(byId['164.312(a)(1)']!.status, 'unknown');
    assert.equal(byId['164.312(a)(1)']!.why, 'SageMaker-005 did not run: what it would check is not known');
    assert.equal(byId['164.312(e)(1)']!.status, 'not-assessed');

    const only005 = scanReport('only005.json', [t.root, '--rules', 'SageMaker-005']);
    const fsbp = JSON.parse(run(['report', '--standard', 'fsbp', '-f', 'json', only005]).stdout);
    assert.equal(fsbp.requirements[0].status, 'not-assessed');
    assert.equal(fsbp.requirements[0].why, 'SageMaker-004 did not run');
    // Both reports together: the union passes.
    assert.equal(run(['report', '--standard', 'hipaa', only004, only005]).code, 0);
  } finally {
    t.cleanup();
  }
});

test('report --standard: hostile names and messages in a report are printed escaped', () => {
  const report = JSON.parse(readFileSync(scanReport('hostile-base.json', EXAMPLES), 'utf8'));
  const failing = report.findings.find((f: { result: string }) => f.result === 'fail');
  failing.resource.id = 'Nb\x1b]0;owned\x07\u202eexe.txt<script>alert(1)</script>';
  failing.message = 'line one\nFAIL  9.9.9  forged requirement\x1b[2J';
  failing.location.file = 'dir/\x1b[31mred.yaml';
  const file = join(dir, 'hostile.json');
  writeFileSync(file, JSON.stringify(report));
  const r = run(['report', '--standard', 'pci-dss-3.2.1', file]);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /[\x00-\x09\x0b-\x1f\x7f\u202e]/, 'no control or bidi character reaches the terminal');
  assert.match(r.stdout, /Nb\\x1b\]0;owned\\x07\\u202eexe\.txt<script>alert\(1\)<\/script>/);
  assert.match(r.stdout, /line one\\x0aFAIL {2}9\.9\.9 {2}forged requirement\\x1b\[2J/);
  assert.doesNotMatch(r.stdout, /^FAIL {2}9\.9\.9/m, 'a message cannot forge a requirement line');
  assert.match(r.stdout, /dir\/\\x1b\[31mred\.yaml/);
  const json = run(['report', '--standard', 'pci-dss-3.2.1', '-f', 'json', file]);
  assert.doesNotMatch(json.stdout, /[\x1b\x07\u202e]/);
  assert.ok(json.stdout.includes('\\u001b]0;owned\\u0007\\u202eexe.txt'));
});

test('report --standard: unknown standard lists the valid ones (exit 2); list (exit 0); bad input is exit 2', () => {
  const unknown = run(['report', '--standard', 'pci-dss-9\x1b[2J', join(dir, 'none.json')]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /unknown standard 'pci-dss-9\\x1b\[2J'\. Standards: apra-cps-234, aws-fsbp, gdpr, hipaa, nist-800-171-r2, nist-800-53-r4, nist-800-53-r5, nist-csf-1\.1, nist-csf-2\.0, pci-dss-3\.2\.1, pci-dss-4\.0/);

  const list = run(['report', '--standard', 'list']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^pci-dss-4\.0 +PCI DSS 4\.0 +\(also: pci, pci-dss/m);
  const listJson = JSON.parse(run(['report', '--standard', 'list', '-f', 'json']).stdout);
  assert.equal(listJson.length, 11);

  const missing = run(['report', '--standard', 'hipaa', join(dir, 'does-not-exist.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does-not-exist\.json: can't read: no such file/);
  const notAReport = join(dir, 'other-tool.json');
  writeFileSync(notAReport, JSON.stringify({ results: [] }));
  assert.equal(run(['report', '--standard', 'hipaa', notAReport]).code, 2);

  assert.equal(run(['report']).code, 2, 'neither --standard nor --html');
  const file = scanReport('run-and-files.json', EXAMPLES);
  assert.match(run(['report', '--standard', 'hipaa', '--run', 'x', file]).stderr, /--run picks a run from the history/);
});

test('report --standard reads the latest recorded run, or --run ID, from the history', () => {
  const db = join(dir, 'history.db');
  const none = run(['report', '--standard', 'hipaa', '--db', db]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no runs recorded yet/);
  const garbage = join(dir, 'not-a-db.db');
  writeFileSync(garbage, 'this is not a SQLite database, and never was. '.repeat(200));
  const corrupt = run(['report', '--standard', 'hipaa', '--db', garbage]);
  assert.equal(corrupt.code, 2, 'a corrupt history is an error, never an empty posture');
  assert.equal(corrupt.stdout, '');
  assert.match(corrupt.stderr, /not-a-db\.db/);

  const t = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    assert.equal(run(['scan', t.root, '--db', db, '-q']).code, 1);
    const first = JSON.parse(run(['history', '--db', db, '-f', 'json']).stdout);
    writeFileSync(join(t.root, 'nb.yaml'), NOTEBOOK_CFN_YAML('Nb', 'Disabled', 'subnet-0123456789abcdef0'));
    assert.equal(run(['scan', t.root, '--db', db, '-q']).code, 0);
    const latest = run(['report', '--standard', 'pci-dss-4.0', '--db', db]);
    assert.equal(latest.code, 0, latest.stdout + latest.stderr);
    assert.match(latest.stdout, /^From: run \d{8}T\d{6}Z-[0-9a-f]{8}/m);
    const firstId = (Array.isArray(first) ? first : first.runs)[0].run.id as string;
    const older = run(['report', '--standard', 'pci-dss-4.0', '--db', db, '--run', firstId]);
    assert.equal(older.code, 1);
    assert.ok(older.stdout.includes(`From: run ${firstId}`));
    assert.equal(run(['report', '--standard', 'pci-dss-4.0', '--db', db, '--run', 'nope']).code, 2);
  } finally {
    t.cleanup();
  }
});

test('rules and explain show the requirement ids each rule assesses', () => {
  const text = run(['rules']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^ {4}pci-dss-4\.0 +1\.3\.2, 1\.4\.1, 1\.4\.4$/m);
  assert.match(text.stdout, /^ {4}aws-fsbp +SageMaker\.1$/m);
  const json = JSON.parse(run(['rules', '--format', 'json']).stdout);
  const byId = Object.fromEntries(json.map((r: { id: string }) => [r.id, r]));
  assert.deepEqual(byId['SageMaker-004']!.requirements['aws-fsbp'], ['SageMaker.1']);
  assert.equal(byId['SageMaker-005']!.requirements['aws-fsbp'], undefined);
  assert.deepEqual(byId['SageMaker-005']!.requirements.hipaa, ['164.312(a)(1)']);
  const explain = run(['explain', 'CKV_AWS_122']);
  assert.match(explain.stdout, /^Requirements it assesses/m);
  assert.match(explain.stdout, /^ {2}nist-800-53-r4 +AC-4, SC-7, SC-7\(3\), CA-3\(4\)$/m);
});
