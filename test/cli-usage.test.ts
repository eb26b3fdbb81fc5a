// The command line as a user types it (issue 11, "never pass by accident"): Terraform's spellings,
// misplaced and unknown options, -q, closed pipes, --fail-on, --output, --skip-path, config
// discovery and the environment variables. The built command, real pipes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

function run(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const { NO_COLOR, FORCE_COLOR, CLOUDCONFORM_FORMAT, CLOUDCONFORM_FAIL_ON, CLOUDCONFORM_CONFIG, ...base } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: { ...base, ...opts.env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TF_NOTEBOOK = `
variable "internet" {
  type    = string
  default = "Disabled"
}
resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/r"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0123456789abcdef0"
  security_groups        = ["sg-0123456789abcdef0"]
  direct_internet_access = var.internet
}
`;

test("Terraform's -var and -var-file spellings set variables (they printed the version and exited 0)", () => {
  const t = makeTree({ 'tf/main.tf': TF_NOTEBOOK, 'open.tfvars': 'internet = "Enabled"\n' });
  try {
    assert.equal(run(['scan', join(t.root, 'tf')]).code, 0, 'the default passes');
    for (const args of [
      ['-var', 'internet=Enabled'],
      ['-var=internet=Enabled'],
      ['-var-file', join(t.root, 'open.tfvars')],
      [`-var-file=${join(t.root, 'open.tfvars')}`],
    ]) {
      const r = run(['scan', join(t.root, 'tf'), ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /SageMaker-004/);
      assert.doesNotMatch(r.stdout, /^\d+\.\d+\.\d+\s*$/m);
    }
    // Later wins, in command-line order, across both spellings.
    assert.equal(run(['scan', join(t.root, 'tf'), '-var-file', join(t.root, 'open.tfvars'), '--var', 'internet=Disabled']).code, 0);
    // After `--`, nothing is rewritten: `-var` is then a path.
    const ended = run(['scan', '--', '-var']);
    assert.equal(ended.code, 2);
  } finally {
    t.cleanup();
  }
});

test('-v after a command is a usage error with a hint, never the version', () => {
  for (const command of ['scan', 'audit']) {
    const r = run([command, '-v']);
    assert.equal(r.code, 2, command);
    assert.equal(r.stdout, '', `${command}: nothing on standard output`);
    assert.match(r.stderr, /unknown option '-v'/);
    assert.match(r.stderr, /--verbose/);
  }
  // Before the command, it is still the version.
  assert.match(run(['-v']).stdout, /^\d+\.\d+\.\d+/);
});

test('an unknown or single-dash long option: exit 2, a one-line hint, not the whole help', () => {
  const typo = run(['scan', 'examples', '--verbos']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /Did you mean --verbose\?/);
  assert.match(typo.stderr, /Run 'cloudconform scan --help'/);
  assert.doesNotMatch(typo.stderr, /Options:/);
  assert.ok(typo.stderr.trim().split('\n').length <= 3, typo.stderr);

  // Commander read `-format json` as `-f ormat` and `-rules X` as `-r ules`.
  for (const [arg, long] of [
    ['-format', '--format'],
    ['-rules', '--rules'],
    ['-quiet', '--quiet'],
    ['-output=x.json', '--output'],
  ] as const) {
    const r = run(['scan', 'examples', arg, 'json']);
    assert.equal(r.code, 2, arg);
    assert.match(r.stderr, new RegExp(`did you mean ${long}\\?`), arg);
    assert.doesNotMatch(r.stderr, /Options:/);
  }
});

test('-q silences the report, never the errors: they are on standard error', () => {
  const t = makeTree({ 'broken.json': '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {', 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const r = run(['scan', t.root, '-q']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /error: .*broken\.json/);
    // A machine format on standard output: the errors are said on standard error too.
    const json = run(['scan', t.root, '-f', 'json']);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stdout).errors.length, 1);
    assert.match(json.stderr, /broken\.json/);
    // The text report already shows them: not twice.
    assert.equal(run(['scan', t.root]).stderr, '');
  } finally {
    t.cleanup();
  }
});

test('a closed output pipe ends quietly with the scan\'s exit code (it threw EPIPE with a stack trace, exit 1)', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`t${i}.yaml`] = NOTEBOOK_CFN_YAML(`Nb${i}`, 'Enabled');
  const t = makeTree(files);
  try {
    const { NO_COLOR, FORCE_COLOR, ...env } = process.env;
    const child = spawn(process.execPath, [CLI, 'scan', t.root, '-f', 'sarif', '-o', `json=${join(t.root, 'out.json')}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Like `| head -c 100`: read a little, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.doesNotMatch(stderr, /EPIPE|at .*\(node:/, stderr);
    assert.equal(code, 1, 'the findings still decide the exit code');
    // --output files are still written in full.
    assert.equal(JSON.parse(readFileSync(join(t.root, 'out.json'), 'utf8')).findings.length, 300);
  } finally {
    t.cleanup();
  }
});

test('--fail-on: any case, as the summary prints it; none never exits 1 on findings, 2 still means incomplete', () => {
  const t = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  const broken = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'), 'b.json': '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {' });
  try {
    assert.equal(run(['scan', t.root, '--fail-on', 'Medium']).code, 1);
    assert.equal(run(['scan', t.root, '--fail-on', 'HIGH']).code, 0);
    assert.equal(run(['scan', t.root, '--fail-on', 'Very High']).code, 0);
    assert.equal(run(['scan', t.root, '--fail-on', 'none']).code, 0);
    assert.equal(run(['scan', t.root, '--fail-on', 'None']).code, 0);
    assert.equal(run(['scan', broken.root, '--fail-on', 'none']).code, 2);
    const bad = run(['scan', t.root, '--fail-on', 'critical']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /low\|medium\|high\|very-high\|extreme\|none/);
    // From the environment, and the command line wins over it.
    assert.equal(run(['scan', t.root], { env: { CLOUDCONFORM_FAIL_ON: 'high' } }).code, 0);
    assert.equal(run(['scan', t.root, '--fail-on', 'low'], { env: { CLOUDCONFORM_FAIL_ON: 'high' } }).code, 1);
  } finally {
    t.cleanup();
    broken.cleanup();
  }
});

test("a repository's .cloudconform.yml can't say failOn: none (only the command line or environment can)", () => {
  const t = makeTree({ '.git/HEAD': 'ref: refs/heads/main\n', '.cloudconform.yml': 'failOn: none\n', 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const r = run(['scan', t.root]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /failOn/);
  } finally {
    t.cleanup();
  }
});

test('-o FILE infers the format from the extension; FORMAT=FILE still works; an unknown one is a usage error', () => {
  const t = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const sarif = join(t.root, 'r.sarif');
    const json = join(t.root, 'r.json');
    const junit = join(t.root, 'r.xml');
    const named = join(t.root, 'report.out');
    const r = run(['scan', join(t.root, 'nb.yaml'), '-q', '-o', sarif, '-o', json, '--output', junit, '-o', `json=${named}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(readFileSync(sarif, 'utf8')).version, '2.1.0');
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).version, 1);
    assert.match(readFileSync(junit, 'utf8'), /<testsuites/);
    assert.equal(JSON.parse(readFileSync(named, 'utf8')).version, 1);
    // A folder that doesn't exist yet is made; a file that can't be written is exit 2 and the others are still written.
    const nested = join(t.root, 'reports', 'ci', 'r.sarif');
    const blocked = join(t.root, 'nb.yaml', 'r.json');
    const partial = run(['scan', join(t.root, 'nb.yaml'), '-q', '-o', blocked, '-o', nested]);
    assert.equal(partial.code, 2);
    assert.match(partial.stderr, /--output .*r\.json: can't (write|create the folder)/);
    assert.equal(JSON.parse(readFileSync(nested, 'utf8')).version, '2.1.0');
    // Attack (red team): a link planted under the name the user gives is not written through
    // (run as root, -o findings.csv overwrote whatever it pointed to); the other files still are.
    const precious = join(t.root, 'precious');
    writeFileSync(precious, 'keep me');
    const planted = join(t.root, 'findings.csv');
    symlinkSync(precious, planted);
    const linked = run(['scan', join(t.root, 'nb.yaml'), '-q', '-o', planted, '-o', nested]);
    assert.equal(linked.code, 2);
    assert.match(linked.stderr, /--output .*findings\.csv is a symbolic link/);
    assert.equal(readFileSync(precious, 'utf8'), 'keep me');
    const baselineLink = join(t.root, 'baseline.json');
    symlinkSync(precious, baselineLink);
    assert.equal(run(['scan', join(t.root, 'nb.yaml'), '-q', '--create-baseline', baselineLink]).code, 2);
    assert.equal(readFileSync(precious, 'utf8'), 'keep me');
    const unknown = run(['scan', join(t.root, 'nb.yaml'), '-o', join(t.root, 'report.out')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /FORMAT=FILE/);
  } finally {
    t.cleanup();
  }
});

test('--skip-path: a glob relative to the working directory, or a name at any depth', () => {
  const t = makeTree({
    'infra/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'),
    'infra/test/fixture.yaml': NOTEBOOK_CFN_YAML('Fixture', 'Enabled'),
    'examples/ex.yaml': NOTEBOOK_CFN_YAML('Ex', 'Enabled'),
  });
  try {
    const ids = (args: string[]) => {
      const r = run(['scan', '.', '-f', 'json', ...args], { cwd: t.root });
      return JSON.parse(r.stdout).findings.map((f: { resource: { id: string } }) => f.resource.id).sort();
    };
    assert.deepEqual(ids([]), ['Ex', 'Fixture', 'Nb']);
    assert.deepEqual(ids(['--skip-path', 'examples/**']), ['Fixture', 'Nb']);
    assert.deepEqual(ids(['--skip-path', 'test']), ['Ex', 'Nb']);
    assert.deepEqual(ids(['--skip-path', '**/test/**', '--skip-path', 'examples']), ['Nb']);
    // Relative to the working directory, not to the scanned path.
    const r = run(['scan', 'infra', '-f', 'json', '--skip-path', 'infra/test/**'], { cwd: t.root });
    assert.deepEqual(JSON.parse(r.stdout).findings.map((f: { resource: { id: string } }) => f.resource.id), ['Nb']);
    // Said in the report, never silent.
    assert.ok(JSON.parse(r.stdout).notes.some((n: { message: string }) => /1 path left out by --skip-path: infra\/test/.test(n.message)), r.stdout);
  } finally {
    t.cleanup();
  }
});

