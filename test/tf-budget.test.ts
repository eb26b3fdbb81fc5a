// Terraform configurations built to make the scan run for ever or run out of memory: each must
// end quickly, in bounded memory, with an error entry naming the limit (exit 2), and never a pass
// for what was not evaluated. The built CLI runs in a child process with a capped heap and a
// timeout, so a regression fails the test instead of taking the machine down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

interface Report {
  findings: { result: string; resource: { id: string } }[];
  errors: { file: string; line?: number; message: string }[];
}

/** Scans `files` with the built CLI under a 256 MB heap and a 30 s timeout. */
function scanBounded(files: Record<string, string>): { code: number | null; signal: string | null; ms: number; report?: Report; stderr: string } {
  const tree = makeTree(files);
  try {
    const start = Date.now();
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', CLI, 'scan', tree.root, '--format', 'json'], {
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    const ms = Date.now() - start;
    let report: Report | undefined;
    try {
      report = JSON.parse(r.stdout) as Report;
    } catch {
      report = undefined;
    }
    return { code: r.status, signal: r.signal, ms, report, stderr: r.stderr.slice(-500) };
  } finally {
    tree.cleanup();
  }
}

const NOTEBOOK = (meta: string, access: string) => `
resource "aws_sagemaker_notebook_instance" "n" {
  ${meta}
  name                   = "nb"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::123456789012:role/r"
  direct_internet_access = ${access}
  subnet_id              = "subnet-0123456789abcdef0"
}
`;

/** Ended by a limit of ours: exit 2, one error entry naming it, and no pass after it. */
function assertStoppedByBudget(r: ReturnType<typeof scanBounded>, limit: RegExp, maxPasses = 0): void {
  assert.equal(r.signal, null, `killed by ${r.signal} after ${r.ms} ms (timeout or out of memory): ${r.stderr}`);
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.ok(r.report, 'a JSON report');
  const errors = r.report.errors.filter((e) => /evaluation stopped/.test(e.message));
  assert.equal(errors.length, 1, JSON.stringify(r.report.errors));
  assert.match(errors[0]!.message, limit);
  const passes = r.report.findings.filter((f) => f.result === 'pass');
  assert.ok(passes.length <= maxPasses, `${passes.length} passes`);
}

test('module count 10,000 → module count 10,000 → resource count 10,000 ends in seconds with an error entry, not out of memory', () => {
  const r = scanBounded({
    'main.tf': 'module "a" {\n  source = "./m1"\n  count  = 10000\n}\n',
    'm1/main.tf': 'module "b" {\n  source = "../m2"\n  count  = 10000\n}\n',
    'm2/main.tf': NOTEBOOK('count = 10000', '"Disabled"'),
  });
  assertStoppedByBudget(r, /more than 50,000 resource and module instances.*m2[\\/]main\.tf:2/);
  assert.ok(r.ms < 10_000, `${r.ms} ms`);
});

test('count = 1e12 on one resource is refused before any instance is made', () => {
  const r = scanBounded({ 'main.tf': NOTEBOOK('count = 1000000000000', '"Disabled"') });
  assertStoppedByBudget(r, /resource and module instances/);
});

test('an expensive expression times count 10,000 is bounded per scan, not per value', () => {
  const r = scanBounded({
    'main.tf': NOTEBOOK(
      'count = 10000',
      'length(flatten([for i in range(1000) : [for j in range(900) : j]])) > 0 ? "Disabled" : "Enabled"',
    ),
  });
  // The first instances are evaluated within the budget (a pass is right for them); every
  // instance after it is unknown.
  assertStoppedByBudget(r, /evaluation steps|list and map elements/, 5);
  const unknown = r.report!.findings.filter((f) => f.result === 'unknown').length;
  assert.ok(unknown > 9_900, `${unknown} unknown`);
});

/** Locals doubling a 64-character string `n` times. */
function doubling(n: number): string {
  const lines = ['  s0 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"'];
  for (let i = 1; i <= n; i++) lines.push(`  s${i} = "\${local.s${i - 1}}\${local.s${i - 1}}"`);
  return lines.join('\n');
}

