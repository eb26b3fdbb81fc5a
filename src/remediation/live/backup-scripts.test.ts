// S3 locations, keys, quoting and the generated scripts' syntax; the scripts' work against S3 is
// tested with the real AWS CLI and moto in test/remediation/backup-scripts.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  backupFailureKey,
  backupFilesPrefix,
  backupMarkerKey,
  backupScript,
  LIFECYCLE_SCRIPT_MAX_BYTES,
  parseS3Uri,
  restoreFailureKey,
  restoreMarkerKey,
  restoreScript,
  shellQuote,
} from './backup-scripts';

test('parseS3Uri: bucket and prefix, with and without slashes', () => {
  assert.deepEqual(parseS3Uri('s3://my-bucket'), { bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseS3Uri('s3://my-bucket/'), { bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseS3Uri('s3://my-bucket/backups'), { bucket: 'my-bucket', prefix: 'backups' });
  assert.deepEqual(parseS3Uri('s3://my-bucket/backups/'), { bucket: 'my-bucket', prefix: 'backups' });
  assert.deepEqual(parseS3Uri('s3://my-bucket//backups/2026/'), { bucket: 'my-bucket', prefix: 'backups/2026' });
  assert.deepEqual(parseS3Uri('s3://my.bucket-01/a b/c'), { bucket: 'my.bucket-01', prefix: 'a b/c' });
  assert.deepEqual(parseS3Uri('s3://abc'), { bucket: 'abc', prefix: '' });
  assert.deepEqual(parseS3Uri(`s3://${'a'.repeat(63)}`), { bucket: 'a'.repeat(63), prefix: '' });
});

test('parseS3Uri: clear errors for schemes, empty values and S3 bucket naming rules', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['https://my-bucket/x', /scheme 'https:\/\/' is not supported: expected s3:\/\/bucket\/prefix/],
    ['S3://my-bucket', /scheme 'S3:\/\/' is not supported/],
    ['s3a://my-bucket', /scheme 's3a:\/\/' is not supported/],
    ['my-bucket/prefix', /expected s3:\/\/bucket\/prefix/],
    ['s3:/my-bucket', /expected s3:\/\/bucket\/prefix/],
    ['s3://', /no bucket name/],
    ['s3:///prefix', /no bucket name/],
    ['s3://ab', /'ab' must be 3 to 63 characters long/],
    [`s3://${'a'.repeat(64)}`, /must be 3 to 63 characters long/],
    ['s3://My-Bucket', /lowercase letters, digits, dots and hyphens/],
    ['s3://my_bucket', /lowercase letters, digits, dots and hyphens/],
    ['s3://-bucket', /begin and end with a letter or digit/],
    ['s3://bucket-', /begin and end with a letter or digit/],
    ['s3://bucket.', /begin and end with a letter or digit/],
    ['s3://my..bucket', /two adjacent dots/],
    ['s3://192.168.5.4', /IP address/],
    ['s3://xn--bucket', /must not begin with 'xn--'/],
    ['s3://sthree-bucket', /must not begin with 'sthree-'/],
    ['s3://amzn-s3-demo-bucket', /must not begin with 'amzn-s3-demo-'/],
    ['s3://bucket-s3alias', /must not end with '-s3alias'/],
    ['s3://bucket--ol-s3', /must not end with '--ol-s3'/],
    ['s3://bucket.mrap', /must not end with '.mrap'/],
    ['s3://bucket--x-s3', /must not end with '--x-s3'/],
    ['s3://bucket--table-s3', /must not end with '--table-s3'/],
    ['s3://my-bucket/a//b', /empty path segment/],
    ['s3://my-bucket/a\nb', /control character/],
  ];
  for (const [uri, message] of cases) {
    assert.throws(() => parseS3Uri(uri), message, JSON.stringify(uri));
  }
  // The value is named in the message.
  assert.throws(() => parseS3Uri('https://my-bucket/x'), /S3 location "https:\/\/my-bucket\/x"/);
});