test('.cloudconform.yml is found from the scanned directory up to the repository root, its globs relative to itself', () => {
  const config = [
    'exceptions:',
    '  - rules: [SageMaker-004]',
    '    paths: [teams/sandbox/**]',
    '    reason: sandbox account, no data (SEC-1)',
    'exclude: [teams/legacy/**]',
    '',
  ].join('\n');
  const t = makeTree({
    'repo/.git/HEAD': 'ref: refs/heads/main\n',
    'repo/.cloudconform.yml': config,
    'repo/teams/sandbox/nb.yaml': NOTEBOOK_CFN_YAML('Sandbox', 'Enabled'),
    'repo/teams/legacy/nb.yaml': NOTEBOOK_CFN_YAML('Legacy', 'Enabled'),
    'repo/teams/prod/nb.yaml': NOTEBOOK_CFN_YAML('Prod', 'Enabled'),
    'elsewhere/.keep': '',
  });
  try {
    // From outside the repository (a CI step's working directory elsewhere), scanning a subdirectory.
    for (const [cwd, path] of [
      [join(t.root, 'elsewhere'), join(t.root, 'repo', 'teams')],
      [join(t.root, 'repo', 'teams', 'prod'), '..'],
      [join(t.root, 'repo'), '.'],
    ] as const) {
      const r = run(['scan', path, '-f', 'json'], { cwd });
      const findings = JSON.parse(r.stdout).findings as { resource: { id: string }; suppressed: boolean }[];
      const byId = Object.fromEntries(findings.map((f) => [f.resource.id, f.suppressed]));
      assert.deepEqual(byId, { Sandbox: true, Prod: false }, `cwd ${cwd}, scan ${path}`);
      // The repository's exclude is said: its configuration can't hide a template without a word.
      assert.ok(JSON.parse(r.stdout).notes.some((n: { message: string }) => /left out by the exclude of .*\.cloudconform\.yml: .*legacy/.test(n.message)), r.stdout);
    }
  } finally {
    t.cleanup();
  }
});

