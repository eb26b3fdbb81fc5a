// Inputs that are not regular files, through the built command: a FIFO the scan finds by itself
// is refused without being opened (opening one blocks until a writer comes), and standard input or
// a pipe the user names is read, up to --max-file-size. Every run has a deadline: the old code hung.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { encodeText } from '../src/sources/read-file';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const DEADLINE_MS = 5000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(args: string[], opts: { cwd?: string; input?: string | Buffer } = {}): Run {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 3 * DEADLINE_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - started;
  assert.equal(r.signal, null, `cloudconform ${args.join(' ')} did not end (killed after ${ms.toFixed(0)} ms)`);
  assert.ok(ms < DEADLINE_MS, `cloudconform ${args.join(' ')} took ${ms.toFixed(0)} ms`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms };
}

function json(r: Run) {
  return JSON.parse(r.stdout) as {
    findings: { resource: { id: string }; result: string; location: { file: string } }[];
    errors: { file: string; message: string }[];
    notes?: { file?: string; message: string }[];
    summary: { filesScanned: number };
  };
}

const OPEN = NOTEBOOK_CFN_YAML('Open', 'Enabled');
const PLAN = readFileSync(new URL('../src/sources/terraform/testdata/plan/plan.json', import.meta.url), 'utf8');
const TF_VARIABLE_ACCESS = [
  'variable "access" {',
  '  default = "Enabled"',
  '}',
  'resource "aws_sagemaker_notebook_instance" "nb" {',
  '  name                   = "nb"',
  '  role_arn               = "arn:aws:iam::111122223333:role/nb"',
  '  instance_type          = "ml.t3.medium"',
  '  subnet_id              = "subnet-1"',
  '  direct_internet_access = var.access',
  '}',
  '',
].join('\n');

function mkfifo(...paths: string[]) {
  execFileSync('mkfifo', paths);
}

test('a FIFO named like a template in the tree is noted and not opened; the scan goes on', () => {
  const t = makeTree({ 'open.yaml': OPEN });
  try {
    mkfifo(join(t.root, 'x.yaml'));
    const r = run(['scan', '-f', 'json', t.root]);
    assert.equal(r.code, 1);
    const report = json(r);
    assert.deepEqual(report.findings.map((f) => `${f.resource.id}:${f.result}`), ['Open:fail']);
    assert.deepEqual(report.notes, [{ file: join(t.root, 'x.yaml'), message: 'not a regular file (a named pipe), not read' }]);
  } finally {
    t.cleanup();
  }
});

test('terraform.tfvars and *.auto.tfvars as FIFOs: an error entry each, never a wait', () => {
  for (const name of ['terraform.tfvars', 'x.auto.tfvars', 'terraform.tfvars.json']) {
    const t = makeTree({ 'tf/main.tf': TF_VARIABLE_ACCESS });
    try {
      mkfifo(join(t.root, 'tf', name));
      const r = run(['scan', '-f', 'json', join(t.root, 'tf')]);
      assert.equal(r.code, 2, name);
      const report = json(r);
      assert.deepEqual(
        report.errors.map((e) => [e.file, e.message]),
        [[join(t.root, 'tf', name), "can't read variable file: not a regular file (a named pipe), not read"]],
      );
      // The variable file the FIFO stands for was not read, and may set the variable: unknown.
      assert.deepEqual(report.findings.map((f) => f.result), ['unknown']);
    } finally {
      t.cleanup();
    }
  }
});

test('a .tf FIFO beside a real .tf, a FIFO modules.json, a FIFO file() target: the scan ends', () => {
  const t = makeTree({
    'tf/main.tf': TF_VARIABLE_ACCESS.replace('var.access', 'trimspace(file("${path.module}/access.txt"))'),
    'tf/.terraform/modules/x': '',
  });
  try {
    mkfifo(join(t.root, 'tf', 'extra.tf'), join(t.root, 'tf', 'access.txt'));
    mkfifo(join(t.root, 'tf', '.terraform', 'modules', 'modules.json'));
    const r = run(['scan', '-f', 'json', join(t.root, 'tf')]);
    const report = json(r);
    assert.deepEqual(report.findings.map((f) => f.result), ['unknown'], 'what file() would read is unknown');
    // Terraform would wait on the FIFO .tf: the module is not all read, an error.
    assert.ok(
      report.errors.some((e) => e.file === join(t.root, 'tf', 'extra.tf') && /not a regular file \(a named pipe\)/.test(e.message)),
      JSON.stringify(report.errors),
    );
    assert.equal(r.code, 2);
  } finally {
    t.cleanup();
  }
});

