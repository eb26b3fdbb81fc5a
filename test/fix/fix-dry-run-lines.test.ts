// `fix --dry-run` cites lines as they are on disk before the fix: every hunk header and every
// "FILE:N" of the summary, also when changes earlier in the file add lines (parameters inserted at
// the top, properties added to a resource), with CRLF line ends and a byte-order mark. After a
// real fix the lines are those of the file as written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../aws/audit-helpers';

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-fix-lines-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

const TWO_NOTEBOOKS = `Resources:
  A:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
  B:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
`;

const SHARED_PARAMETER = `Parameters:
  Access:
    Type: String
    Default: Enabled
Resources:
  A:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
  B:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: !Ref Access
      SubnetId: subnet-0abc1234
      SecurityGroupIds: [sg-0abc1234]
Outputs:
  AccessOut:
    Value: !Ref Access
`;

const TERRAFORM = `resource "aws_sagemaker_notebook_instance" "a" {
  name          = "a"
  instance_type = "ml.t3.medium"
  role_arn      = "arn:aws:iam::111122223333:role/nb"
}

resource "aws_sagemaker_notebook_instance" "b" {
  name                   = "b"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  direct_internet_access = "Enabled"
}
`;

interface Cited {
  file: string;
  line: number;
  resource: string;
  text: string;
}

/** `  FILE:N  RULE  RESOURCE  TEXT` lines of one section of fix's text output. */
function cited(stdout: string, heading: RegExp): Cited[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return [];
  const out: Cited[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^ {2}(\S+):(\d+) {2}(\S+) {2}(\S+) {2}(.*)$/.exec(line);
    if (!m) break;
    out.push({ file: m[1]!, line: Number(m[2]), resource: m[4]!, text: m[5]! });
  }
  return out;
}

/** Lines as an editor numbers them: split at LF, without the CR of CRLF or a leading BOM. */
function diskLines(path: string): string[] {
  return readFileSync(path, 'utf8').replace(/^\ufeff/, '').split('\n').map((l) => l.replace(/\r$/, ''));
}

/** Each hunk's old side (context and removed lines) is the file on disk at the lines its header names. */
function assertHunksMatchDisk(stdout: string, disk: string[]): number {
  const lines = stdout.split('\n');
  let hunks = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(lines[i]!);
    if (!m) continue;
    hunks++;
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    const old: string[] = [];
    for (let j = i + 1; j < lines.length && /^[ +\-\\]/.test(lines[j]!); j++) {
      const l = lines[j]!;
      // The dry run shows a CR escaped: as on disk, less the line end.
      if (l.startsWith(' ') || l.startsWith('-')) old.push(l.slice(1).replace(/\\x0d$/, ''));
    }
    assert.equal(old.length, count, `hunk at ${lines[i]}`);
    assert.deepEqual(old, disk.slice(start - 1, start - 1 + count), `hunk ${lines[i]} against the file on disk`);
  }
  return hunks;
}

/** The disk line a change or decision cites: a replaced value is there; an added property follows the resource's last line. */
function assertCitesDisk(c: Cited, disk: string[]): void {
  assert.ok(c.line >= 1 && c.line <= disk.length, `${c.file}:${c.line} is not a line of the file (${disk.length} lines)`);
  const replaced = /^\w+: "?([^"\s]+)"? -> /.exec(c.text);
  if (replaced) assert.ok(disk[c.line - 1]!.includes(replaced[1]!), `${c.file}:${c.line} is '${disk[c.line - 1]}', not where ${c.text}`);
}

async function dryRun(dir: string, ...extra: string[]) {
  const r = await runCli(['fix', '--dry-run', ...extra, dir], { cwd: work });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  return r.stdout;
}

test('fix --dry-run cites each change at its line on disk when parameters inserted at the top shift the rest', async () => {
  const dir = join(work, 'cfn-shift');
  mkdirSync(dir);
  writeFileSync(join(dir, 't.yaml'), TWO_NOTEBOOKS);
  const stdout = await dryRun(dir);
  const disk = diskLines(join(dir, 't.yaml'));
  assert.equal(assertHunksMatchDisk(stdout, disk), 1);
  const changes = cited(stdout, /^Would change:/);
  assert.equal(changes.length, 8, stdout);
  for (const c of changes) assertCitesDisk(c, disk);
  const at = (resource: string, text: RegExp) => changes.find((c) => c.resource === resource && text.test(c.text))?.line;
  assert.equal(at('A', /^DirectInternetAccess: Enabled -> Disabled/), 7);
  assert.equal(at('B', /^DirectInternetAccess: Enabled -> Disabled/), 13);
  // Added lines are cited after the line they follow on disk: B's properties after its last line.
  assert.equal(at('B', /^SubnetId: added/), 13);
  assert.equal(at('A', /^SubnetId: added/), 7);
  assert.equal(at('A', /^added parameter NotebookSubnetId/), 1);
});