test("outside a repository, a parent directory's .cloudconform.yml is not used (a shared /tmp may hold anyone's)", () => {
  const t = makeTree({
    '.cloudconform.yml': 'exceptions:\n  - rules: ["*"]\n    reason: planted\n',
    'project/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'),
    'cwd/.keep': '',
  });
  try {
    const r = run(['scan', join(t.root, 'project'), '-f', 'json'], { cwd: join(t.root, 'cwd') });
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).findings[0].suppressed, false);
  } finally {
    t.cleanup();
  }
});

test('scanned paths with different configurations are a usage error; --config or CLOUDCONFORM_CONFIG chooses one', () => {
  const t = makeTree({
    'a/.git/HEAD': 'x',
    'a/.cloudconform.yml': 'failOn: high\n',
    'a/nb.yaml': NOTEBOOK_CFN_YAML('A', 'Enabled'),
    'b/.git/HEAD': 'x',
    'b/.cloudconform.yml': 'failOn: low\n',
    'b/nb.yaml': NOTEBOOK_CFN_YAML('B', 'Enabled'),
  });
  try {
    const r = run(['scan', join(t.root, 'a'), join(t.root, 'b')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /different configurations/);
    assert.equal(run(['scan', join(t.root, 'a'), join(t.root, 'b'), '--config', join(t.root, 'a', '.cloudconform.yml')]).code, 0);
    assert.equal(run(['scan', join(t.root, 'a'), join(t.root, 'b')], { env: { CLOUDCONFORM_CONFIG: join(t.root, 'a', '.cloudconform.yml') } }).code, 0);
    // Each alone uses its own.
    assert.equal(run(['scan', join(t.root, 'a')]).code, 0);
    assert.equal(run(['scan', join(t.root, 'b')]).code, 1);
  } finally {
    t.cleanup();
  }
});

test('CLOUDCONFORM_FORMAT sets the format; rules --format json (rules --json still works)', () => {
  const t = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const r = run(['scan', t.root], { env: { CLOUDCONFORM_FORMAT: 'json' } });
    assert.equal(JSON.parse(r.stdout).version, 1);
    assert.equal(run(['scan', t.root], { env: { CLOUDCONFORM_FORMAT: 'yaml' } }).code, 2);
  } finally {
    t.cleanup();
  }
  const rules = JSON.parse(run(['rules', '--format', 'json']).stdout);
  assert.ok(rules.some((r: { id: string }) => r.id === 'SageMaker-004'));
  assert.deepEqual(JSON.parse(run(['rules', '--json']).stdout), rules);
});

