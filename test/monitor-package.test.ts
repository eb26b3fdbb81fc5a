// `monitor package`: the Lambda zip holds the bundle and exactly the files it loads, readable by
// all (Lambda's requirement), byte-for-byte the same in any time zone; the real dist/lambda.js,
// unzipped, imports and answers an empty SQS batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { packageLambda } from '../src/monitor/package';

const ROOT = new URL('..', import.meta.url).pathname;
const PACKAGE_MODULE = join(ROOT, 'src', 'monitor', 'package.ts');

function fakeDist(): string {
  const dist = mkdtempSync(join(tmpdir(), 'cc-monitor-dist-'));
  writeFileSync(join(dist, 'lambda.js'), [
    'import { a } from "./lambda-chunk-a.js";',
    'const require = (await import("node:module")).createRequire(import.meta.url);',
    'export const handler = async () => { const { b } = await import(`./lambda-chunk-b.js`); return { a, b, re: require(\'./re2js.cjs\').x }; };',
    '',
  ].join('\n'));
  writeFileSync(join(dist, 'lambda-chunk-a.js'), 'export const a = 1; // "../outside.js" and "./missing.js" are not files here\n');
  writeFileSync(join(dist, 'lambda-chunk-b.js'), 'import { a } from "./lambda-chunk-a.js"; export const b = a + 1;\n');
  writeFileSync(join(dist, 're2js.cjs'), 'module.exports = { x: 3 };\n');
  writeFileSync(join(dist, 'cli.js'), 'import "./chunk-cli.js";\n');
  writeFileSync(join(dist, 'chunk-cli.js'), '\n');
  writeFileSync(join(dist, 'lambda.js.map'), '{}\n');
  writeFileSync(join(dist, '..', 'outside.js'), '\n');
  return dist;
}

/** Mode and DOS time of each entry, as Python's zipfile (a reader of its own) sees them. */
function zipInfo(zip: string): { name: string; mode: string; date: number[] }[] {
  const r = spawnSync('python3', ['-c', 'import json,sys,zipfile\nprint(json.dumps([{"name":i.filename,"mode":oct(i.external_attr>>16),"date":list(i.date_time)} for i in zipfile.ZipFile(sys.argv[1]).infolist()]))', zip], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('the zip holds lambda.js and what it loads (static, dynamic, template-literal and require specifiers), package.json for an ES module, nothing else', () => {
  const dist = fakeDist();
  try {
    const { zip, files } = packageLambda(dist);
    assert.deepEqual(files, ['lambda-chunk-a.js', 'lambda-chunk-b.js', 'lambda.js', 'package.json', 're2js.cjs']);
    const entries = unzipSync(zip);
    assert.deepEqual(Object.keys(entries).sort(), files);
    assert.equal(new TextDecoder().decode(entries['package.json']), '{"type":"module"}\n');
    assert.deepEqual(entries['lambda.js'], new Uint8Array(readFileSync(join(dist, 'lambda.js'))));
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('deterministic: the same bytes from two runs in different time zones; every file rw-r--r--, dated 1980-01-01 00:00', () => {
  const dist = fakeDist();
  try {
    const script = `import { packageLambda } from ${JSON.stringify(pathToFileURL(PACKAGE_MODULE).href)}; process.stdout.write(Buffer.from(packageLambda(${JSON.stringify(dist)}).zip).toString('base64'));`;
    const zips = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles'].map((tz) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, TZ: tz }, cwd: ROOT });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    });
    assert.equal(zips[1], zips[0]);
    assert.equal(zips[2], zips[0]);
    const file = join(dist, 'out.zip');
    writeFileSync(file, Buffer.from(zips[0]!, 'base64'));
    for (const e of zipInfo(file)) {
      assert.equal(e.mode, '0o100644', e.name);
      assert.deepEqual(e.date, [1980, 1, 1, 0, 0, 0], e.name);
    }
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('no bundled handler: a clear error naming npm run build', () => {
  const dist = mkdtempSync(join(tmpdir(), 'cc-monitor-empty-'));
  try {
    assert.throws(() => packageLambda(dist), /lambda\.js is missing: run npm run build/);
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('the real dist/lambda.js: every lambda file left out is loaded by nothing in the zip; unzipped, the handler imports and answers an SQS batch', async (t) => {
  const dist = join(ROOT, 'dist');
  // npm test builds dist/ first; building here would pull it from under the other test files.
  assert.ok(existsSync(join(dist, 'lambda.js')), 'dist/lambda.js: run npm run build');
  const { zip, files } = packageLambda(dist);
  t.diagnostic(`zip: ${zip.length} bytes, ${files.length} files`);
  const entries = unzipSync(zip);
  const texts = Object.values(entries).map((b) => new TextDecoder().decode(b));
  for (const name of readdirSync(dist).filter((f) => /^lambda.*\.js$/.test(f) && !files.includes(f))) {
    assert.ok(!texts.some((text) => text.includes(name)), `${name} is loaded but not in the zip`);
  }
  // Lambda's 50 MB zipped limit is far; the bundle is kept small on purpose.
  assert.ok(zip.length < 5 * 1024 * 1024, `${zip.length} bytes`);
  const dir = mkdtempSync(join(tmpdir(), 'cc-monitor-unzipped-'));
  try {
    for (const [name, data] of Object.entries(entries)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    // Out of process, with nothing from the repository's node_modules reachable: what Lambda runs.
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'lambda.js')).href)}); const ctx = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 60000 }; const empty = await m.handler({ Records: [] }, ctx); const one = await m.handler({ Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: ${JSON.stringify(readFileSync(join(ROOT, 'test', 'fixtures', 'cloudtrail', 'create-notebook-default-access.json'), 'utf8'))} }] }, ctx); process.stdout.write('\\nRESULT ' + JSON.stringify({ empty, one }));`],
      // AWS at a closed port: the describe fails at once, after the SDK, the rules and the handler's chunks have loaded.
      { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1', AWS_EC2_METADATA_DISABLED: 'true' }, timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    // The handler logs its run summary on standard output (CloudWatch Logs) before the result.
    const result = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('\nRESULT ') + 8));
    assert.deepEqual(result.empty, { batchItemFailures: [] }, r.stdout);
    // Not checked, so retried: the record comes back for another try.
    assert.deepEqual(result.one, { batchItemFailures: [{ itemIdentifier: 'm1' }] }, r.stdout);
    assert.doesNotMatch(r.stdout + r.stderr, /ERR_MODULE_NOT_FOUND|Cannot find module/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
