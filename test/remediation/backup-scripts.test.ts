// The lifecycle scripts that carry a notebook's files across its re-creation, run as AWS would
// run them (bash, as the user the tests run as) with the real AWS CLI against moto's S3: a backup
// of a tree with nested directories, hidden files, awkward names and empty files lands in S3 object
// for object, and the restore brings back a byte-identical tree; failures leave markers (or fail
// the script at once when the bucket itself is missing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { S3Client, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { startMoto, type MotoServer } from '../aws/moto-server';
import { venvBin } from '../aws/venv';
import { clientConfig } from '../aws/seed';
import { awsTestEnv } from '../aws/audit-helpers';
import {
  backupFailureKey,
  backupFilesPrefix,
  backupMarkerKey,
  backupScript,
  restoreFailureKey,
  restoreMarkerKey,
  restoreScript,
  type S3Location,
} from '../../src/remediation/live/backup-scripts';
import { composeOnStart } from '../../src/remediation/live/backup-plan';

const REGION = 'us-east-1';
// User data in every interpolated value: quotes, a command substitution, spaces.
const NOTEBOOK = `analysis nb 'q' "dq" $(touch INJECTED) \`touch INJECTED\``;

let moto: MotoServer;
let s3: S3Client;
let work: string;

before(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  moto = await startMoto();
  s3 = new S3Client({ ...clientConfig(moto.endpoint, REGION), forcePathStyle: true });
  work = mkdtempSync(join(tmpdir(), 'cc-backup-'));
});

