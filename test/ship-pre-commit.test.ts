// The pre-commit hooks (.pre-commit-hooks.yaml), run by the real pre-commit (pinned in the test
// venv) from a git repository holding this working tree, installed as pre-commit installs a
// `language: node` hook for a user: `npm install -g git+file://…`, which runs `prepare`
// (scripts/prepare.mjs) in a fresh checkout. Then a user's repository: a commit, changed files,
// Terraform modules and variable files, a hostile file name.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureVenv, venvBin } from './aws/venv';
import { NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const ROOT = new URL('..', import.meta.url).pathname;

let work: string;
let repo: string;
let env: NodeJS.ProcessEnv;
let installSeconds = 0;

function sh(cmd: string, args: string[], cwd: string, allowFail = false) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  const out = { code: r.status, output: `${r.stdout}${r.stderr}` };
  if (!allowFail) assert.equal(out.code, 0, `${cmd} ${args.join(' ')}:\n${out.output}`);
  return out;
}

const git = (args: string[], cwd = repo, allowFail = false) => sh('git', args, cwd, allowFail);
const preCommit = (args: string[]) => sh(venvBin('pre-commit'), args, repo, true);

function write(path: string, content: string) {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
}

const NOTEBOOK_TF = (access: string) =>
  [
    'resource "aws_sagemaker_notebook_instance" "nb" {',
    '  name                   = "nb"',
    '  instance_type          = "ml.t3.medium"',
    '  role_arn               = "arn:aws:iam::111122223333:role/nb"',
    '  subnet_id              = "subnet-0123456789abcdef0"',
    `  direct_internet_access = ${access}`,
    '}',
    '',
  ].join('\n');
const VARIABLE_TF = (value: string) => `variable "access" {\n  type    = string\n  default = "${value}"\n}\n`;

before(async () => {
  await ensureVenv();
  work = mkdtempSync(join(tmpdir(), 'cc-pre-commit-'));
  env = {
    PATH: process.env.PATH,
    HOME: work,
    PRE_COMMIT_HOME: join(work, 'pre-commit-cache'),
    // The machine's npm cache: the hook's install fetches the devDependencies `npm ci` fetched.
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? work, '.npm'),
    // Hooks run with --no-history, so the optional history module is left out: here (no prebuilt
    // binary can be downloaded) npm would compile it from source, minutes on a loaded machine;
    // test/ship-npm-pack.test.ts installs and uses it.
    npm_config_omit: 'optional',
    // From the cache without asking the registry again: the hook's global install resolves the
    // optional dependency's metadata, and this minimal environment has no route to a registry
    // (no proxy CA); unanswered, npm retried until the test's timeout.
    npm_config_prefer_offline: 'true',
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    NO_COLOR: '1',
  };

  // The hook repository: this working tree's files as git has them (tracked and new, not ignored).
  const hooks = join(work, 'cloudconform');
  mkdirSync(hooks);
  const files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT).output.split('\0').filter(Boolean);
  for (const f of files) {
    try {
      cpSync(join(ROOT, f), join(hooks, f), { recursive: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted in the working tree
      continue;
    }
  }
  git(['init', '-q', '-b', 'main'], hooks);
  git(['add', '-A'], hooks);
  git(['commit', '-q', '-m', 'snapshot'], hooks);
  const rev = git(['rev-parse', 'HEAD'], hooks).output.trim();

  repo = join(work, 'user');
  mkdirSync(repo);
  git(['init', '-q', '-b', 'main']);
  write(
    '.pre-commit-config.yaml',
    ['repos:', `  - repo: ${hooks}`, `    rev: ${rev}`, '    hooks:', '      - id: cloudconform', '      - id: cloudconform-all', '        stages: [manual]', ''].join('\n'),
  );
  write('README.md', '# infra\n');
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'start']);
  // Installing the hook environment is the slow part (npm installs the devDependencies and builds
  // in a fresh checkout): ~25 s here with a warm npm cache.
  const started = Date.now();
  const install = preCommit(['install-hooks']);
  assert.equal(install.code, 0, install.output);
  installSeconds = (Date.now() - started) / 1000;
  sh(venvBin('pre-commit'), ['install'], repo);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('git commit runs the hook: an open notebook template is refused with the finding, a compliant one is committed', (t) => {
  t.diagnostic(`pre-commit install-hooks took ${installSeconds.toFixed(1)} s`);
  write('cfn/open.yaml', NOTEBOOK_CFN_YAML('OpenNotebook', 'Enabled'));
  git(['add', 'cfn/open.yaml']);
  const refused = git(['commit', '-m', 'open notebook'], repo, true);
  assert.notEqual(refused.code, 0, refused.output);
  assert.match(refused.output, /cloudconform\.+Failed/);
  assert.match(refused.output, /FAIL\s+SageMaker-004\s+Medium\s+OpenNotebook/);
  assert.equal(git(['rev-list', '--count', 'HEAD']).output.trim(), '1');

  git(['rm', '-q', '--cached', 'cfn/open.yaml']);
  rmSync(join(repo, 'cfn', 'open.yaml'));
  write('cfn/closed.yaml', NOTEBOOK_CFN_YAML('ClosedNotebook', 'Disabled', 'subnet-0123456789abcdef0'));
  git(['add', 'cfn/closed.yaml']);
  const committed = git(['commit', '-m', 'closed notebook'], repo, true);
  assert.equal(committed.code, 0, committed.output);
  assert.match(committed.output, /cloudconform\.+Passed/);
  assert.equal(git(['rev-list', '--count', 'HEAD']).output.trim(), '2');
});