test('fix --dry-run cites lines on disk in a CRLF template with a byte-order mark', async () => {
  const dir = join(work, 'cfn-crlf-bom');
  mkdirSync(dir);
  writeFileSync(join(dir, 't.yaml'), `\ufeff${TWO_NOTEBOOKS.replace(/\n/g, '\r\n')}`);
  const stdout = await dryRun(dir, '--subnet-id', 'subnet-0abc12345', '--security-group-ids', 'sg-0abc12345');
  const disk = diskLines(join(dir, 't.yaml'));
  assert.equal(assertHunksMatchDisk(stdout, disk), 1);
  // Every line of the diff shows its CR, the file's last one too.
  const added = stdout.split('\n').filter((l) => /^\+ /.test(l));
  assert.equal(added.length, 6, stdout);
  for (const l of added) assert.ok(l.endsWith('\\x0d'), `added line without its CR: ${l}`);
  const changes = cited(stdout, /^Would change:/);
  assert.equal(changes.length, 6, stdout);
  for (const c of changes) assertCitesDisk(c, disk);
  assert.deepEqual(
    changes.map((c) => `${c.resource}:${c.line}`),
    ['A:7', 'A:7', 'A:7', 'B:13', 'B:13', 'B:13'],
  );
});

test('fix --dry-run cites a decision, and the lines its message names, on disk when another fix in the file adds lines', async () => {
  const dir = join(work, 'cfn-decision');
  mkdirSync(dir);
  writeFileSync(join(dir, 't.yaml'), SHARED_PARAMETER);
  const stdout = await dryRun(dir);
  const disk = diskLines(join(dir, 't.yaml'));
  assertHunksMatchDisk(stdout, disk);
  for (const c of cited(stdout, /^Would change:/)) assertCitesDisk(c, disk);
  const [decision, ...more] = cited(stdout, /^Needs your decision/);
  assert.equal(more.length, 0, stdout);
  assert.equal(decision!.resource, 'B');
  assert.equal(decision!.line, 17, stdout);
  assert.equal(disk[decision!.line - 1]!.trim(), 'DirectInternetAccess: !Ref Access');
  const named = /also used elsewhere \(line (\d+)\)/.exec(decision!.text);
  assert.ok(named, decision!.text);
  assert.equal(disk[Number(named[1]) - 1]!.trim(), 'Value: !Ref Access');
});

test('fix --dry-run cites Terraform changes on disk when an earlier resource gains lines', async () => {
  const dir = join(work, 'tf-shift');
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.tf'), TERRAFORM);
  const stdout = await dryRun(dir);
  const disk = diskLines(join(dir, 'main.tf'));
  assertHunksMatchDisk(stdout, disk);
  const changes = cited(stdout, /^Would change:/);
  assert.ok(changes.length >= 6, stdout);
  for (const c of changes) assertCitesDisk(c, disk);
  const b = changes.find((c) => c.resource === 'aws_sagemaker_notebook_instance.b' && c.text.startsWith('DirectInternetAccess: "Enabled" -> "Disabled"'));
  assert.equal(b?.line, 11, stdout);
  // Variables appended at the end are cited at the file's last line.
  for (const c of changes.filter((x) => x.text.startsWith('added variable'))) assert.equal(c.line, 12, c.text);
});

test('after a real fix, the lines cited are those of the file as written', async () => {
  const dir = join(work, 'cfn-written');
  mkdirSync(dir);
  writeFileSync(join(dir, 't.yaml'), TWO_NOTEBOOKS);
  const r = await runCli(['fix', '--subnet-id', 'subnet-0abc12345', '--security-group-ids', 'sg-0abc12345', dir], { cwd: work });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const disk = diskLines(join(dir, 't.yaml'));
  const changes = cited(r.stdout, /^Changed:/);
  assert.equal(changes.length, 6, r.stdout);
  for (const c of changes) {
    const m = /^(\w+): (?:Enabled -> (\w+)|added (\S+))/.exec(c.text);
    assert.ok(m, c.text);
    assert.ok(disk[c.line - 1]!.includes(`${m[1]}: ${m[2] ?? ''}`.trimEnd()), `${c.line}: '${disk[c.line - 1]}' for ${c.text}`);
  }
});

const TERRAFORM_SHARED_VARIABLE = `variable "internet" {
  default = "Enabled"
}

resource "aws_sagemaker_notebook_instance" "a" {
  name          = "a"
  instance_type = "ml.t3.medium"
  role_arn      = "arn:aws:iam::111122223333:role/nb"
}

resource "aws_sagemaker_notebook_instance" "b" {
  name                   = "b"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = "subnet-0abc1234"
  security_groups        = ["sg-0abc1234"]
  direct_internet_access = var.internet
}

output "internet" {
  value = var.internet
}
`;

test('a Terraform decision, and the FILE:LINE its message names, are lines on disk: before the fix on a dry run, as written after a real one', async () => {
  const dir = join(work, 'tf-decision');
  mkdirSync(dir);
  const file = join(dir, 'main.tf');
  writeFileSync(file, TERRAFORM_SHARED_VARIABLE);
  const check = (stdout: string) => {
    const disk = diskLines(file);
    const [decision, ...more] = cited(stdout, /^Needs your decision/);
    assert.equal(more.length, 0, stdout);
    assert.equal(disk[decision!.line - 1]!.trim(), 'direct_internet_access = var.internet', stdout);
    const named = /also used at (\S+):(\d+)/.exec(decision!.text);
    assert.ok(named, decision!.text);
    assert.equal(named[1], decision!.file);
    assert.equal(disk[Number(named[2]) - 1]!.trim(), 'value = var.internet', stdout);
  };
  check(await dryRun(dir));
  const r = await runCli(['fix', '--subnet-id', 'subnet-0abc12345', '--security-group-ids', 'sg-0abc12345', dir], { cwd: work });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^Changed:/m, 'resource a was fixed: lines moved');
  check(r.stdout);
});