test('every command has -q where it writes, defaults and an example in its --help', () => {
  const commands = [['scan'], ['audit'], ['fix'], ['remediate', 'plan'], ['remediate', 'apply'], ['remediate', 'resume'], ['guardrail'], ['iam-policy'], ['rules'], ['explain']];
  for (const command of commands) {
    const help = run([...command, '--help']).stdout;
    assert.match(help, /Examples?:\n {2}cloudconform /, command.join(' '));
  }
  for (const command of [['scan'], ['audit'], ['fix'], ['remediate', 'plan'], ['remediate', 'apply'], ['remediate', 'resume'], ['guardrail']]) {
    assert.match(run([...command, '--help']).stdout, /-q, --quiet/, command.join(' '));
  }
  const scanHelp = run(['scan', '--help']).stdout;
  assert.match(scanHelp, /default:\s+"text"/);
  assert.match(scanHelp, /CLOUDCONFORM_FORMAT/);
  assert.match(scanHelp, /default: the number of\s+CPUs/);
});

test('fix -q prints no summary; its exit code is unchanged', () => {
  const t = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const loud = run(['fix', t.root, '--dry-run', '--subnet-id', 'subnet-0123456789abcdef0']);
    const quiet = run(['fix', t.root, '--dry-run', '-q', '--subnet-id', 'subnet-0123456789abcdef0']);
    assert.notEqual(loud.stdout, '');
    assert.equal(quiet.stdout, '');
    assert.equal(quiet.code, loud.code);
  } finally {
    t.cleanup();
  }
});