test('strings built over many values (1,000 upper() of 8 MB) stop at the characters budget', () => {
  const r = scanBounded({
    'main.tf': `locals {\n${doubling(17)}\n  many = [for i in range(1000) : upper("\${local.s17}\${i}")]\n}\n${NOTEBOOK('', 'length(local.many) > 0 ? "Disabled" : "Enabled"')}`,
  });
  assertStoppedByBudget(r, /characters of strings built.*main\.tf:\d+/);
});

test('a list doubled by concat() 30 times stops at the elements budget', () => {
  const lines = ['  l0 = range(1000)'];
  for (let i = 1; i <= 30; i++) lines.push(`  l${i} = concat(local.l${i - 1}, local.l${i - 1})`);
  const r = scanBounded({ 'main.tf': `locals {\n${lines.join('\n')}\n}\n${NOTEBOOK('', 'length(local.l30) > 0 ? "Disabled" : "Enabled"')}` });
  assertStoppedByBudget(r, /list and map elements/);
});

test('jsondecode() of a megabyte of nested arrays, 1,000 times, stops at the elements budget', () => {
  const r = scanBounded({
    'main.tf': `locals {
  j1   = "[\${join(",", [for i in range(1000) : "[]"])}]"
  j2   = "[\${join(",", [for i in range(1000) : local.j1])}]"
  many = [for i in range(1000) : jsondecode(local.j2)]
}
${NOTEBOOK('', 'length(local.many) > 0 ? "Disabled" : "Enabled"')}`,
  });
  assertStoppedByBudget(r, /list and map elements/);
});

test('format() with a huge width, indent() with a huge count and replace() growing a string stop at once', () => {
  for (const access of [
    'length(format("%999999999s", "x")) > 0 ? "Disabled" : "Enabled"',
    'length(indent(999999999, "a\\nb")) > 0 ? "Disabled" : "Enabled"',
    `length(replace("\${local.s16}", "/a/", "\${local.s10}")) > 0 ? "Disabled" : "Enabled"`,
  ]) {
    const r = scanBounded({ 'main.tf': `locals {\n${doubling(16)}\n}\n${NOTEBOOK('', access)}` });
    assertStoppedByBudget(r, /a string of more than 16,777,216 characters|characters of strings built/);
  }
});

test('try() and can() do not catch a limit of ours: no pass from a fallback the limit chose', () => {
  // Terraform would evaluate the first argument; a limit that try() caught would pick "Disabled".
  const r = scanBounded({
    'main.tf': `locals {\n${doubling(17)}\n}\n${NOTEBOOK('', 'try(format("%s%s%s", local.s17, local.s17, local.s17) == "" ? "Disabled" : "Enabled", "Disabled")')}`,
  });
  assertStoppedByBudget(r, /a string of more than/);
  assert.deepEqual(r.report!.findings.map((f) => f.result), ['unknown']);
});

test('distinct() of 100,000 elements is linear (it compared every pair)', () => {
  const r = scanBounded({
    'main.tf': NOTEBOOK('', 'length(distinct(flatten([for i in range(1000) : [for j in range(100) : i * 100 + j]]))) == 100000 ? "Disabled" : "Enabled"'),
  });
  assert.equal(r.signal, null, `killed after ${r.ms} ms`);
  assert.equal(r.code, 0, JSON.stringify(r.report?.errors));
  assert.deepEqual(r.report!.findings.map((f) => f.result), ['pass']);
});

test('templatefile() calling itself twice per level stops at the steps budget', () => {
  const r = scanBounded({
    't.tpl': '${n > 0 ? "${templatefile("t.tpl", { n = n - 1 })}${templatefile("t.tpl", { n = n - 1 })}" : "x"}',
    'main.tf': NOTEBOOK('', 'length(templatefile("t.tpl", { n = 40 })) > 0 ? "Disabled" : "Enabled"'),
  });
  assertStoppedByBudget(r, /evaluation steps|characters of strings built/);
});

test('comparing big values in every instance of a count is charged by their size (== and contains() walked them each time for free)', () => {
  const big = '[for i in range(1000) : [for j in range(500) : j]]';
  for (const access of ['local.a == local.b ? "Disabled" : "Enabled"', 'contains([local.a], local.b) ? "Disabled" : "Enabled"']) {
    const r = scanBounded({
      'main.tf': `locals {\n  a = ${big}\n  b = ${big}\n}\n${NOTEBOOK('count = 10000', access)}`,
    });
    assertStoppedByBudget(r, /evaluation steps/, 10);
  }
});

