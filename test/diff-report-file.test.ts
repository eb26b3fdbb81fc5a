// Report files given to diff (and report, export): attack cases first. Another tool's JSON, a newer
// version, a cut file, a huge one, a device, hostile values and prototype keys are each refused
// with a message naming the file (exit 2); nothing unexpected gets through to a reporter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_REPORT_FILE_BYTES, MAX_REPORT_VALUES, ReportFileError, parseReport, readReportFile } from '../src/history/report-file';
import { makeTree } from './helpers/fixtures';
import { fileFinding, report } from './helpers/history-fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

function cli(args: string[], cwd: string) {
  const { NO_COLOR, FORCE_COLOR, CLOUDCONFORM_FORMAT, ...env } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...env, CLOUDCONFORM_DB: join(cwd, 'no-history.db') }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD = report([fileFinding('t.yaml', 'Nb', 'fail')], { files: ['t.yaml'] });
const goodText = JSON.stringify(GOOD, null, 2);

function refused(name: string, content: string | Buffer, expected: RegExp): void {
  const t = makeTree({ [name]: content, 'good.json': goodText });
  try {
    const path = join(t.root, name);
    assert.throws(
      () => readReportFile(path),
      (e: unknown) => e instanceof ReportFileError && e.message.startsWith(`${path}: `) && expected.test(e.message),
      `${name}: expected ${expected}`,
    );
  } finally {
    t.cleanup();
  }
}

