// What `cloudconform fix` prints, through the built CLI: text from a hostile template never
// reaches the terminal raw, and "Changed:" lists only files that were written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../aws/audit-helpers';

const notebook = (name: string, comment = '') => `Resources:
  ${name}:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
${comment}      DirectInternetAccess: Enabled
      SubnetId: subnet-0abc1234
      SecurityGroupIds: [sg-0abc1234]
`;

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-fix-output-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Terminal controls a template can carry: OSC title, clear screen, CR overwrite, C1 CSI, bidi override. */
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\rreal line\u009b31m \u202etxt.exe\u2066';
const HOSTILE_ESCAPED = '\\x1b]0;pwned\\x07\\x1b[2J\\x0dreal line\\x9b31m \\u202etxt.exe\\u2066';
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

test('fix --dry-run escapes control characters and bidi overrides from a Terraform comment in the diff it prints', async () => {
  const dir = join(work, 'escape-tf');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'main.tf'),
    `resource "aws_sagemaker_notebook_instance" "nb" {
  name            = "nb"
  instance_type   = "ml.t3.medium"
  role_arn        = "arn:aws:iam::111122223333:role/nb"
  subnet_id       = "subnet-0abc1234"
  security_groups = ["sg-0abc1234"]
  # ${HOSTILE}
  direct_internet_access = "Enabled"
}
`,
  );
  const { code, stdout } = await runCli(['fix', '--dry-run', dir], { cwd: work });
  assert.equal(code, 1, stdout);
  assert.match(stdout, /^\+\s+direct_internet_access = "Disabled"$/m, 'the diff is printed');
  assert.doesNotMatch(stdout, RAW_CONTROLS, `raw control characters in:\n${JSON.stringify(stdout)}`);
  assert.ok(stdout.includes(HOSTILE_ESCAPED), stdout);
});

test('fix --dry-run escapes C1 controls and bidi overrides from a YAML comment in the diff it prints', async () => {
  const dir = join(work, 'escape-yaml');
  mkdirSync(dir);
  // YAML refuses C0 controls but carries NEL (U+0085) and bidi overrides.
  writeFileSync(join(dir, 'open.yaml'), notebook('Open', '      # owner\u0085admin \u202etxt.exe\n'));
  const { code, stdout } = await runCli(['fix', '--dry-run', dir], { cwd: work });
  assert.equal(code, 1, stdout);
  assert.match(stdout, /^\+\s+DirectInternetAccess: Disabled$/m, 'the diff is printed');
  assert.doesNotMatch(stdout, RAW_CONTROLS, `raw control characters in:\n${JSON.stringify(stdout)}`);
  assert.ok(stdout.includes('# owner\\x85admin \\u202etxt.exe'), stdout);
});

test('"Changed:" lists only the files fix wrote; a file it refused is a decision, not a change', async () => {
  const dir = join(work, 'changed');
  mkdirSync(dir);
  const writable = join(dir, 'a-writable.yaml');
  const readOnly = join(dir, 'b-read-only.yaml');
  writeFileSync(writable, notebook('Writable'));
  writeFileSync(readOnly, notebook('ReadOnly'));
  chmodSync(readOnly, 0o444);
  const { code, stdout } = await runCli(['fix', dir], { cwd: work });
  assert.equal(code, 1, stdout);
  const changed = stdout.slice(stdout.indexOf('Changed:'), stdout.indexOf('Needs your decision'));
  assert.match(changed, /a-writable\.yaml/);
  assert.doesNotMatch(changed, /b-read-only\.yaml/, stdout);
  assert.match(stdout, /Needs your decision[\s\S]*b-read-only\.yaml.*read-only/);
  assert.match(stdout, /1 change made in 1 file/);
  assert.equal(readFileSync(readOnly, 'utf8'), notebook('ReadOnly'));
});

test('fix --follow-external-symlinks reads through a link out of the tree but writes nothing there: a decision naming the target', async () => {
  const dir = join(work, 'linked');
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(dir);
  mkdirSync(elsewhere);
  const victim = join(elsewhere, 'victim.yaml');
  writeFileSync(victim, notebook('Victim'));
  symlinkSync(victim, join(dir, 'open.yaml'));
  const { code, stdout } = await runCli(['fix', '--follow-external-symlinks', dir], { cwd: work });
  assert.equal(code, 1, stdout);
  assert.equal(readFileSync(victim, 'utf8'), notebook('Victim'));
  assert.doesNotMatch(stdout, /Changed:/);
  assert.match(stdout, /Needs your decision[\s\S]*outside the paths fix was given/);
  assert.ok(stdout.includes(victim), stdout);
});