test('keys: one folder per notebook under the prefix', () => {
  const root = { bucket: 'b-1', prefix: '' };
  const nested = { bucket: 'b-1', prefix: 'remediation/2026' };
  assert.equal(backupMarkerKey(root, 'nb'), 'nb/backup-complete.json');
  assert.equal(backupMarkerKey(nested, 'nb'), 'remediation/2026/nb/backup-complete.json');
  assert.equal(backupFailureKey(nested, 'nb'), 'remediation/2026/nb/backup-failed.json');
  assert.equal(backupFilesPrefix(nested, 'nb'), 'remediation/2026/nb/files/');
  assert.equal(restoreMarkerKey(nested, 'nb'), 'remediation/2026/nb/restore-complete.json');
  assert.equal(restoreFailureKey(nested, 'nb'), 'remediation/2026/nb/restore-failed.json');
  assert.throws(() => backupMarkerKey(nested, ''), /notebook name is empty/);
  assert.throws(() => backupMarkerKey(nested, 'a/b'), /contains '\/'/);
  assert.throws(() => backupMarkerKey({ bucket: 'b-1', prefix: '/x' }, 'nb'), /begins or ends with '\/'/);
  assert.throws(() => backupScript({ bucket: 'B', prefix: '' }, 'nb'), /bucket name 'B'/);
});

