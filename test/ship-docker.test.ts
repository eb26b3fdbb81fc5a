// The Dockerfile. No container engine can build it here: there is no Docker daemon, and the base
// image (node:20-slim) can't be pulled (only the npm, PyPI and Debian registries are reachable).
// So: hadolint (pinned in the test venv) lints it; its properties are read from the file; and the
// build stage's steps run on the build context that .dockerignore lets through, which must give the
// same package `npm pack` gives, and one that installs and runs.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import picomatch from 'picomatch';
import { ensureVenv, venvBin } from './aws/venv';

const ROOT = new URL('..', import.meta.url).pathname;
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8');

let work: string;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cc-docker-'));
  await ensureVenv();
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Dockerfile instructions, continuation lines joined, comments and parser directives dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return; // a comment inside a continued instruction
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1) : line;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: i + 1 };
    if (!continued) {
      const m = /^(\S+)\s*(.*)$/s.exec(pending.text.trim())!;
      out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: pending.line });
      pending = undefined;
    }
  });
  return out;
}

/** The stages: each FROM and the instructions after it. */
function stages(all: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const ins of all) {
    if (ins.keyword === 'FROM') out.push([ins]);
    else out.at(-1)?.push(ins);
  }
  return out;
}

/**
 * Whether Docker leaves `path` (relative, with /) out of the build context: the last .dockerignore
 * pattern that matches the path or one of its parent directories decides, `!` lets it back in
 * (moby's patternmatcher; `*` and `?` stop at /, `**` crosses directories).
 */
function makeIgnored(dockerignore: string): (path: string) => boolean {
  const patterns = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const glob = (negated ? l.slice(1) : l).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, match: picomatch(glob, { dot: true }) };
    });
  return (path) => {
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const p of patterns) if (prefixes.some((prefix) => p.match(prefix))) ignored = !p.negated;
    return ignored;
  };
}

const ignored = makeIgnored(DOCKERIGNORE);

test('hadolint 2.15.1 finds nothing in the Dockerfile (inline ignore pragmas not honoured)', () => {
  // An empty config and HOME: no .hadolint.yaml from this machine or the repository relaxes a rule.
  const config = join(work, 'hadolint.yaml');
  writeFileSync(config, '{}\n');
  const r = spawnSync(venvBin('hadolint'), ['--config', config, '--disable-ignore-pragma', '--failure-threshold', 'style', '--format', 'json', join(ROOT, 'Dockerfile')], {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: work },
    encoding: 'utf8',
  });
  assert.equal(r.stderr, '');
  assert.deepEqual(JSON.parse(r.stdout || '[]'), []);
  assert.equal(r.status, 0);
});

test('Dockerfile: node:20-slim by tag in every stage; the image runs cloudconform (exec form) as a non-root user in /src', () => {
  const all = instructions(DOCKERFILE);
  const st = stages(all);
  assert.ok(st.length >= 1);
  for (const [from] of st) assert.match(from!.args, /^node:20-slim(\s+AS\s+\w+)?$/i, `line ${from!.line}: ${from!.args}`);
  const final = st.at(-1)!;
  const at = (keyword: string) => final.map((i) => i.keyword).lastIndexOf(keyword);
  // The last USER decides who runs the entrypoint; it must be set, before it, and not root.
  const user = final[at('USER')];
  assert.ok(user, 'the final stage sets USER');
  assert.ok(at('USER') < at('ENTRYPOINT'), 'USER comes before ENTRYPOINT');
  assert.doesNotMatch(user.args, /^(root|0)(:|$)/);
  assert.deepEqual(JSON.parse(final[at('ENTRYPOINT')]!.args), ['cloudconform']);
  assert.equal(final[at('WORKDIR')]?.args, '/src');
  // The final stage installs the packed tarball, without dev dependencies and from nothing else.
  const install = final.filter((i) => i.keyword === 'RUN' && /npm install/.test(i.args));
  assert.equal(install.length, 1);
  assert.match(install[0]!.args, /npm install --global\b.*--omit=dev\b.*--offline\b.*\/tmp\/cloudconform\.tgz/);
  assert.ok(final.some((i) => i.keyword === 'COPY' && /^--from=build\s+\/tmp\/cloudconform\.tgz\b/.test(i.args)));
  // The build stage packs what `npm pack` packs.
  assert.match(DOCKERFILE, /npm ci\b/);
  assert.match(DOCKERFILE, /npm pack\b/);
});

