// `cloudconform fix` end to end, through the built CLI, on a copy of the bundled examples (and the
// rules' own examples): a dry run changes nothing and prints a unified diff; fix writes; a second
// run changes nothing; a scan afterwards passes every resource that was not left to a person.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli } from '../aws/audit-helpers';
import { PROJECT_ROOT } from '../aws/venv';

let work: string;

/** Every file's text under a directory, by relative path. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-fix-cli-'));
  cpSync(join(PROJECT_ROOT, 'examples'), join(work, 'examples'), { recursive: true });
});

after(() => rmSync(work, { recursive: true, force: true }));

const INPUTS = ['--subnet-id', 'subnet-0123456789abcdef0', '--security-group-ids', 'sg-0123456789abcdef0', '--vpc-id', 'vpc-0123456789abcdef0', '--subnet-ids', 'subnet-0123456789abcdef0,subnet-0fedcba9876543210'];

test('fix --dry-run prints a unified diff of every change, writes nothing, exits 1 (changes pending)', async () => {
  const dir = join(work, 'examples');
  const before = snapshot(dir);
  const { code, stdout } = await runCli(['fix', '--dry-run', dir], { cwd: work });
  assert.equal(code, 1, stdout);
  assert.deepEqual(snapshot(dir), before);
  assert.match(stdout, /^--- a\/.*notebooks-with-internet\.yaml/m);
  assert.match(stdout, /^\+.*DirectInternetAccess: Disabled/m);
  assert.match(stdout, /^\+\s*default = "Disabled"/m, "the Terraform variable the notebooks read, changed at its source");
  assert.match(stdout, /dry run: nothing written/);
});

test('fix writes the changes; the re-scan passes everything not left to a person; a second run changes nothing', async () => {
  const dir = join(work, 'examples');
  const first = await runCli(['fix', '--format', 'json', ...INPUTS, dir], { cwd: work });
  assert.ok(first.code === 0 || first.code === 1, first.stderr);
  const outcome = JSON.parse(first.stdout) as { changes: unknown[]; manual: { resourceId: string }[]; remaining: { resource: { id: string } }[]; errors: unknown[] };
  assert.deepEqual(outcome.errors, []);
  assert.ok(outcome.changes.length >= 8, `${outcome.changes.length} changes`);
  const leftToPerson = new Set(outcome.manual.map((m) => m.resourceId));
  for (const f of outcome.remaining) assert.ok(leftToPerson.has(f.resource.id), `${f.resource.id} still fails but was not reported as a decision`);
  assert.equal(first.code, outcome.manual.length > 0 ? 1 : 0);

  const scanned = await runCli(['scan', '--format', 'json', dir], { cwd: work });
  const report = JSON.parse(scanned.stdout) as { findings: { result: string; suppressed: boolean; resource: { id: string } }[] };
  const failing = report.findings.filter((f) => f.result === 'fail' && !f.suppressed).map((f) => f.resource.id);
  assert.deepEqual(failing.filter((id) => !leftToPerson.has(id)), []);

  const afterFirst = snapshot(dir);
  const second = await runCli(['fix', '--format', 'json', ...INPUTS, dir], { cwd: work });
  assert.deepEqual(snapshot(dir), afterFirst, 'the second run changes nothing');
  assert.deepEqual((JSON.parse(second.stdout) as { changes: unknown[] }).changes, []);
});

test('fix without inputs: Terraform notebooks given a new variable without default are reported unknown until it has a value', async () => {
  const dir = join(work, 'no-inputs');
  cpSync(join(PROJECT_ROOT, 'examples', 'terraform', 'noncompliant'), dir, { recursive: true });
  const { code, stdout } = await runCli(['fix', dir], { cwd: work });
  assert.equal(code, 1, 'the module call is left to a person');
  assert.match(stdout, /variable notebook_subnet_id \(string\) without a default/);
  assert.match(stdout, /2 unknown until the parameters or variables fix added are given values/);
  const again = join(work, 'no-inputs-json');
  cpSync(join(PROJECT_ROOT, 'examples', 'terraform', 'noncompliant'), again, { recursive: true });
  const json = await runCli(['fix', '--format', 'json', again], { cwd: work });
  const outcome = JSON.parse(json.stdout) as { unknownAfter: { resource: { id: string } }[] };
  assert.deepEqual(outcome.unknownAfter.map((f) => f.resource.id).sort(), ['aws_sagemaker_notebook_instance.team["forecasting"]', 'aws_sagemaker_notebook_instance.team["pricing"]']);
  const scanned = await runCli(['scan', '--var', 'notebook_subnet_id=subnet-0123456789abcdef0', '--var', 'notebook_security_group_ids=["sg-0123456789abcdef0"]', dir], { cwd: work });
  assert.doesNotMatch(scanned.stdout, /team\["(forecasting|pricing)"\].*(FAIL|UNKNOWN)/, 'with the variables given, they pass');
});

test('fix: bad ids are usage errors (exit 2) before anything is read', async () => {
  const { code, stderr } = await runCli(['fix', '--subnet-id', 'sn-1', join(work, 'examples')], { cwd: work });
  assert.equal(code, 2);
  assert.match(stderr, /--subnet-id: 'sn-1' is not a valid id/);
});