after(async () => {
  s3?.destroy();
  await moto?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function scriptEnv(home: string, state: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    ...awsTestEnv({ AWS_ENDPOINT_URL: moto.endpoint, AWS_DEFAULT_REGION: REGION }),
    CC_NOTEBOOK_HOME: home,
    CC_STATE_DIR: state,
    CC_AWS: venvBin('aws'),
    // There is no ec2-user here.
    CC_SKIP_CHOWN: '1',
  };
}

/** Runs a script with bash in `cwd` (where an injected `touch INJECTED` would land). */
function runScript(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const file = join(cwd, `script-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(file, script);
    const child = spawn('bash', [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    // 'exit', not 'close': the background worker keeps inherited pipes open until it ends.
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function getObject(bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
    throw e;
  }
}

/** Waits for whichever of the keys appears first; fails with the worker's log after `timeoutMs`. */
async function waitForObject(bucket: string, keys: string[], logFile: string, timeoutMs = 90_000): Promise<{ key: string; body: Buffer }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const key of keys) {
      const body = await getObject(bucket, key);
      if (body) return { key, body };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no log)';
  throw new Error(`none of ${keys.join(', ')} appeared in ${timeoutMs} ms; worker log:\n${log}`);
}

async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** Every entry under `root`: files with their SHA-256, directories marked, sorted; `lost+found` left out. */
function treeOf(root: string): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (rel === 'lost+found') continue;
      if (statSync(path).isDirectory()) {
        tree.set(rel + '/', 'dir');
        walk(path);
      } else {
        tree.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'));
      }
    }
  };
  walk(root);
  return new Map([...tree.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A fresh notebook home (created) and state folder for one test. */
function notebookDirs(label: string): { home: string; state: string } {
  const home = join(work, `home-${label}`);
  mkdirSync(home, { recursive: true });
  return { home, state: join(work, `state-${label}`) };
}

async function createBucket(bucket: string, prefix: string): Promise<S3Location> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return { bucket, prefix };
}

function fillNotebookHome(home: string): { files: number; bytes: number } {
  const files: Record<string, string | Buffer> = {
    'notebook.ipynb': JSON.stringify({ cells: [], nbformat: 4 }),
    '.hidden': 'secret=1\n',
    '.config/jupyter/settings.json': '{"theme": "dark"}\n',
    'data/deep/er/and deeper/file with spaces.csv': 'a,b\n1,2\n',
    "data/it's \"quoted\".txt": 'quotes\n',
    'data/$(not a command).txt': 'dollar\n',
    'data/ünïcödé.txt': 'utf-8 name\n',
    'empty.txt': '',
    'binary.bin': Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)),
    // Excluded: the volume's lost+found is the file system's, not the user's.
    'lost+found/fsck-leftover': 'not user data\n',
  };
  let count = 0;
  let bytes = 0;
  for (const [rel, content] of Object.entries(files)) {
    const path = join(home, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    if (!rel.startsWith('lost+found/')) {
      count++;
      bytes += Buffer.byteLength(content);
    }
  }
  mkdirSync(join(home, 'empty dir', 'nested empty'), { recursive: true });
  return { files: count, bytes };
}

test('backup copies every file (hidden, nested, awkward names, empty) to S3; restore brings back a byte-identical tree', async () => {
  const loc = await createBucket('cc-backups', 'remediation/2026-08');
  const bucket = loc.bucket;
  const { home, state } = notebookDirs('old');
  const expected = fillNotebookHome(home);
  // A marker of an earlier run must not end the wait early.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: backupMarkerKey(loc, NOTEBOOK), Body: '{"stale":true}' }));
  // A stale object under files/ must not come back on restore (sync --delete).
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: backupFilesPrefix(loc, NOTEBOOK) + 'deleted-since.txt', Body: 'old' }));

  const started = Date.now();
  const backup = await runScript(backupScript(loc, NOTEBOOK), scriptEnv(home, state), work);
  assert.equal(backup.code, 0, backup.stderr);
  // The foreground part returns at once: the copy runs in the background (5-minute limit).
  assert.ok(Date.now() - started < 60_000);
  const done = await waitForObject(bucket, [backupMarkerKey(loc, NOTEBOOK), backupFailureKey(loc, NOTEBOOK)], join(state, 'backup.log'));
  assert.equal(done.key, backupMarkerKey(loc, NOTEBOOK), done.body.toString());
  const manifest = JSON.parse(done.body.toString());
  assert.equal(manifest.stale, undefined);
  assert.equal(manifest.notebook, NOTEBOOK);
  assert.equal(manifest.files, expected.files);
  assert.equal(manifest.bytes, expected.bytes);
  assert.equal(manifest.emptyDirectories, 1); // 'empty dir/nested empty'
  assert.match(manifest.completedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(readFileSync(join(state, 'backup.status'), 'utf8'), /^complete: 9 files/);

  // S3 holds exactly the files, byte for byte.
  const filesPrefix = backupFilesPrefix(loc, NOTEBOOK);
  const keys = (await listKeys(bucket, filesPrefix)).map((k) => k.slice(filesPrefix.length));
  const local = [...treeOf(home).entries()].filter(([rel, v]) => v !== 'dir' && !rel.endsWith('/'));
  assert.deepEqual(keys, local.map(([rel]) => rel).sort());
  for (const [rel, hash] of local) {
    const body = await getObject(bucket, filesPrefix + rel);
    assert.equal(createHash('sha256').update(body!).digest('hex'), hash, rel);
  }
  assert.equal(existsSync(join(work, 'INJECTED')), false, 'a notebook name ran as a command');

  // Restore into a fresh home, after the new notebook's own OnCreate script.
  const { home: newHome, state: newState } = notebookDirs('new');
  mkdirSync(join(newHome, 'lost+found'));
  const original = `#!/bin/bash\nset -e\necho "original ran" > "$CC_NOTEBOOK_HOME/../original-ran.txt"\n# it's the user's script: 'quotes' and $(echo subst) kept as they are\n`;
  const restore = await runScript(restoreScript(loc, NOTEBOOK, original), scriptEnv(newHome, newState), work);
  assert.equal(restore.code, 0, restore.stderr);
  const restored = await waitForObject(bucket, [restoreMarkerKey(loc, NOTEBOOK), restoreFailureKey(loc, NOTEBOOK)], join(newState, 'restore.log'));
  assert.equal(restored.key, restoreMarkerKey(loc, NOTEBOOK), restored.body.toString());
  assert.equal(JSON.parse(restored.body.toString()).files, expected.files);
  assert.equal(readFileSync(join(work, 'original-ran.txt'), 'utf8'), 'original ran\n');
  assert.equal(readFileSync(join(newState, 'on-create-original.sh'), 'utf8'), original, 'the original script is kept byte for byte');

  const oldTree = treeOf(home);
  const newTree = treeOf(newHome);
  assert.deepEqual([...newTree.entries()], [...oldTree.entries()]);
  assert.equal(existsSync(join(work, 'INJECTED')), false, 'a notebook name ran as a command');
});

test('a restore with no complete backup fails the script at once (the notebook creation fails), with the reason', async () => {
  const loc = await createBucket('cc-no-backup', '');
  const { home, state } = notebookDirs('nothing');
  const r = await runScript(restoreScript(loc, 'never-backed-up'), scriptEnv(home, state), work);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /restore failed: .*never-backed-up\/backup-complete\.json/);
  assert.match(readFileSync(join(state, 'restore.status'), 'utf8'), /^failed: /);
  const failure = await getObject(loc.bucket, restoreFailureKey(loc, 'never-backed-up'));
  assert.ok(failure, 'the failure marker is in the bucket');
  assert.match(JSON.parse(failure.toString()).reason, /backup-complete\.json/);
});

