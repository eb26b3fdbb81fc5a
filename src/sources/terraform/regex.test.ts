// regex(), regexall() and replace() with a /pattern/ as Terraform runs them: Go's regexp (RE2
// syntax and semantics, linear time). The hostile cases run in a child process with a timeout,
// so a backtracking engine fails the test instead of hanging the suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnknownValue } from '../../model/attribute';
import { parseHcl } from './hcl/parser';
import { constantContext, evaluate, EvalError } from './evaluator';
import type { FunctionHost } from './functions';
import type { Value } from './values';

const NO_FILES: FunctionHost = {
  readFile: () => new UnknownValue('no files in this test'),
  fileExists: () => false,
  parseTemplateFile: () => new UnknownValue('no files in this test'),
};

function evalText(source: string): Value {
  const expr = parseHcl(`v = ${source}\n`).body.attributes[0]!.expr;
  return evaluate(expr, constantContext(NO_FILES));
}

const EVALUATOR = new URL('./evaluator.ts', import.meta.url).pathname;
const PARSER = new URL('./hcl/parser.ts', import.meta.url).pathname;
const REPO = new URL('../../../', import.meta.url).pathname;

/** Evaluates in a child process, killed after `timeoutMs`: the result, or why it failed. */
function evalInChild(source: string, timeoutMs = 20_000): { ok: boolean; value?: unknown; error?: string; ms: number; killed: boolean } {
  const script = `
    const { parseHcl } = await import(${JSON.stringify(PARSER)});
    const { constantContext, evaluate } = await import(${JSON.stringify(EVALUATOR)});
    const host = { readFile: () => null, fileExists: () => false, parseTemplateFile: () => null };
    const expr = parseHcl(${JSON.stringify(`v = ${source}\n`)}).body.attributes[0].expr;
    try { console.log(JSON.stringify({ ok: true, value: evaluate(expr, constantContext(host)) })); }
    catch (e) { console.log(JSON.stringify({ ok: false, error: e.message })); }`;
  const start = Date.now();
  // The script on standard input: an argument can't hold long inputs.
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', '--input-type=module'], {
    cwd: REPO,
    input: script,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Date.now() - start;
  if (r.signal) return { ok: false, error: `killed by ${r.signal}`, ms, killed: true };
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop() as string) as { ok: boolean; value?: unknown; error?: string }), ms, killed: false };
}

test('regex("^(a+)+$", "aaaa…b") ends in linear time (a backtracking RegExp runs for ever)', () => {
  const input = `${'a'.repeat(100_000)}b`;
  const r = evalInChild(`can(regex("^(a+)+$", "${input}"))`);
  assert.equal(r.killed, false, `still running after ${r.ms} ms`);
  assert.deepEqual(r.value, false);
  const all = evalInChild(`length(regexall("(a|aa)+$", "${input}"))`);
  assert.equal(all.killed, false, `still running after ${all.ms} ms`);
  const replaced = evalInChild(`replace("${input}", "/(a*)*$/", "x")`);
  assert.equal(replaced.killed, false, `still running after ${replaced.ms} ms`);
});

test('many matches and the other pattern-based string functions stay linear (chomp, format, regexall over 400,000 matches)', () => {
  const n = 400_000;
  for (const [source, expected] of [
    [`length(regexall("a", "${'a'.repeat(n)}"))`, n],
    [`length(replace("${'a'.repeat(n)}", "/a/", "b"))`, n],
    [`length(chomp("${'\\n'.repeat(n)}x"))`, n + 1],
    [`length(format("%${'0'.repeat(n)}5d", 7))`, 5],
  ] as const) {
    const r = evalInChild(source);
    assert.equal(r.killed, false, `${source.slice(0, 30)}…: still running after ${r.ms} ms`);
    assert.deepEqual(r.value, expected, `${source.slice(0, 30)}…: ${r.error}`);
  }
});

test('a pattern compiling to a huge program is unknown at once (compiling it ran out of memory)', () => {
  const pattern = 'join("", [for i in range(666) : "(?:a{2,1000}b?)"])';
  for (const source of [`regex(${pattern}, "ab")`, `replace("ab", "/\${${pattern}}/", "x")`]) {
    const r = evalInChild(source);
    assert.equal(r.killed, false, `still running after ${r.ms} ms`);
    assert.match((r.value as { reason?: string } | undefined)?.reason ?? String(r.error), /compiles to about 1,33\d,\d{3} instructions, more than the 20,000/);
  }
  // A realistic pattern is far below the limit.
  assert.deepEqual(evalText('regex("^[a-z0-9-]{1,63}([.][a-z0-9-]{1,63}){0,3}$", "a.b")'), ['.b']);
});

test('searching is charged by text length times program size: a megabyte through a 2,000-instruction program stops at the steps budget', () => {
  const r = evalInChild(`length(regexall("(?:a{1000}b?)", "${'a'.repeat(1_000_000)}"))`);
  assert.equal(r.killed, false, `still running after ${r.ms} ms`);
  assert.match(String(r.error), /evaluation stopped: more than 5,000,000 evaluation steps/);
});