test('.cloudconform.yml as a FIFO is an error (exit 2), not a hang', () => {
  const t = makeTree({ 'open.yaml': OPEN });
  try {
    mkfifo(join(t.root, '.cloudconform.yml'));
    const r = run(['scan', '.'], { cwd: t.root });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.cloudconform\.yml: can't read: not a regular file \(a named pipe\)/);
  } finally {
    t.cleanup();
  }
});

test('`-` reads standard input, reported as <stdin>; a CloudFormation template and a plan are detected by content', () => {
  const r = run(['scan', '-f', 'json', '-'], { input: OPEN });
  assert.equal(r.code, 1);
  const report = json(r);
  assert.deepEqual(report.findings.map((f) => [f.location.file, f.resource.id, f.result]), [['<stdin>', 'Open', 'fail']]);
  assert.equal(report.summary.filesScanned, 1);
  const text = run(['scan', '-'], { input: OPEN });
  assert.match(text.stdout, /<stdin>/);
  // `terraform show -json | cloudconform scan -` from PowerShell 5: UTF-16 LE with a byte-order mark.
  const plan = run(['scan', '-f', 'json', '-'], { input: encodeText(PLAN, 'utf16le-bom') });
  const fromPlan = json(plan);
  assert.deepEqual(fromPlan.errors, []);
  assert.ok(fromPlan.findings.length >= 4 && fromPlan.findings.every((f) => f.location.file === '<stdin>'));
});

test('/dev/stdin given a pipe is read (was: 0 files, exit 0)', () => {
  const r = run(['scan', '-f', 'json', '/dev/stdin'], { input: OPEN });
  assert.equal(r.code, 1);
  assert.deepEqual(json(r).findings.map((f) => [f.location.file, f.result]), [['/dev/stdin', 'fail']]);
});

test('a named pipe given on the command line is read when a writer comes', async () => {
  const t = makeTree({ 'src.yaml': OPEN });
  try {
    const fifo = join(t.root, 'template.fifo');
    mkfifo(fifo);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', join(t.root, 'src.yaml'), fifo]);
    const closed = new Promise((resolve) => writer.on('close', resolve));
    let r: Run;
    try {
      r = run(['scan', '-f', 'json', fifo]);
    } finally {
      // A scan that never opened the pipe leaves the writer waiting.
      writer.kill();
      await closed;
    }
    assert.equal(r.code, 1);
    assert.deepEqual(json(r).findings.map((f) => [f.location.file, f.result]), [[fifo, 'fail']]);
  } finally {
    t.cleanup();
  }
});

test('standard input is read only up to --max-file-size', () => {
  const big = OPEN + `# ${'x'.repeat(60_000)}\n`;
  const r = run(['scan', '-f', 'json', '--max-file-size', '4kb', '-'], { input: big });
  assert.equal(r.code, 2);
  assert.deepEqual(json(r).errors.map((e) => e.file), ['<stdin>']);
  assert.match(json(r).errors[0]!.message, /over the 4096-byte limit/);
});

test('standard input that is empty, or a Terraform configuration, is an error, never 0 files with exit 0', () => {
  const empty = run(['scan', '-f', 'json', '-'], { input: '' });
  assert.equal(empty.code, 2);
  assert.match(json(empty).errors[0]!.message, /not a CloudFormation template or Terraform plan JSON/);
  const tf = run(['scan', '-f', 'json', '-'], { input: TF_VARIABLE_ACCESS });
  assert.equal(tf.code, 2);
  assert.deepEqual(json(tf).errors.map((e) => e.file), ['<stdin>']);
  assert.match(json(tf).errors[0]!.message, /Terraform configuration is read from its directory/);
});