test('work repeated in every instance of a count is charged even when it evaluates nothing: splats, template for, max(list...); length() of a map is counted once', () => {
  const locals = `locals {
  flat = flatten([for i in range(1000) : [for j in range(200) : j]])
  objs = [for x in local.flat : { name = x }]
  map  = { for i, x in local.flat : tostring(i) => x }
}
`;
  // A map's size is counted once and kept: 10,000 length() of it are cheap, and all pass.
  const sized = scanBounded({ 'main.tf': locals + NOTEBOOK('count = 10000', 'length(local.map) > 0 ? "Disabled" : "Enabled"') });
  assert.equal(sized.signal, null, `killed after ${sized.ms} ms`);
  assert.equal(sized.code, 0, JSON.stringify(sized.report?.errors));
  for (const access of [
    'length(local.objs[*].name) > 0 ? "Disabled" : "Enabled"',
    'length("%{ for x in local.flat }%{ endfor }") == 0 ? "Disabled" : "Enabled"',
    'max(local.flat...) > 0 ? "Disabled" : "Enabled"',
  ]) {
    const r = scanBounded({ 'main.tf': locals + NOTEBOOK('count = 10000', access) });
    assertStoppedByBudget(r, /evaluation steps|list and map elements/, 40);
  }
});

/** One random piece of hostile work, as a local's expression over `local.base` (a 64-character string). */
const work = fc.oneof(
  fc.integer({ min: 1, max: 1000 }).map((n) => `[for i in range(${n}) : "\${local.base}\${i}"]`),
  fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 })).map(([a, b]) => `[for i in range(${a}) : [for j in range(${b}) : upper("\${local.base}\${j}")]]`),
  fc.integer({ min: 1, max: 1000 }).map((n) => `join("", [for i in range(${n}) : local.base])`),
  fc.integer({ min: 1, max: 1000 }).map((n) => `flatten([for i in range(${n}) : [for j in range(${n}) : j]])`),
  fc.integer({ min: 1, max: 1000 }).map((n) => `distinct(flatten([for i in range(${n}) : range(1000)]))`),
  fc.integer({ min: 0, max: 100000000 }).map((n) => `format("%${n}s", local.base)`),
  fc.integer({ min: 1, max: 1000 }).map((n) => `jsondecode("[\${join(",", [for i in range(${n}) : "[1,[2,[3]]]"])}]")`),
);

/** A module tree: each level's module is called with a random count; the notebook reads a random local. */
const configuration = fc.record({
  counts: fc.array(fc.constantFrom(0, 1, 3, 100, 1000, 10000, 100000), { minLength: 1, maxLength: 3 }),
  resourceCount: fc.constantFrom(1, 10, 1000, 10000),
  locals: fc.array(work, { minLength: 1, maxLength: 4 }),
  pick: fc.nat(),
});

test('property: random nested counts, for expressions and string building end within 30 s under a 256 MB heap, and a spent budget is exit 2', () => {
  fc.assert(
    fc.property(configuration, ({ counts, resourceCount, locals, pick }) => {
      const files: Record<string, string> = {};
      const leaf = `m${counts.length}`;
      counts.forEach((count, level) => {
        const dir = level === 0 ? '' : `m${level}/`;
        files[`${dir}main.tf`] = `module "next" {\n  source = "../m${level + 1}"\n  count  = ${count}\n}\n`.replace('../m1', './m1');
      });
      const chosen = pick % locals.length;
      files[`${leaf}/main.tf`] = `locals {\n  base = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"\n${locals.map((l, i) => `  w${i} = ${l}`).join('\n')}\n}\n${NOTEBOOK(`count = ${resourceCount}`, `length(local.w${chosen}) >= 0 ? "Disabled" : "Enabled"`)}`;
      const r = scanBounded(files);
      assert.equal(r.signal, null, `killed by ${r.signal} after ${r.ms} ms: ${JSON.stringify(files)}`);
      assert.ok(r.report, r.stderr);
      const stopped = r.report.errors.some((e) => /evaluation stopped/.test(e.message));
      assert.equal(r.code, stopped ? 2 : 0, JSON.stringify(r.report.errors));
    }),
    { numRuns: 8 },
  );
});