test('a missing bucket fails the backup script at once: no marker can be written, the local status says why', async () => {
  const loc: S3Location = { bucket: 'cc-no-such-bucket', prefix: 'p' };
  const { home, state } = notebookDirs('missing-bucket');
  writeFileSync(join(home, 'a.txt'), 'a');
  const r = await runScript(backupScript(loc, 'nb'), scriptEnv(home, state), work);
  // Non-zero: SageMaker marks the notebook's start as Failed, naming the lifecycle configuration.
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /backup failed: cannot write s3:\/\/cc-no-such-bucket\/p\/nb\/backup-started\.json: .*NoSuchBucket/s);
  assert.match(readFileSync(join(state, 'backup.status'), 'utf8'), /^failed: .*NoSuchBucket/s);
  assert.equal(existsSync(join(state, 'backup.log')), false, 'no background copy was started');
});

test('a sync that fails in the background writes the failure marker with the reason, and no completion marker', async () => {
  const loc = await createBucket('cc-sync-fails', 'p');
  const bucket = loc.bucket;
  const { home, state } = notebookDirs('fifo');
  writeFileSync(join(home, 'ok.txt'), 'ok');
  // aws s3 sync can't copy a FIFO: it skips it and exits 2. A partial copy is a failed backup.
  execFileSync('mkfifo', [join(home, 'pipe')]);
  const r = await runScript(backupScript(loc, 'nb-fifo'), scriptEnv(home, state), work);
  assert.equal(r.code, 0, r.stderr);
  const done = await waitForObject(bucket, [backupMarkerKey(loc, 'nb-fifo'), backupFailureKey(loc, 'nb-fifo')], join(state, 'backup.log'));
  assert.equal(done.key, backupFailureKey(loc, 'nb-fifo'), done.body.toString());
  const failure = JSON.parse(done.body.toString());
  assert.equal(failure.notebook, 'nb-fifo');
  assert.match(failure.reason, /aws s3 sync: .*pipe/s);
  assert.match(failure.failedAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(await getObject(bucket, backupMarkerKey(loc, 'nb-fifo')), undefined);
  assert.match(readFileSync(join(state, 'backup.status'), 'utf8'), /^failed: /);
});

/** Runs a script fed to bash on its standard input (`bash -s < script`), as some runners do. */
function runScriptOnStdin(script: string, env: Record<string, string>, cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-s'], { input: script, cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The original script reports how it was run: its interpreter, and what it read on standard input.
const PYTHON_ORIGINAL = `#!/usr/bin/env python3
import os, sys
data = sys.stdin.read()
with open(os.path.join(os.environ["CC_STATE_DIR"], "original-report.txt"), "w") as f:
    f.write("python read %d bytes" % len(data))
`;
const BASH_ONLY_ORIGINAL = `declare -a parts=(bash only)
if [[ \${#parts[@]} -eq 2 ]]; then echo "\${parts[*]} \$(cat | wc -c)" >"$CC_STATE_DIR/original-report.txt"; fi
`;

test('restore: the original OnCreate runs with its own interpreter (#!), bash without one, reads no input even when the wrapper is fed on stdin, and its failure is the script\'s, with its exit status', async () => {
  const loc = await createBucket('cc-original-oncreate', 'p');
  await s3.send(new PutObjectCommand({ Bucket: loc.bucket, Key: backupMarkerKey(loc, 'nb-o'), Body: '{"files":0}' }));
  for (const [label, original, report] of [
    ['python', PYTHON_ORIGINAL, 'python read 0 bytes'],
    ['bash', BASH_ONLY_ORIGINAL, 'bash only 0'],
  ] as const) {
    for (const feed of ['file', 'stdin'] as const) {
      const { home, state } = notebookDirs(`orig-${label}-${feed}`);
      const script = restoreScript(loc, 'nb-o', original);
      const r = feed === 'file' ? await runScript(script, scriptEnv(home, state), work) : runScriptOnStdin(script, scriptEnv(home, state), work);
      assert.equal(r.code, 0, `${label}/${feed}: ${r.stderr}`);
      assert.equal(readFileSync(join(state, 'original-report.txt'), 'utf8').trim(), report, `${label}/${feed}`);
    }
  }
  const { home, state } = notebookDirs('orig-fails');
  const failing = restoreScript(loc, 'nb-o', '#!/bin/sh\necho "setting up" >&2\nexit 7\n');
  for (const r of [await runScript(failing, scriptEnv(home, state), work), runScriptOnStdin(failing, scriptEnv(home, state), work)]) {
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /the notebook's own OnCreate script failed \(exit status 7\)/);
    assert.equal(existsSync(join(state, 'restore.status')), false, 'the restore did not start');
  }
});

test('backup OnStart: the source\'s own OnStart runs first with its own interpreter and no input; when it fails, the start fails with its status and no backup begins', async () => {
  const loc = await createBucket('cc-original-onstart', 'p');
  for (const [label, original, report] of [
    ['python', PYTHON_ORIGINAL, 'python read 0 bytes'],
    ['bash', BASH_ONLY_ORIGINAL, 'bash only 0'],
  ] as const) {
    for (const feed of ['file', 'stdin'] as const) {
      const { home, state } = notebookDirs(`onstart-${label}-${feed}`);
      const script = composeOnStart(original, backupScript(loc, `nb-s-${label}-${feed}`));
      const r = feed === 'file' ? await runScript(script, scriptEnv(home, state), work) : runScriptOnStdin(script, scriptEnv(home, state), work);
      assert.equal(r.code, 0, `${label}/${feed}: ${r.stderr}`);
      assert.equal(readFileSync(join(state, 'original-report.txt'), 'utf8').trim(), report, `${label}/${feed}`);
      // Then the backup began (its foreground part writes this before it returns).
      assert.ok(await getObject(loc.bucket, `p/nb-s-${label}-${feed}/backup-started.json`), `${label}/${feed}: the backup began`);
    }
  }
  const { home, state } = notebookDirs('onstart-fails');
  const r = await runScript(composeOnStart('#!/bin/bash\nset -e\nfalse\necho "never here"\n', backupScript(loc, 'nb-s-fails')), scriptEnv(home, state), work);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /the notebook's own OnStart script failed \(exit status 1\)/);
  const r3 = await runScript(composeOnStart('exit 3\n', backupScript(loc, 'nb-s-fails')), scriptEnv(home, state), work);
  assert.equal(r3.code, 3, r3.stderr);
  assert.equal(await getObject(loc.bucket, `p/nb-s-fails/backup-started.json`), undefined, 'no backup began');
  assert.equal(existsSync(join(state, 'backup.status')), false);
});