/** bash's reading of each word: `printf '%s\0' word...`, split on NUL. */
function bashWords(words: string[]): string[] {
  const r = spawnSync('bash', ['-c', `printf '%s\\0' ${words.join(' ')}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

test('shellQuote: bash reads back exactly the string, whatever it holds (property)', () => {
  const roundTrips = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;
  const awkward = fc.constantFrom("'", '"', '$', '$(id)', '`id`', '\\', '\n', ' ', ';', '&', '|', '*', '!', '{a,b}', '~', '#', '%s', "'\\''");
  const text = fc.array(fc.oneof(awkward, fc.string({ unit: 'binary' })), { maxLength: 8 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(fc.array(text.filter((s) => !s.includes('\u0000') && roundTrips(s)), { minLength: 1, maxLength: 20 }), (values) => {
      assert.deepEqual(bashWords(values.map(shellQuote)), values);
    }),
    { numRuns: 60 },
  );
  assert.throws(() => shellQuote('a\u0000b'), /NUL/);
});

test('the scripts are valid bash (bash -n) with and without an original OnCreate script', () => {
  const loc = { bucket: 'my-bucket', prefix: "odd prefix/it's $(here)" };
  const scripts = [
    backupScript(loc, 'nb'),
    backupScript({ bucket: 'my-bucket', prefix: '' }, `it's "$(x)" \`y\``),
    restoreScript(loc, 'nb'),
    restoreScript(loc, 'nb', '#!/bin/bash\nset -e\necho "it\'s $HOME"\n'),
    restoreScript(loc, 'nb', 'echo no shebang, no final newline'),
  ];
  for (const script of scripts) {
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stderr}\n${script}`);
    assert.match(script, /^#!\/bin\/bash\n/);
    assert.match(script, /\nset -euo pipefail\n/);
    // Long work goes to the background: lifecycle scripts must end within 5 minutes.
    assert.match(script, /\n  nohup bash -c "\$CC_WORKER" "cloudconform-\$CC_STEP" .*&\n/);
    assert.match(script, /\ncc_background "[^\n]*"\n?$/);
    // Paths and the aws command can be overridden, with the notebook's defaults.
    assert.match(script, /CC_NOTEBOOK_HOME="\$\{CC_NOTEBOOK_HOME:-\/home\/ec2-user\/SageMaker\}"/);
    assert.match(script, /CC_AWS="\$\{CC_AWS:-aws\}"/);
    // The notebook role's credentials: nothing secret in the script.
    assert.doesNotMatch(script, /AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|aws_secret/i);
  }
});

test('a restore script that would exceed the lifecycle configuration limit is refused with the sizes', () => {
  const loc = { bucket: 'my-bucket', prefix: 'p' };
  assert.ok(Buffer.byteLength(restoreScript(loc, 'nb', 'echo hi\n'.repeat(500))) <= LIFECYCLE_SCRIPT_MAX_BYTES);
  assert.throws(
    () => restoreScript(loc, 'nb', '#!/bin/bash\n' + 'echo a long original script\n'.repeat(500)),
    /the restore script for notebook "nb" \(with its original OnCreate script\) is \d+ bytes; a lifecycle configuration script may have at most 12288 \(16,384 characters once base64-encoded\)/,
  );
});

// A stand-in for the AWS CLI that records each call's arguments and the bodies sent to `s3 cp -`,
// and answers as a healthy `aws s3` would: here the question is only what bash passes to it.
const RECORDING_AWS = `#!/bin/bash
printf '%s\\0' "$@" >"$FAKE_AWS_LOG/call-$(date +%s%N)-$RANDOM"
if [ "$2" = cp ] && [ "$3" = - ]; then
  cat >"$FAKE_AWS_LOG/.body" && mv "$FAKE_AWS_LOG/.body" "$FAKE_AWS_LOG/body-\${4##*/}"
elif [ "$2" = cp ] && [[ $3 == s3://* ]] && [[ $4 != s3://* ]]; then
  if [[ $4 == */ ]]; then mkdir -p "$4"; elif [[ $4 == *.json ]]; then printf '{"files":0}' >"$4"; else : >"$4"; fi
fi
`;

function readCalls(dir: string): string[][] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('call-'))
    .map((f) => readFileSync(join(dir, f), 'utf8').split('\0').slice(0, -1));
}

/** The worker's final status, once its completion marker has been sent (or it has failed). */
async function waitForWorker(statusFile: string, markerBody: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const status = existsSync(statusFile) ? readFileSync(statusFile, 'utf8') : 'running';
    if (status.startsWith('failed') || existsSync(markerBody)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${statusFile}: no marker after 30 s`);
}

test('notebook names and prefixes are data, never code: each reaches aws intact and no command is injected (property)', async () => {
  const work = mkdtempSync(join(tmpdir(), 'cc-quoting-'));
  try {
    const fakeAws = join(work, 'aws');
    writeFileSync(fakeAws, RECORDING_AWS);
    chmodSync(fakeAws, 0o755);
    const canary = join(work, 'CANARY');
    const injection = fc.constantFrom('$(touch CANARY)', '`touch CANARY`', "'; touch CANARY; '", '"; touch CANARY; "', '\ntouch CANARY\n', '${IFS}', '%s%n');
    const piece = fc.oneof(injection, fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', ' ', "'", '"', '$', '\\', '*', '\t', 'é', '!', '#'), maxLength: 6 }));
    const name = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join('')).filter((s) => s !== '' && !s.includes('/'));
    const prefix = fc.constantFrom('', 'p', "it's/$(touch CANARY)", 'a b/c');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(name, prefix, async (notebook, pfx) => {
        const dir = join(work, `run-${run++}`);
        const home = join(dir, 'home');
        const log = join(dir, 'log');
        const state = join(dir, 'state');
        mkdirSync(home, { recursive: true });
        mkdirSync(log);
        writeFileSync(join(home, 'file.txt'), 'x');
        const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', FAKE_AWS_LOG: log, CC_AWS: fakeAws, CC_NOTEBOOK_HOME: home, CC_STATE_DIR: state, CC_SKIP_CHOWN: '1' };
        const loc = { bucket: 'my-bucket', prefix: pfx };
        const base = `s3://my-bucket/${pfx === '' ? '' : pfx + '/'}${notebook}`;

        const backup = spawnSync('bash', ['-c', backupScript(loc, notebook)], { cwd: dir, env, encoding: 'utf8' });
        assert.equal(backup.status, 0, backup.stderr);
        assert.match(await waitForWorker(join(state, 'backup.status'), join(log, 'body-backup-complete.json')), /^complete: 1 files, 1 bytes/);
        const backupCalls = readCalls(log);
        assert.deepEqual(
          backupCalls.find((c) => c[1] === 'sync'),
          ['s3', 'sync', '.', `${base}/files/`, '--delete', '--exclude', 'lost+found/*', '--only-show-errors'],
        );
        assert.ok(backupCalls.some((c) => c.join(' ') === `s3 rm ${base}/backup-complete.json --only-show-errors`));
        assert.ok(backupCalls.some((c) => c.join(' ') === `s3 cp - ${base}/backup-complete.json --only-show-errors`));
        const manifest = JSON.parse(readFileSync(join(log, 'body-backup-complete.json'), 'utf8'));
        assert.equal(manifest.notebook, notebook);
        assert.equal(manifest.files, 1);

        const restore = spawnSync('bash', ['-c', restoreScript(loc, notebook, `echo "original for $CC_NOTEBOOK_NAME" > original.out`)], { cwd: dir, env, encoding: 'utf8' });
        assert.equal(restore.status, 0, restore.stderr);
        assert.match(await waitForWorker(join(state, 'restore.status'), join(log, 'body-restore-complete.json')), /^complete: /);
        assert.equal(readFileSync(join(dir, 'original.out'), 'utf8'), `original for ${notebook}\n`);
        assert.ok(readCalls(log).some((c) => c.join('\u0001') === ['s3', 'cp', `${base}/files/`, `${home}/`, '--recursive', '--only-show-errors'].join('\u0001')));
        assert.equal(JSON.parse(readFileSync(join(log, 'body-restore-complete.json'), 'utf8')).notebook, notebook);

        assert.equal(existsSync(canary) || existsSync(join(dir, 'CANARY')) || existsSync(join(home, 'CANARY')), false, `injected by ${JSON.stringify(notebook)}`);
      }),
      { numRuns: 25 },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