test('Terraform: a changed variables.tf is scanned with its module, where the value is used', () => {
  write('tf/app/main.tf', NOTEBOOK_TF('var.access'));
  write('tf/app/variables.tf', VARIABLE_TF('Disabled'));
  git(['add', 'tf']);
  assert.equal(preCommit(['run', 'cloudconform', '--files', 'tf/app/main.tf', 'tf/app/variables.tf']).code, 0);
  git(['commit', '-q', '-m', 'tf', '--no-verify']);

  write('tf/app/variables.tf', VARIABLE_TF('Enabled'));
  const r = preCommit(['run', 'cloudconform', '--files', 'tf/app/variables.tf']);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /tf\/app\/main\.tf/);
  assert.match(r.output, /FAIL\s+SageMaker-004\s+Medium\s+aws_sagemaker_notebook_instance\.nb/);
  write('tf/app/variables.tf', VARIABLE_TF('Disabled'));
});

test('a variable file Terraform loads by itself: cloudconform-all scans the repository when terraform.tfvars changes', () => {
  write('tf/app/terraform.tfvars', 'access = "Enabled"\n');
  const changedOnly = preCommit(['run', 'cloudconform', '--files', 'tf/app/terraform.tfvars']);
  assert.equal(changedOnly.code, 0, changedOnly.output);
  assert.match(changedOnly.output, /cloudconform\.+\(no files to check\)Skipped/);
  const all = preCommit(['run', 'cloudconform-all', '--hook-stage', 'manual', '--files', 'tf/app/terraform.tfvars']);
  assert.equal(all.code, 1, all.output);
  assert.match(all.output, /FAIL\s+SageMaker-004\s+Medium\s+aws_sagemaker_notebook_instance\.nb/);
  rmSync(join(repo, 'tf', 'app', 'terraform.tfvars'));
});

test('attack: a file named like an option (--parameters-file=params.json) is a file, not parameter values that make an open notebook pass', () => {
  // Deployed with its default, Enabled; params.json says Disabled. Taken as an option, the file's
  // name would make the scan evaluate the template with the attacker's values: a pass.
  write(
    'cfn/sneaky.yaml',
    NOTEBOOK_CFN_YAML('SneakyNotebook', '!Ref Access', 'subnet-0123456789abcdef0').replace('Resources:', 'Parameters:\n  Access:\n    Type: String\n    Default: Enabled\nResources:'),
  );
  write('params.json', '{"Access": "Disabled"}\n');
  write('--parameters-file=params.json', '{"Access": "Disabled"}\n');
  git(['add', '--', '--parameters-file=params.json', 'params.json', 'cfn/sneaky.yaml']);
  const r = preCommit(['run', 'cloudconform', '--all-files']);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /FAIL\s+SageMaker-004\s+Medium\s+SneakyNotebook/);
  git(['rm', '-q', '-f', '--', '--parameters-file=params.json', 'params.json', 'cfn/sneaky.yaml']);
});