test('attack: no credential can reach the image: no ARG or ENV names one, and the build context is an allowlist', () => {
  for (const ins of instructions(DOCKERFILE)) {
    if (ins.keyword === 'ARG' || ins.keyword === 'ENV') assert.doesNotMatch(ins.args, /token|secret|passw|key|credential|auth|npmrc/i, `line ${ins.line}`);
    // Build secrets belong in `RUN --mount=type=secret`, never in a layer.
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') assert.doesNotMatch(ins.args, /\.npmrc|\.env|\.aws|\.ssh|\.git\b/);
    assert.notEqual(ins.keyword, 'ADD', 'ADD can fetch URLs and unpack archives: COPY only');
  }
  // What a working copy may hold beside the sources: all left out.
  for (const secret of ['.npmrc', '.env', '.env.production', '.aws/credentials', '.ssh/id_ed25519', '.git/config', 'src/.env', 'src/cli/.npmrc', 'id_rsa', 'terraform.tfstate', 'notes.txt', 'node_modules/x/index.js', '.venv/bin/python', 'dist/cli.js', 'test/cli.test.ts', 'src/cli/main.test.ts', 'examples/terraform/compliant/main.tf', '.cloudconform.yml']) {
    assert.ok(ignored(secret), `${secret} is left out of the build context`);
  }
  for (const needed of ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/cloudconform.js', 'scripts/build.mjs', 'scripts/build/inline-schema-keys.mjs', 'src/cli/main.ts', 'src/rules/sagemaker-004/page.md']) {
    assert.ok(!ignored(needed), `${needed} is in the build context`);
  }
});

/** The files of the working copy that the build context holds (tool folders pruned: they are left out whole, checked above). */
function contextFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(ROOT, path);
    if (entry.isDirectory()) {
      if (!['node_modules', '.git', '.venv', '.bench', 'dist'].includes(entry.name)) contextFiles(path, out);
    } else if (!ignored(rel)) out.push(rel);
  }
  return out;
}

test('the build stage\'s steps, run on the build context .dockerignore lets through, pack what npm pack packs, and it installs and runs', () => {
  const ctx = join(work, 'context');
  for (const rel of contextFiles(ROOT)) {
    mkdirSync(dirname(join(ctx, rel)), { recursive: true });
    cpSync(join(ROOT, rel), join(ctx, rel));
  }
  // `npm ci` stands here as the project's own installed node_modules (the same lock file).
  symlinkSync(join(ROOT, 'node_modules'), join(ctx, 'node_modules'));
  const sh = (cmd: string, args: string[], cwd: string) => {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
    assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  sh('npm', ['run', 'build'], ctx);
  const out = join(work, 'out');
  mkdirSync(out);
  const [packed] = JSON.parse(sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], ctx)) as [{ filename: string; files: { path: string }[] }];
  const [fromRepo] = JSON.parse(sh('npm', ['pack', '--ignore-scripts', '--json', '--dry-run'], ROOT)) as [{ files: { path: string }[] }];
  // Chunk names carry a hash of their content: compare the list with the hashes taken out.
  const names = (files: { path: string }[]) => files.map((f) => f.path.replace(/-[A-Z0-9]{8}\.js$/, '.js')).sort();
  assert.deepEqual(names(packed.files), names(fromRepo.files));

  const prefix = join(work, 'prefix');
  sh('npm', ['install', '--global', '--prefix', prefix, '--omit=dev', '--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', join(out, packed.filename)], work);
  const scan = spawnSync(join(prefix, 'bin', 'cloudconform'), ['scan', join(ROOT, 'examples', 'cloudformation')], { cwd: work, encoding: 'utf8' });
  assert.equal(scan.status, 1, scan.stderr);
  assert.match(scan.stdout, /ExplorationNotebook/);
});
