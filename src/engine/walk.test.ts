import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTree, NOTEBOOK_CFN_YAML } from '../../test/helpers/fixtures';
import { walkScanPaths } from './walk';

const OPEN = NOTEBOOK_CFN_YAML('Open', 'Enabled');

test('walk: a link to a tree outside the scanned paths is noted, not followed; --follow-external-symlinks follows it', () => {
  const t = makeTree({ 'repo/ok.yaml': OPEN });
  const outside = makeTree({ 'secret/t.yaml': OPEN, 'passwd.yaml': OPEN });
  try {
    const repo = join(t.root, 'repo');
    symlinkSync('/', join(repo, 'rootfs'));
    symlinkSync(join(outside.root, 'secret'), join(repo, 'shared'));
    symlinkSync(join(outside.root, 'passwd.yaml'), join(repo, 'linked.yaml'));
    const walk = walkScanPaths([repo]);
    assert.deepEqual(walk.candidateFiles, [join(repo, 'ok.yaml')]);
    assert.deepEqual(walk.errors, []);
    const notes = Object.fromEntries(walk.notes.map((n) => [n.file!.slice(repo.length + 1), n.message]));
    assert.deepEqual(Object.keys(notes).sort(), ['linked.yaml', 'rootfs', 'shared']);
    assert.match(notes.rootfs!, /symbolic link to \/, outside the scanned paths: not followed \(--follow-external-symlinks/);
    assert.match(notes.shared!, new RegExp(`to ${join(outside.root, 'secret')}`));

    const followed = walkScanPaths([join(repo, 'ok.yaml'), join(repo, 'shared'), join(repo, 'linked.yaml')]);
    assert.equal(followed.candidateFiles.length, 3, 'a link named on the command line is followed');
    const opted = walkScanPaths([repo], { exclude: ['**/rootfs'], followExternalSymlinks: true });
    assert.deepEqual(opted.candidateFiles, [join(repo, 'linked.yaml'), join(repo, 'ok.yaml'), join(repo, 'shared', 't.yaml')]);
    assert.deepEqual(opted.notes, []);
  } finally {
    t.cleanup();
    outside.cleanup();
  }
});

test('walk: links inside the scanned tree are followed once, loops are still errors, a dangling link is a note', () => {
  const t = makeTree({ 'real/t.yaml': OPEN, 'b/main.tf': '' });
  try {
    symlinkSync(join(t.root, 'real'), join(t.root, 'alias'));
    symlinkSync(join(t.root, 'real', 't.yaml'), join(t.root, 'b', 'same.yaml'));
    symlinkSync('..', join(t.root, 'real', 'up'));
    symlinkSync(join(t.root, 'missing.yaml'), join(t.root, 'dangling.yaml'));
    const walk = walkScanPaths([t.root]);
    // `alias` comes first in order and lists real/ (once); b/same.yaml is the same file.
    assert.deepEqual(walk.candidateFiles, [join(t.root, 'alias', 't.yaml')]);
    assert.deepEqual(walk.terraformDirs, [join(t.root, 'b')]);
    assert.equal(walk.errors.length, 1);
    assert.match(walk.errors[0]!.message, /symbolic link loop/);
    assert.deepEqual(walk.notes, [{ file: join(t.root, 'dangling.yaml'), message: `dangling symbolic link (to ${join(t.root, 'missing.yaml')}), not followed` }]);
  } finally {
    t.cleanup();
  }
});

test('walk: a FIFO in the tree is noted and never opened; one named on the command line is a stream to read', () => {
  const t = makeTree({ 'ok.yaml': OPEN });
  try {
    execFileSync('mkfifo', [join(t.root, 'x.yaml'), join(t.root, 'fifo.tf'), join(t.root, 'notes.md')]);
    const walk = walkScanPaths([t.root]);
    assert.deepEqual(walk.candidateFiles, [join(t.root, 'ok.yaml')]);
    assert.deepEqual(walk.terraformDirs, [], 'a FIFO .tf makes no Terraform directory');
    assert.deepEqual(
      walk.notes.map((n) => [n.file, n.message]),
      [
        [join(t.root, 'fifo.tf'), 'not a regular file (a named pipe), not read'],
        [join(t.root, 'x.yaml'), 'not a regular file (a named pipe), not read'],
      ],
    );
    assert.deepEqual(walkScanPaths([join(t.root, 'x.yaml'), '-']).streams, [join(t.root, 'x.yaml'), '-']);
  } finally {
    t.cleanup();
  }
});

test('walk: a 1,000-deep tree walks in linear time (was 27 s: an ancestor-set copy and a realpath per directory)', () => {
  const root = mkdtempSync(join(tmpdir(), 'cloudconform-deep-'));
  try {
    // 1,000 levels of `d/` stays under PATH_MAX (4,096 bytes), which bounds how deep a path can be.
    const deepest = join(root, ...Array<string>(1000).fill('d'));
    mkdirSync(deepest, { recursive: true });
    writeFileSync(join(deepest, 't.yaml'), OPEN);
    const started = performance.now();
    const walk = walkScanPaths([root]);
    const ms = performance.now() - started;
    assert.deepEqual(walk.candidateFiles, [join(deepest, 't.yaml')]);
    assert.deepEqual(walk.errors, []);
    assert.ok(ms < 5000, `walk took ${ms.toFixed(0)} ms`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('walk: a wide tree lists every candidate once, in order', () => {
  const files: Record<string, string> = {};
  for (let d = 0; d < 50; d++) for (let f = 0; f < 100; f++) files[`d${String(d).padStart(2, '0')}/f${String(f).padStart(3, '0')}.${f % 2 ? 'yaml' : 'py'}`] = '';
  const t = makeTree(files);
  try {
    const walk = walkScanPaths([t.root]);
    const expected = Object.keys(files)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(t.root, f));
    assert.deepEqual(walk.candidateFiles, expected);
  } finally {
    t.cleanup();
  }
});