test('attack: another tool\'s JSON is named as such (SARIF, Checkov, GitLab SAST, ours of another kind)', () => {
  refused('results.sarif', JSON.stringify({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [] }), /is a SARIF log/);
  refused('sarif-no-schema.json', JSON.stringify({ version: '2.1.0', runs: [{ results: [] }] }), /is a SARIF log/);
  const checkov = { check_type: 'cloudformation', results: { passed_checks: [], failed_checks: [] }, summary: { passed: 0, failed: 0 } };
  refused('checkov.json', JSON.stringify(checkov), /Checkov's JSON output/);
  refused('checkov-many.json', JSON.stringify([checkov, { ...checkov, check_type: 'terraform' }]), /Checkov's JSON output/);
  refused('gl-sast-report.json', JSON.stringify({ version: '15.0.7', vulnerabilities: [], scan: { type: 'sast' } }), /GitLab SAST report/);
  refused('diff.json', JSON.stringify({ version: 1, kind: 'diff', changes: [] }), /a cloudconform diff, not a report/);
  refused('baseline.json', JSON.stringify({ version: 1, created: '2026-01-01', entries: [] }), /baseline, not a report/);
  refused('other.json', JSON.stringify({ ...GOOD, tool: { name: 'prowler', version: '4' } }), /written by "prowler", not cloudconform/);
  for (const random of ['42', 'null', '"text"', '[]', '{"a":1}', 'true']) refused('random.json', random, /not a cloudconform JSON report/);
});

test('attack: a newer version, a cut file, an empty file, bytes that are not UTF-8', () => {
  refused('v2.json', JSON.stringify({ ...GOOD, version: 2 }), /version 2 report, written by a newer cloudconform .*upgrade/);
  refused('cut.json', goodText.slice(0, Math.floor(goodText.length / 2)), /not valid JSON \(cut short\?\)/);
  refused('empty.json', '', /is empty/);
  refused('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]), /not UTF-8/);
});

test('attack: hostile values — non-string ids, unknown verdicts and risks, negative or infinite lines — are refused with the path to the value', () => {
  const finding = GOOD.findings[0]!;
  const withFinding = (f: unknown) => JSON.stringify({ ...GOOD, findings: [f] });
  refused('id.json', withFinding({ ...finding, resource: { ...finding.resource, id: 123 } }), /\/findings\/0\/resource\/id must be string/);
  refused('id-object.json', withFinding({ ...finding, resource: { ...finding.resource, id: { toString: 'x' } } }), /\/findings\/0\/resource\/id must be string/);
  refused('verdict.json', withFinding({ ...finding, result: 'ok' }), /\/findings\/0\/result must be equal to one of the allowed values \(pass, fail, unknown\)/);
  refused('risk.json', withFinding({ ...finding, risk: 'Critical' }), /\/findings\/0\/risk/);
  refused('line.json', withFinding({ ...finding, location: { file: 't.yaml', line: -1 } }), /\/findings\/0\/location\/line must be >= 0/);
  refused('infinite.json', withFinding({ ...finding, location: { file: 't.yaml', line: 1 } }).replace('"line":1', '"line":1e400'), /\/findings\/0\/location\/line must be integer/);
  refused('details.json', withFinding({ ...finding, resource: { ...finding.resource, details: { name: ['x'] } } }), /details\/name must be string/);
  refused('evaluated.json', JSON.stringify({ ...GOOD, run: { ...GOOD.run, evaluated: { files: [1] } } }), /\/run\/evaluated\/files\/0 must be string/);
  refused('no-findings.json', JSON.stringify({ ...GOOD, findings: undefined }), /must have required property 'findings'/);
});

test('attack: a __proto__ key anywhere, however it is spelt, is refused', () => {
  const text = JSON.stringify(GOOD);
  refused('proto.json', text.replace('"source":"cloudformation"', '"source":"cloudformation","details":{"__proto__":{"polluted":"yes"}}'), /"__proto__" key at \/findings\/0\/resource\/details/);
  refused('proto-escaped.json', text.replace('"source":"cloudformation"', '"source":"cloudformation","\\u005f_proto__":{"x":"y"}'), /"__proto__" key at \/findings\/0\/resource/);
  refused('proto-top.json', text.replace('{', '{"__proto__":{"findings":[]},'), /"__proto__" key at \//);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('attack: unknown fields are dropped, so nothing unexpected reaches a reporter; deep nesting in them ends quickly', () => {
  const deep = '['.repeat(200_000) + ']'.repeat(200_000);
  const finding = { ...GOOD.findings[0]!, evil: '<script>', resource: { ...GOOD.findings[0]!.resource, extra: 1 } };
  const t = makeTree({ 'r.json': JSON.stringify({ ...GOOD, findings: [finding] }).replace(/}$/, `,"nested":${deep}}`) });
  try {
    const started = Date.now();
    const r = readReportFile(join(t.root, 'r.json'));
    assert.ok(Date.now() - started < 5000);
    assert.equal((r as unknown as Record<string, unknown>).nested, undefined);
    assert.equal((r.findings[0] as unknown as Record<string, unknown>).evil, undefined);
    assert.equal((r.findings[0]!.resource as unknown as Record<string, unknown>).extra, undefined);
    assert.deepEqual(r.findings[0]!.resource, GOOD.findings[0]!.resource);
  } finally {
    t.cleanup();
  }
});

test('attack: a file larger than the bound is refused before it is read; a device or pipe is read only up to the bound', () => {
  const t = makeTree({ 'huge.json': '' });
  try {
    const huge = join(t.root, 'huge.json');
    truncateSync(huge, MAX_REPORT_FILE_BYTES + 1); // sparse: nothing is written
    const started = Date.now();
    assert.throws(() => readReportFile(huge), /is larger than 256 MiB, the most a report file may be/);
    assert.ok(Date.now() - started < 1000, 'refused from its size, unread');
    assert.throws(() => readReportFile('/dev/zero', 1 << 20), /\/dev\/zero: is larger than 1 MiB/);
    assert.throws(() => readReportFile(t.root), /is a directory/);
    assert.throws(() => readReportFile(join(t.root, 'missing.json')), /missing\.json: can't read: no such file/);
  } finally {
    t.cleanup();
  }
});

test('attack (CLI): diff with a hostile file exits 2 naming the file, escaped; nothing on standard output', () => {
  const t = makeTree({ 'good.json': goodText, 'results.sarif': JSON.stringify({ version: '2.1.0', runs: [] }), 'v9.json': JSON.stringify({ ...GOOD, version: 9 }) });
  try {
    const sneaky = join(t.root, 'evil\u001b]0;pwned\u0007.json');
    writeFileSync(sneaky, goodText.slice(0, 40));
    for (const [bad, expected] of [
      ['results.sarif', /results\.sarif: is a SARIF log/],
      ['v9.json', /v9\.json: is a version 9 report/],
      [sneaky, /evil\\x1b\]0;pwned\\x07\.json: is not valid JSON/],
      ['missing.json', /missing\.json: no such file, and not a run id/],
    ] as const) {
      const r = cli(['diff', 'good.json', bad], t.root);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.ok(!r.stderr.includes('\u001b'), 'no raw escape reaches the terminal');
      assert.equal(r.stdout, '');
    }
    // The huge file through the command: refused from its size at once.
    const huge = join(t.root, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_REPORT_FILE_BYTES + 10);
    const r = cli(['diff', 'good.json', 'huge.json'], t.root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /huge\.json: is larger than 256 MiB/);
    assert.ok(readFileSync(join(t.root, 'good.json'), 'utf8') === goodText, 'inputs untouched');
  } finally {
    t.cleanup();
  }
});

test('a report written with a byte order mark is read; the same report is the same whatever its layout', () => {
  const t = makeTree({ 'bom.json': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(goodText)]), 'flat.json': JSON.stringify(GOOD) });
  try {
    assert.deepEqual(readReportFile(join(t.root, 'bom.json')), readReportFile(join(t.root, 'flat.json')));
    assert.equal(readReportFile(join(t.root, 'bom.json')).findings[0]!.resource.id, 'Nb');
  } finally {
    t.cleanup();
  }
});

test('attack (red team): a report of millions of tiny values is refused before it is parsed, in bounded memory', () => {
  // 12 MB of `{}`: parsed, such a file grew memory by gigabytes (252 MiB of it ended in V8's abort).
  const bytes = Buffer.from(`{"version":1,"x":[${'{},'.repeat(MAX_REPORT_VALUES)}{}]}`);
  const before = process.memoryUsage().heapUsed;
  assert.throws(() => parseReport(bytes, 'bomb.json'), (e: Error) => e instanceof ReportFileError && /^bomb\.json: holds more than 4,000,000 JSON values/.test(e.message));
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'nothing was built');
  // Commas and braces inside strings are not values.
  const inStrings = Buffer.from(`{"version":1,"tool":{"name":"x","version":"1"},"findings":[],"s":"${',{['.repeat(MAX_REPORT_VALUES)}\\\\"}`);
  assert.throws(() => parseReport(inStrings, 'strings.json'), (e: Error) => !/JSON values/.test(e.message));
});