test('results are shaped as Terraform shapes them: string, list of groups, object of named groups', () => {
  assert.equal(evalText('regex("[a-z]+", "12ab34")'), 'ab');
  assert.deepEqual(evalText('regex("^(\\\\w+)-(\\\\d+)?$", "ab-")'), ['ab', null]);
  assert.deepEqual(evalText('regex("(?P<year>\\\\d{4})-(?P<month>\\\\d{2})", "on 2024-05")'), { year: '2024', month: '05' });
  assert.deepEqual(evalText('regex("(?<name>[a-z]+)", "xy1")'), { name: 'xy' });
  assert.deepEqual(evalText('regexall("(\\\\d)(\\\\w)", "1a2b")'), [['1', 'a'], ['2', 'b']]);
  assert.deepEqual(evalText('regexall("x", "abc")'), []);
  assert.throws(() => evalText('regex("(?P<a>x)(y)", "xy")'), /cannot mix both named and unnamed capture groups/);
  assert.throws(() => evalText('regex("x", "abc")'), /did not match any part of the given string/);
});

test("RE2 syntax: Go's flags and classes work, backreferences and lookaround are errors, as in Terraform", () => {
  assert.equal(evalText('regex("(?i)HELLO", "say hello")'), 'hello');
  assert.equal(evalText('regex("\\\\Ax", "xy")'), 'x');
  assert.equal(evalText('regex("[[:digit:]]+", "ab12")'), '12');
  assert.equal(evalText('regex("(?U)a+", "aaa")'), 'a');
  assert.equal(evalText('regex("\\\\pL+", "été1")'), 'été');
  assert.equal(evalText('regex("\\\\Qa.b\\\\E", "xa.by")'), 'a.b');
  // `$` is the end of the text without (?m), even before a final newline.
  assert.equal(evalText('can(regex("a$", "a\\n"))'), false);
  for (const pattern of ['(a)\\\\1', '(?=a)', '(?<=a)b', 'a{1001}', '(?:a{0,40}){0,40}']) {
    assert.throws(() => evalText(`regex("${pattern}", "aa")`), (e: unknown) => e instanceof EvalError && /invalid regular expression/.test(e.message), pattern);
  }
  assert.equal(evalText('can(regex("(a)\\\\1", "aa"))'), false);
});

test('characters are code points: "." matches one emoji', () => {
  assert.equal(evalText('regex(".", "😀x")'), '😀');
  assert.deepEqual(evalText('regexall(".", "é😀")'), ['é', '😀']);
  assert.deepEqual(evalText('regexall("", "😀")'), ['', '']);
});

test("empty matches follow Go's rules (one right after a match is skipped)", () => {
  assert.deepEqual(evalText('regexall("a*", "baaac")'), ['', 'aaa', '']);
  assert.equal(evalText('replace("baaac", "/a*/", "X")'), 'XbXcX');
  assert.equal(evalText('replace("abc", "/x*/", "-")'), '-a-b-c-');
});

test("replace() expands $1, ${1}, $name, ${name} and $$ as Go's Regexp.Expand does", () => {
  assert.equal(evalText('replace("a1b22", "/([a-z])(\\\\d+)/", "$2$1")'), '1a22b');
  assert.equal(evalText('replace("abc", "/(b)/", "$${1}x")'), 'abxc');
  // Go reads "$1x" as the group named "1x": there is none, so nothing.
  assert.equal(evalText('replace("abc", "/(b)/", "$1x")'), 'ac');
  assert.equal(evalText('replace("abc", "/(?P<mid>b)/", "[$${mid}]")'), 'a[b]c');
  assert.equal(evalText('replace("abc", "/(?P<mid>b)/", "[$mid]")'), 'a[b]c');
  assert.equal(evalText('replace("abc", "/b/", "$$")'), 'a$c');
  assert.equal(evalText('replace("abc", "/b/", "$")'), 'a$c');
  assert.equal(evalText('replace("abc", "/b/", "$0$0")'), 'abbc');
  assert.equal(evalText('replace("abc", "/(x)?b/", "[$1]")'), 'a[]c');
  // Not a /pattern/: plain text, and an empty search inserts around every character (Go's strings.Replace).
  assert.equal(evalText('replace("a.b.c", ".", "-")'), 'a-b-c');
  assert.equal(evalText('replace("abc", "", "-")'), '-a-b-c-');
  assert.equal(evalText('replace("a/b", "/", "-")'), 'a-b');
});

test('the engine is loaded only when a regular expression is used', () => {
  const script = `
    import { createRequire } from 'node:module';
    const { parseHcl } = await import(${JSON.stringify(PARSER)});
    const { constantContext, evaluate } = await import(${JSON.stringify(EVALUATOR)});
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('re2js'));
    const host = { readFile: () => null, fileExists: () => false, parseTemplateFile: () => null };
    const run = (text) => evaluate(parseHcl('v = ' + text + '\\n').body.attributes[0].expr, constantContext(host));
    run('upper(replace("a.b", ".", "-"))');
    const before = loaded();
    run('regex("b+", "abbc")');
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8', timeout: 20_000 });
  assert.deepEqual(JSON.parse(r.stdout.trim()), { before: false, after: true }, r.stderr);
});

test('the built CLI evaluates regex() (the engine is found from the bundle)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-regex-'));
  try {
    writeFileSync(
      join(dir, 'main.tf'),
      `resource "aws_sagemaker_notebook_instance" "n" {
  name                   = "nb"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::123456789012:role/r"
  direct_internet_access = regex("(?P<mode>Dis|En)abled", "mode=Enabled").mode == "En" ? "Enabled" : "Disabled"
  subnet_id              = "subnet-0123456789abcdef0"
}
`,
    );
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'cloudconform.js'), 'scan', dir, '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { findings: { result: string }[]; errors: unknown[] };
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.findings.map((f) => f.result), ['fail']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
