// The package as npm would publish it: `npm pack`, then `npm install -g` of the tarball into a
// temporary prefix, offline and without dev dependencies, and the installed command run as a user
// runs it. The bundle (scripts/build.mjs) holds every library but the history's native module
// (better-sqlite3, an optional dependency): offline with an empty cache the install fetches
// nothing and the command works without history; installed with it (built from source by npm, as
// for a user with a compiler and no prebuilt binary), runs are recorded.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const ROOT = new URL('..', import.meta.url).pathname;
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  repository?: { type?: string; url?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

let work: string;
let tarball: string;
let packedFiles: string[];
let prefix: string;
let installed: string;
/** What the install printed, for the assertions about it. */
let installOutput: { code: number | null; stdout: string; stderr: string };

/** A user's environment: no npm or test-runner variables, no NODE_OPTIONS, a fresh home and npm cache. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
  };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-npm-pack-'));
  // --ignore-scripts: pack the dist/ that `npm test` built. Without it npm runs `prepare`, which
  // deletes and rebuilds dist/ under the CLI tests running in parallel with this one.
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(work, info.filename);
  packedFiles = info.files.map((f) => f.path).sort();

  // The npm cache is a fresh, empty one: with --offline, anything the install needed from the
  // registry would fail it, so a passing install proves the tarball is all there is.
  prefix = join(work, 'prefix');
  const home = join(work, 'home');
  mkdirSync(home);
  const install = spawnSync(
    'npm',
    ['install', '--global', '--prefix', prefix, '--omit=dev', '--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', tarball],
    { cwd: work, env: cleanEnv(home), encoding: 'utf8' },
  );
  installOutput = { code: install.status, stdout: install.stdout, stderr: install.stderr };
  installed = join(prefix, 'bin', 'cloudconform');
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs the installed command from a directory outside the repository. */
function runInstalled(args: string[], env: NodeJS.ProcessEnv = {}) {
  const home = join(work, 'home');
  const r = spawnSync(installed, args, { cwd: work, env: { ...cleanEnv(home), ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('npm pack: bin, the bundle, rule pages, README, LICENSE, CHANGELOG and package.json; no sources, maps or tests', () => {
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/cloudconform.js', 'dist/cli.js', 'dist/scan-worker.js', 'src/rules/sagemaker-004/page.md', 'src/rules/sagemaker-005/page.md']) {
    assert.ok(packedFiles.includes(f), `${f} is in the tarball: ${packedFiles.join(', ')}`);
  }
  const unexpected = packedFiles.filter((f) => f.endsWith('.ts') || f.endsWith('.map') || f.startsWith('test/') || f.startsWith('scripts/') || f.startsWith('examples/') || f.startsWith('.'));
  assert.deepEqual(unexpected, []);
});

test('package.json: bin, engines, Apache-2.0 with its LICENSE, repository, a CHANGELOG entry for this version, no runtime dependencies but the optional better-sqlite3 12', () => {
  assert.deepEqual(PKG.bin, { cloudconform: 'bin/cloudconform.js' });
  assert.match(PKG.engines?.node ?? '', /^>=20(\.\d+)*$/);
  assert.equal(PKG.license, 'Apache-2.0');
  assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^\s*Apache License\s+Version 2\.0, January 2004/);
  assert.equal(PKG.repository?.type, 'git');
  assert.match(PKG.repository?.url ?? '', /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  assert.match(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## ${PKG.version.replace(/\./g, '\\.')}\\b`, 'm'));
  // Everything is bundled into dist/: a runtime dependency would only make users download
  // ~80 MB (45 packages, measured with 0.1.0's list) that the bundle never loads.
  assert.deepEqual(PKG.dependencies ?? {}, {}, 'the bundle holds every library: list them under devDependencies (npm install --save-dev)');
  // The one exception, native: optional, so an install that can't build it still scans. 13.x
  // needs Node 22 (on 20 it crashes with a segmentation fault).
  assert.deepEqual(Object.keys(PKG.optionalDependencies ?? {}), ['better-sqlite3']);
  assert.match(PKG.optionalDependencies!['better-sqlite3']!, /^[\^~]?12\./);
});

test('npm install -g of the tarball, offline and --omit=dev, installs nothing else; --version is package.json\'s', () => {
  assert.equal(installOutput.code, 0, installOutput.stderr);
  assert.doesNotMatch(installOutput.stderr, /\bERR!|npm error/);
  assert.ok(existsSync(join(prefix, 'lib', 'node_modules', PKG.name, 'dist', 'cli.js')));
  assert.ok(!existsSync(join(prefix, 'lib', 'node_modules', PKG.name, 'node_modules')), 'no dependency installed beside the package');
  const v = runInstalled(['--version']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), PKG.version);
});

test('the installed command scans the examples as the repository\'s does: exit 1, the same findings', () => {
  const examples = join(ROOT, 'examples');
  const r = runInstalled(['scan', examples, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  // Installed offline from the tarball alone: no better-sqlite3, so the run is not recorded, said once.
  assert.match(r.stderr, /^cloudconform: this run was not recorded: the history is not available: the better-sqlite3 module could not be loaded \(it is not installed\)[^\n]*\n$/);
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; result: string; resource: { id: string } }[]; errors: unknown[] };
  const failed = report.findings.filter((f) => f.result === 'fail').map((f) => f.resource.id);
  assert.ok(failed.includes('ExplorationNotebook'), failed.join(', '));
  assert.ok(failed.includes('aws_sagemaker_notebook_instance.team["pricing"]'), failed.join(', '));
  assert.deepEqual(report.errors, []);
  // The same bundle run from the repository gives the same report.
  const fromRepo = spawnSync(process.execPath, [join(ROOT, 'bin', 'cloudconform.js'), 'scan', examples, '--format', 'json'], { cwd: work, env: cleanEnv(join(work, 'home')), encoding: 'utf8' });
  assert.equal(fromRepo.status, 1);
  // The same report but for the run's own identity and times.
  const sameRun = (json: string) => {
    const parsed = JSON.parse(json) as { run?: { id?: string; startedAt?: string; endedAt?: string } };
    for (const k of ['id', 'startedAt', 'endedAt'] as const) delete parsed.run?.[k];
    return parsed;
  };
  assert.deepEqual(sameRun(r.stdout), sameRun(fromRepo.stdout));
  const text = runInstalled(['scan', examples]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /\d+ failed, \d+ unknown, \d+ passed/);
});

test('the installed command scans in worker threads (dist/scan-worker.js is shipped and loads)', () => {
  // 800 files is where the scan starts worker threads (MIN_UNITS_FOR_WORKERS in src/engine/scan.ts).
  const dir = join(work, 'many');
  mkdirSync(dir);
  const count = 820;
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `t${i}.yaml`), NOTEBOOK_CFN_YAML(`Nb${i}`, 'Enabled'));
  const r = runInstalled(['scan', dir, '--format', 'json', '--jobs', '2']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { summary: { fail: number; errors: number } };
  assert.equal(report.summary.fail, count);
  assert.equal(report.summary.errors, 0);
});

test('the installed command finds its rule pages and loads the AWS SDK for audit', () => {
  const rules = runInstalled(['rules']);
  assert.equal(rules.code, 0, rules.stderr);
  assert.match(rules.stdout, /SageMaker-004/);
  const explain = runInstalled(['explain', 'SageMaker-005']);
  assert.equal(explain.code, 0, explain.stderr);
  assert.match(explain.stdout, /VpcOnly/);
  // An endpoint nobody listens on: the audit can't complete (exit 2) and says why; what matters
  // here is that its SDK code was found in the bundle (no ERR_MODULE_NOT_FOUND).
  const audit = runInstalled(['audit', '--regions', 'us-east-1', '--format', 'json'], {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
  });
  assert.equal(audit.code, 2, audit.stderr);
  assert.doesNotMatch(audit.stdout + audit.stderr, /ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
  assert.match(audit.stdout, /ECONNREFUSED/);
});

test("the installed command runs Terraform's regex() (re2js, loaded on demand, is shipped in the bundle)", () => {
  // re2js was left out of the bundle and required from node_modules, which a global install of
  // the tarball doesn't have: every regex() made the scan fail with "Cannot find module 're2js'".
  const dir = join(work, 'regex');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'main.tf'),
    [
      'locals {',
      '  access = regex("^(Enabled|Disabled)", "Enabled-by-default")[0]',
      '}',
      'resource "aws_sagemaker_notebook_instance" "nb" {',
      '  name                   = "nb"',
      '  role_arn               = "arn:aws:iam::123456789012:role/r"',
      '  instance_type          = "ml.t3.medium"',
      '  direct_internet_access = local.access',
      '}',
      '',
    ].join('\n'),
  );
  const r = runInstalled(['scan', dir, '--format', 'json']);
  assert.doesNotMatch(r.stdout + r.stderr, /Cannot find (module|package)|re2js/);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as { findings: { result: string; message: string }[] };
  assert.equal(report.findings[0]?.result, 'fail');
  assert.match(report.findings[0]!.message, /Enabled/);
});

test('installed with its optional better-sqlite3 (from the npm cache, built from source: no prebuilt binary can be downloaded here), runs are recorded and listed', () => {
  // As this machine's user installs: their npm configuration and cache (\`npm ci\` filled it), offline.
  const userPrefix = join(work, 'prefix-with-history');
  const install = spawnSync('npm', ['install', '--global', '--prefix', userPrefix, '--omit=dev', '--offline', '--no-audit', '--no-fund', tarball], { cwd: work, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  const cli = join(userPrefix, 'bin', 'cloudconform');
  const home = join(work, 'home-with-history');
  mkdirSync(home);
  const env = { ...cleanEnv(home), XDG_DATA_HOME: join(home, 'data') };
  const scan = spawnSync(cli, ['scan', join(ROOT, 'examples', 'cloudformation'), '-q'], { cwd: work, env, encoding: 'utf8' });
  assert.equal(scan.status, 1, scan.stderr);
  assert.equal(scan.stderr, '');
  const history = spawnSync(cli, ['history', '--format', 'json'], { cwd: work, env, encoding: 'utf8' });
  assert.equal(history.status, 0, history.stderr);
  const runs = (JSON.parse(history.stdout) as { runs: { run: { command: string }; summary: { fail: number } }[] }).runs;
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.run.command, 'scan');
  assert.ok(runs[0]!.summary.fail > 0);
});