test("attack: a repository's globs can't make the scan backtrack for hours (picomatch: one 45-character name hung it)", () => {
  const hostile = '*a'.repeat(14) + '*b';
  const t = makeTree({
    '.git/HEAD': 'x',
    '.cloudconform.yml': `exclude: ['${hostile}']\nexceptions:\n  - rules: ['*']\n    resources: ['${hostile}']\n    paths: ['${hostile}']\n    reason: slow\n`,
    [`${'a'.repeat(45)}.yaml`]: NOTEBOOK_CFN_YAML('A'.repeat(45), 'Enabled'),
  });
  try {
    const started = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'scan', t.root, '--skip-path', hostile], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms`);
  } finally {
    t.cleanup();
  }
});

test('a glob the matcher refuses is a configuration or usage error, before the scan', () => {
  const t = makeTree({ '.git/HEAD': 'x', '.cloudconform.yml': "exclude: ['[z-a]']\n", 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    const r = run(['scan', t.root]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exclude: .*z-a.* is not valid/);
    const skip = run(['scan', join(ROOT, 'examples'), '--skip-path', 'x'.repeat(2000)], { cwd: tmpdir() });
    assert.equal(skip.code, 2);
    assert.match(skip.stderr, /longer than 1024/);
  } finally {
    t.cleanup();
  }
});

test("attack: a scanned path without a configuration doesn't take another path's (vendor/lib's exclude hid infra)", () => {
  const t = makeTree({
    '.git/HEAD': 'x',
    'vendor/lib/.cloudconform.yml': "exclude: ['infra/**', 'infra']\nexceptions:\n  - rules: ['*']\n    paths: ['infra/**']\n    reason: vendored\n",
    'vendor/lib/ok.yaml': NOTEBOOK_CFN_YAML('Lib', 'Disabled', 'subnet-0123456789abcdef0'),
    'infra/main.yaml': NOTEBOOK_CFN_YAML('Infra', 'Enabled'),
  });
  try {
    const r = run(['scan', 'vendor/lib', 'infra'], { cwd: t.root });
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /different configurations \(.*infra: no configuration/);
    assert.equal(run(['scan', 'infra'], { cwd: t.root }).code, 1);
  } finally {
    t.cleanup();
  }
});

test("attack: a parent's .git or .cloudconform.yml that another user owns is not trusted (a shared /tmp), as git's safe.directory", () => {
  const t = makeTree({
    'parent/.git/HEAD': 'x',
    'parent/.cloudconform.yml': "exclude: ['**']\n",
    'parent/victim/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'),
    'cwd/.keep': '',
  });
  try {
    const victim = join(t.root, 'parent', 'victim');
    // Ours: the repository's configuration applies (it excludes everything).
    assert.equal(run(['scan', victim], { cwd: join(t.root, 'cwd') }).code, 0);
    // Someone else's (this test runs as root, as CI does, to hand the files to another user).
    chownSync(join(t.root, 'parent', '.cloudconform.yml'), 4242, 4242);
    const other = run(['scan', victim, '-f', 'json'], { cwd: join(t.root, 'cwd') });
    assert.equal(other.code, 1, other.stderr);
    chownSync(join(t.root, 'parent', '.cloudconform.yml'), process.getuid!(), process.getgid!());
    chownSync(join(t.root, 'parent', '.git'), 4242, 4242);
    assert.equal(run(['scan', victim], { cwd: join(t.root, 'cwd') }).code, 1);
  } finally {
    t.cleanup();
  }
});

test("attack: a repository config that raises failOn above the rules' risk or leaves a rule out says so, in SARIF too", () => {
  const t = makeTree({
    '.git/HEAD': 'x',
    '.cloudconform.yml': "failOn: extreme\nrules:\n  exclude: [SageMaker-005]\nexclude: ['legacy/**']\n",
    'nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'),
    'legacy/old.yaml': NOTEBOOK_CFN_YAML('Old', 'Enabled'),
  });
  try {
    const json = run(['scan', '.', '-f', 'json'], { cwd: t.root });
    assert.equal(json.code, 0, 'the configuration may choose this');
    const notes = (JSON.parse(json.stdout).notes as { message: string }[]).map((n) => n.message).join('\n');
    assert.match(notes, /failOn: Extreme in \.cloudconform\.yml: failures below Extreme risk don't make the exit code 1/);
    assert.match(notes, /SageMaker-005 not run: the rules setting of \.cloudconform\.yml leaves it out/);
    const sarif = JSON.parse(run(['scan', '.', '-f', 'sarif'], { cwd: t.root }).stdout);
    const texts = (sarif.runs[0].invocations[0].toolExecutionNotifications as { level: string; message: { text: string } }[])
      .filter((n) => n.level === 'note')
      .map((n) => n.message.text)
      .join('\n');
    assert.match(texts, /failOn: Extreme/);
    assert.match(texts, /left out by the exclude of .*legacy/);
    // Given on the command line, it is the user's choice: no note.
    const given = JSON.parse(run(['scan', '.', '-f', 'json', '--fail-on', 'extreme', '--rules', 'SageMaker-004'], { cwd: t.root }).stdout);
    assert.doesNotMatch(JSON.stringify(given.notes ?? []), /failOn: Extreme|not run/);
  } finally {
    t.cleanup();
  }
});

test('usage errors quote the command line escaped (an OSC sequence in an option reached the terminal raw)', () => {
  for (const args of [['scan', '--\x1b]0;pwned\x07'], ['scan', '-form\x1b[2Jat']]) {
    const r = run(args);
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stderr, /[\x1b\x07]/);
    assert.match(r.stderr, /\\x1b/);
  }
});

test("red team: a file scanned by name, or standard input, doesn't take another user's config from its directory or the working directory", () => {
  const t = makeTree({ 'shared/.cloudconform.yml': "exceptions:\n  - rules: ['*']\n    reason: planted by another user\n", 'shared/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled') });
  try {
    chownSync(join(t.root, 'shared', '.cloudconform.yml'), 4242, 4242);
    const file = run(['scan', join(t.root, 'shared', 'nb.yaml'), '-f', 'json'], { cwd: tmpdir() });
    assert.equal(file.code, 1, file.stdout);
    assert.equal(JSON.parse(file.stdout).findings[0].suppressed, false);
    const stdin = spawnSync(process.execPath, [CLI, 'scan', '-', '-f', 'json'], {
      cwd: join(t.root, 'shared'),
      input: NOTEBOOK_CFN_YAML('Piped', 'Enabled'),
      encoding: 'utf8',
    });
    assert.equal(stdin.status, 1, stdin.stdout + stdin.stderr);
    // Yours, it applies (the directory you scan is trusted as it is).
    chownSync(join(t.root, 'shared', '.cloudconform.yml'), process.getuid!(), process.getgid!());
    assert.equal(run(['scan', join(t.root, 'shared', 'nb.yaml')], { cwd: tmpdir() }).code, 0);
  } finally {
    t.cleanup();
  }
});

test('a mistyped option holding a webhook URL (--notfy=slack=URL): the usage error shows its scheme and host only (the path is a secret)', () => {
  for (const args of [
    ['scan', '.', '--notfy=slack=https://hooks.slack.com/services/T0000/B0000/XXXXslacktokenXXXX'],
    ['audit', '--notify-tgs=webhook=https://alice:pw-s3cret@hooks.example.com/in?token=XXXXslacktokenXXXX'],
  ]) {
    const r = run(args);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option/);
    assert.ok(!/XXXXslacktokenXXXX|s3cret|alice|services\/T0000/.test(r.stderr), r.stderr);
    assert.match(r.stderr, /https:\/\/hooks\.(slack|example)\.com\/…/);
  }
});
