// Property tests of the HCL parser: it only ever throws HclSyntaxError, in bounded time, and a
// random syntax tree printed as HCL parses back to the same tree with correct positions.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { BinaryOperator, ConfigFile, Expr, TemplatePart, Traverser } from './ast';
import { HclSyntaxError } from './ast';
import { parseHcl } from './parser';

const TESTDATA = join(fileURLToPath(new URL('.', import.meta.url)), 'testdata');
const FIXTURES = readdirSync(TESTDATA).map((name) => readFileSync(join(TESTDATA, name), 'utf8'));

/** Parses, requiring that any failure is an HclSyntaxError and that it took < `limitMs`. */
function parseOrSyntaxError(source: string, limitMs = 1000): ConfigFile | HclSyntaxError {
  const started = performance.now();
  let result: ConfigFile | HclSyntaxError;
  try {
    result = parseHcl(source);
  } catch (err) {
    if (!(err instanceof HclSyntaxError)) throw new Error(`non-syntax error for ${JSON.stringify(source.slice(0, 300))}`, { cause: err });
    assert.ok(err.position.offset >= 0 && err.position.offset <= source.length, 'error position inside the input');
    assert.ok(err.position.line >= 1 && err.position.column >= 1);
    result = err;
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < limitMs, `took ${elapsed.toFixed(0)} ms for ${source.length} chars`);
  return result;
}

// ------------------------------------------------------------------ random inputs

/** Pieces of HCL syntax, so random strings reach deep into the parser rather than failing at once. */
const HCL_PIECES = [
  'a', 'b_c', 'x-y', 'for', 'in', 'if', 'true', 'null', '0', '1.5', '2e3', ' ', '  ', '\t', '\n', '\r\n', '\r',
  '"', '\\', '\\n', '\\u00e9', '${', '%{', '$${', '%%{', '~', '}', '{', '[', ']', '(', ')', ',', '.', '...', '.*', '[*]',
  '::', '=', '==', '=>', '!', '-', '+', '*', '/', '%', '<', '>=', '&&', '||', '?', ':', '#', '//', '/*', '*/',
  '<<EOT\n', '<<-EOT\n', 'EOT\n', '  EOT', '%{ if x }', '%{else}', '%{ endif }', '%{ for k, v in m ~}', '%{endfor}',
  'resource "r" "n" {\n', 'a = ', '\u0000', '\ud83d', '\ude00', '😀', 'é', '\ufeff', '\u00a0',
];
const hclNoise = fc.array(fc.constantFrom(...HCL_PIECES), { maxLength: 120 }).map((pieces) => pieces.join(''));

interface Mutation {
  kind: 'truncate' | 'insert' | 'delete' | 'duplicate';
  at: number;
  length: number;
  text: string;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('truncate', 'insert', 'delete', 'duplicate'),
  at: fc.nat(),
  length: fc.nat({ max: 40 }),
  text: fc.oneof(fc.constantFrom(...HCL_PIECES), fc.string({ unit: 'binary', maxLength: 4 })),
});

function mutate(source: string, mutations: Mutation[]): string {
  let s = source;
  for (const m of mutations) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.kind === 'truncate') s = s.slice(0, at);
    else if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
    else if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.length);
    else s = s.slice(0, at) + s.slice(at, at + m.length) + s.slice(at);
  }
  return s;
}

describe('parseHcl fuzz: only HclSyntaxError, in bounded time', () => {
  it('survives arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), hclNoise), (source) => {
        parseOrSyntaxError(source);
      }),
      { numRuns: 3000 },
    );
  });

  it('survives truncations, insertions, deletions and duplications of valid files', () => {
    const base = fc.oneof(fc.constantFrom(...FIXTURES), bodyArb.map(printFile));
    fc.assert(
      fc.property(base, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (source, mutations) => {
        parseOrSyntaxError(mutate(source, mutations));
      }),
      { numRuns: 1500 },
    );
  });

  it('parses every prefix of a fixture or rejects it with a syntax error', () => {
    const source = FIXTURES[0]!;
    for (let end = 0; end <= source.length; end += 7) parseOrSyntaxError(source.slice(0, end));
  });

  it('rejects 100,000 levels of nesting quickly', () => {
    const n = 100_000;
    const deep = [
      '['.repeat(n),
      `a = ${'['.repeat(n)}`,
      `a = ${'('.repeat(n)}1${')'.repeat(n)}`,
      `a = ${'{a = '.repeat(n)}`,
      `a = ${'f('.repeat(n)}`,
      `a = ${'"${'.repeat(n)}`,
      `a = ${'!'.repeat(n)}x`,
      `a = ${'-'.repeat(n)}1`,
      `a = ${'x ? x : '.repeat(n)}x`,
      `a = ${'1 + '.repeat(n)}1`,
      `a = "${'%{ if x }'.repeat(n)}"`,
      `a = x${'[*]'.repeat(n)}`,
      `a = x${'.*'.repeat(n)}`,
      `a = x${'[y]'.repeat(n)}`,
      'b {\n'.repeat(n),
      `a = ${'[for x in '.repeat(n)}`,
    ];
    for (const source of deep) {
      const result = parseOrSyntaxError(source, 2000);
      assert.ok(result instanceof HclSyntaxError, source.slice(0, 20));
      assert.match(result.message, /too deep|Expected|Unclosed|Unterminated/);
    }
  });

  it('stays linear on large pathological inputs', () => {
    const big = [
      `a = "${'$'.repeat(500_000)}`,
      `a = "${'\\n'.repeat(300_000)}"`,
      `a = <<EOT\n${'EOTX\n'.repeat(100_000)}`,
      `a = <<-EOT\n${'   x ${y}\n'.repeat(100_000)}EOT\n`,
      `a = [${'1, '.repeat(200_000)}]`,
      `a = {${'k = 1\n'.repeat(100_000)}}`,
      `a = x${'.y'.repeat(200_000)}`,
      `${'# comment\n'.repeat(100_000)}`,
      `${'/* c */ '.repeat(100_000)}`,
      `a = [for ${' '.repeat(500_000)}`,
      `a = x[${' '.repeat(500_000)}`,
      `${'a = 1\n'.repeat(100_000)}`,
      `a = "${'😀'.repeat(100_000)}" + @`,
      `${'😀'.repeat(10_000)}\n${'a = 1 # 😀\n'.repeat(20_000)}`,
    ];
    for (const source of big) parseOrSyntaxError(source, 3000);
  });
});

// ------------------------------------------------------------------ round trip

type Body = { attributes: { name: string; expr: Expr }[]; blocks: { type: string; labels: string[]; body: Body }[] };

const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);
const identArb = fc
  .tuple(fc.constantFrom('a', 'b', 'x', 'name', '_id', 'My', 'é'), fc.stringMatching(/^[a-z0-9_-]{0,6}$/))
  .map(([head, tail]) => head + tail)
  .filter((name) => !KEYWORDS.has(name));

/** Text for templates: escapes, braces, `${`/`%{` that must be escaped, unicode. */
const quotedTextArb = fc.array(fc.constantFrom('a', 'b', ' ', '"', '\\', '\n', '\t', '\r', '{', '}', '${', '%{', '~', 'é', '😀', '$5 ', '100% '), { maxLength: 6 }).map((s) => s.join(''));
const heredocTextArb = fc.array(fc.constantFrom('a', 'b', ' ', '"', '\\', '\n', '{', '}', '${', '%{', 'é', '#'), { maxLength: 8 }).map((s) => s.join(''));

const BINARY_OPERATORS: BinaryOperator[] = ['||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%'];
const PRECEDENCE: Record<BinaryOperator, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };

/** Ranges are not generated; these placeholders are stripped before comparing. */
const R = { start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: 0, offset: 0 } };

const numberArb = fc.oneof(fc.nat(1_000_000), fc.double({ min: 0, max: 1e6, noNaN: true })).map((n) => (n === 0 ? 0 : n));

function templateArb(partsArb: fc.Arbitrary<TemplatePart[]>, heredoc: boolean): fc.Arbitrary<Expr> {
  return partsArb.map((parts) => ({ kind: 'template', parts, heredoc, range: R }) as Expr);
}

const { expr: exprArb, parts: partsArb, heredocParts: heredocPartsArb } = fc.letrec<{ expr: Expr; parts: TemplatePart[]; heredocParts: TemplatePart[] }>((tie) => {
  const expr = tie('expr');
  const steps = (full: boolean): fc.Arbitrary<Traverser[]> =>
    fc.array(
      fc.oneof(
        identArb.map((name) => ({ kind: 'attr', name, range: R }) as Traverser),
        fc.nat(20).map((n) => ({ kind: 'index', key: { kind: 'literal', value: n, range: R }, range: R }) as Traverser),
        ...(full ? [quotedTextArb.map((t) => ({ kind: 'index', key: { kind: 'template', parts: [{ kind: 'text', value: t, range: R }], heredoc: false, range: R }, range: R }) as Traverser)] : []),
      ),
      { maxLength: 3 },
    );
  const traversal = fc.tuple(identArb, steps(true)).map(([root, s]) => ({ kind: 'traversal', root, steps: s, range: R }) as Expr);
  const part = (text: fc.Arbitrary<string>, parts: fc.Arbitrary<TemplatePart[]>): fc.Arbitrary<TemplatePart> =>
    fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth: 4, depthIdentifier: 'hcl' },
      text.map((value) => ({ kind: 'text', value, range: R }) as TemplatePart),
      expr.map((e) => ({ kind: 'interpolation', expr: e, range: R }) as TemplatePart),
      fc.tuple(expr, parts, parts).map(([condition, then, otherwise]) => ({ kind: 'if', condition, then, else: otherwise, range: R }) as TemplatePart),
      fc.tuple(fc.option(identArb, { nil: null }), identArb, expr, parts).map(([keyVar, valueVar, collection, body]) => ({ kind: 'for', keyVar, valueVar, collection, body, range: R }) as TemplatePart),
    );
  return {
    parts: fc.array(part(quotedTextArb, tie('parts')), { maxLength: 4 }),
    heredocParts: fc.array(part(heredocTextArb, tie('heredocParts')), { maxLength: 4 }),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth: 4, depthIdentifier: 'hcl' },
      numberArb.map((value) => ({ kind: 'literal', value, range: R }) as Expr),
      fc.constantFrom(true, false, null).map((value) => ({ kind: 'literal', value, range: R }) as Expr),
      traversal,
      templateArb(tie('parts'), false),
      fc.tuple(fc.oneof(identArb, fc.constant('provider::aws::arn_parse')), fc.array(expr, { maxLength: 3 }), fc.boolean()).map(
        ([name, args, expand]) => ({ kind: 'call', name, args, expandFinal: expand && args.length > 0, range: R }) as Expr,
      ),
      fc.array(expr, { maxLength: 4 }).map((items) => ({ kind: 'tuple', items, range: R }) as Expr),
      fc
        .array(
          fc.tuple(
            fc.oneof(
              identArb.map((root) => ({ key: { kind: 'traversal', root, steps: [], range: R } as Expr, bare: true })),
              templateArb(tie('parts'), false).map((key) => ({ key, bare: false })),
              expr.map((inner) => ({ key: { kind: 'parens', expr: inner, range: R } as Expr, bare: false })),
            ),
            expr,
          ),
          { maxLength: 4 },
        )
        .map((items) => ({ kind: 'object', items: items.map(([k, value]) => ({ key: k.key, keyIsBareName: k.bare, value })), range: R }) as Expr),
      fc.tuple(expr, expr, expr).map(([condition, then, otherwise]) => ({ kind: 'conditional', condition, then, else: otherwise, range: R }) as Expr),
      fc.tuple(fc.constantFrom(...BINARY_OPERATORS), expr, expr).map(([op, left, right]) => ({ kind: 'binary', op, left, right, range: R }) as Expr),
      fc.tuple(fc.constantFrom('!' as const, '-' as const), expr).map(([op, operand]) => ({ kind: 'unary', op, operand, range: R }) as Expr),
      expr.map((inner) => ({ kind: 'parens', expr: inner, range: R }) as Expr),
      fc.tuple(expr, steps(true).filter((s) => s.length > 0)).map(([source, s]) => ({ kind: 'relative-traversal', source, steps: s, range: R }) as Expr),
      fc.tuple(expr, fc.oneof(traversal, fc.tuple(expr, expr).map(([l, r]) => ({ kind: 'binary', op: '+', left: l, right: r, range: R }) as Expr))).map(
        ([collection, key]) => ({ kind: 'index', collection, key, range: R }) as Expr,
      ),
      fc.boolean().chain((full) => fc.tuple(expr, steps(full)).map(([source, s]) => ({ kind: 'splat', source, steps: s, full, range: R }) as Expr)),
      fc
        .record({
          keyVar: fc.option(identArb, { nil: null }),
          valueVar: identArb,
          collection: expr,
          keyExpr: fc.option(expr, { nil: null }),
          valueExpr: expr,
          condition: fc.option(expr, { nil: null }),
          grouping: fc.boolean(),
        })
        .map((f) => ({ kind: 'for', ...f, grouping: f.grouping && f.keyExpr !== null, isObject: f.keyExpr !== null, range: R }) as Expr),
    ),
  };
});

const heredocArb = templateArb(heredocPartsArb, true);

/** Operator precedence of an expression: 0 conditional, 1-6 binary, 7 unary, 8 anything tighter. */
function precedence(e: Expr): number {
  if (e.kind === 'conditional') return 0;
  if (e.kind === 'binary') return PRECEDENCE[e.op];
  if (e.kind === 'unary') return 7;
  return 8;
}

const paren = (e: Expr): Expr => ({ kind: 'parens', expr: e, range: R });

/**
 * Turns a random tree into the tree the parser must produce for its printed form: parentheses
 * where precedence or postfix syntax needs them, adjacent template texts merged, empty ones
 * dropped, and traversal-like sources that would merge with their steps wrapped.
 */
function normalize(e: Expr): Expr {
  switch (e.kind) {
    case 'literal':
    case 'traversal':
      return e;
    case 'template':
      return { ...e, parts: normalizeParts(e.parts, true, e.heredoc) };
    case 'call':
      return { ...e, args: e.args.map(normalize) };
    case 'tuple':
      return { ...e, items: e.items.map(normalize) };
    case 'object':
      return { ...e, items: e.items.map((item) => ({ ...item, key: normalize(item.key), value: normalize(item.value) })) };
    case 'conditional': {
      const condition = normalize(e.condition);
      return { ...e, condition: precedence(condition) === 0 ? paren(condition) : condition, then: normalize(e.then), else: normalize(e.else) };
    }
    case 'binary': {
      const left = normalize(e.left);
      const right = normalize(e.right);
      const p = PRECEDENCE[e.op];
      return { ...e, left: precedence(left) < p ? paren(left) : left, right: precedence(right) <= p ? paren(right) : right };
    }
    case 'unary': {
      const operand = normalize(e.operand);
      return { ...e, operand: precedence(operand) < 7 ? paren(operand) : operand };
    }
    case 'parens':
      return { ...e, expr: normalize(e.expr) };
    case 'relative-traversal': {
      const source = normalize(e.source);
      const ok = ['call', 'parens', 'tuple', 'object', 'index'].includes(source.kind);
      return { ...e, source: ok ? source : paren(source), steps: e.steps.map(normalizeStep) };
    }
    case 'index': {
      const collection = normalize(e.collection);
      const ok = ['call', 'parens', 'tuple', 'object', 'index', 'traversal', 'relative-traversal'].includes(collection.kind);
      return { ...e, collection: ok ? collection : paren(collection), key: normalize(e.key) };
    }
    case 'splat': {
      const source = normalize(e.source);
      const ok = ['call', 'parens', 'tuple', 'object', 'index', 'traversal', 'relative-traversal', 'splat'].includes(source.kind);
      return { ...e, source: ok ? source : paren(source), steps: e.steps.map(normalizeStep) };
    }
    case 'for':
      return {
        ...e,
        collection: normalize(e.collection),
        keyExpr: e.keyExpr === null ? null : normalize(e.keyExpr),
        valueExpr: normalize(e.valueExpr),
        condition: e.condition === null ? null : normalize(e.condition),
      };
  }
}

function normalizeStep(s: Traverser): Traverser {
  return s.kind === 'attr' ? s : { ...s, key: normalize(s.key) };
}

function normalizeParts(parts: TemplatePart[], root: boolean, heredoc: boolean): TemplatePart[] {
  const out: TemplatePart[] = [];
  for (const part of parts) {
    let p: TemplatePart;
    if (part.kind === 'text') p = part;
    else if (part.kind === 'interpolation') p = { ...part, expr: normalize(part.expr) };
    else if (part.kind === 'if') p = { ...part, condition: normalize(part.condition), then: normalizeParts(part.then, false, heredoc), else: normalizeParts(part.else, false, heredoc) };
    else p = { ...part, collection: normalize(part.collection), body: normalizeParts(part.body, false, heredoc) };
    const last = out[out.length - 1];
    if (p.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { ...last, value: last.value + p.value };
    else out.push(p);
  }
  if (root && heredoc) {
    // A heredoc's content ends with the line break before its closing marker.
    const last = out[out.length - 1];
    if (last?.kind === 'text') out[out.length - 1] = { ...last, value: last.value.endsWith('\n') ? last.value : `${last.value}\n` };
    else out.push({ kind: 'text', value: '\n', range: R });
  }
  const kept = out.filter((p) => p.kind !== 'text' || p.value !== '');
  if (root && kept.length === 0) kept.push({ kind: 'text', value: '', range: R });
  return kept;
}

// ------------------------------------------------------------------ printer

/** `${` and `%{` as literal text. (A function replacement: in a replacement string `$$` means `$`.) */
function escapeTemplateSequences(text: string): string {
  return text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
}

function quoteText(value: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20) out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return escapeTemplateSequences(out);
}

function printParts(parts: TemplatePart[], heredoc: boolean): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
          return heredoc ? escapeTemplateSequences(p.value) : quoteText(p.value);
        case 'interpolation':
          return `\${${print(p.expr)}}`;
        case 'if':
          return `%{ if ${print(p.condition)} }${printParts(p.then, heredoc)}${p.else.length ? `%{ else }${printParts(p.else, heredoc)}` : ''}%{ endif }`;
        case 'for':
          return `%{ for ${p.keyVar === null ? '' : `${p.keyVar}, `}${p.valueVar} in ${print(p.collection)} }${printParts(p.body, heredoc)}%{ endfor }`;
      }
    })
    .join('');
}

function printStep(s: Traverser, legacyIndex: boolean): string {
  if (s.kind === 'attr') return `.${s.name}`;
  return legacyIndex ? `.${print(s.key)}` : `[${print(s.key)}]`;
}

function print(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return String(e.value);
    case 'template':
      return e.heredoc ? `<<EOT\n${printParts(e.parts, true)}EOT` : `"${printParts(e.parts, false)}"`;
    case 'traversal':
      return e.root + e.steps.map((s) => printStep(s, false)).join('');
    case 'relative-traversal':
      return print(e.source) + e.steps.map((s) => printStep(s, false)).join('');
    case 'index':
      return `${print(e.collection)}[${print(e.key)}]`;
    case 'splat':
      return `${print(e.source)}${e.full ? '[*]' : '.*'}${e.steps.map((s) => printStep(s, !e.full)).join('')}`;
    case 'call':
      return `${e.name}(${e.args.map(print).join(', ')}${e.expandFinal ? '...' : ''})`;
    case 'tuple':
      return `[${e.items.map(print).join(', ')}]`;
    case 'object':
      return `{ ${e.items.map((i) => `${print(i.key)} = ${print(i.value)}`).join(', ')} }`;
    case 'conditional':
      return `${print(e.condition)} ? ${print(e.then)} : ${print(e.else)}`;
    case 'binary':
      return `${print(e.left)} ${e.op} ${print(e.right)}`;
    case 'unary':
      return `${e.op}${print(e.operand)}`;
    case 'parens':
      return `(${print(e.expr)})`;
    case 'for': {
      const vars = e.keyVar === null ? e.valueVar : `${e.keyVar}, ${e.valueVar}`;
      const result = e.isObject ? `${print(e.keyExpr!)} => ${print(e.valueExpr)}${e.grouping ? '...' : ''}` : print(e.valueExpr);
      const body = `for ${vars} in ${print(e.collection)} : ${result}${e.condition === null ? '' : ` if ${print(e.condition)}`}`;
      return e.isObject ? `{${body}}` : `[${body}]`;
    }
  }
}

const bodyArb: fc.Arbitrary<Body> = fc.letrec<{ body: Body }>((tie) => ({
  body: fc.record({
    attributes: fc.array(fc.record({ name: identArb, expr: fc.oneof({ weight: 5, arbitrary: exprArb }, { weight: 1, arbitrary: heredocArb }).map(normalize) }), { maxLength: 4 }),
    blocks: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      fc.constant<Body['blocks']>([]),
      fc.array(fc.record({ type: identArb, labels: fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 2 }), body: tie('body') }), { maxLength: 3 }),
    ),
  }),
})).body;

/** Prints a body; `comments` decides, per item, whether to add a comment line before it. */
function printBody(body: Body, indent: string, comments: boolean[]): string {
  let out = '';
  let k = 0;
  const comment = () => (comments[k++ % Math.max(comments.length, 1)] ? `${indent}# note ${k}\n` : '');
  for (const a of body.attributes) out += `${comment()}${indent}${a.name} = ${print(a.expr)}\n`;
  for (const b of body.blocks) {
    const labels = b.labels.map((l) => ` "${quoteText(l)}"`).join('');
    out += `${comment()}${indent}${b.type}${labels} {\n${printBody(b.body, `${indent}  `, comments)}${indent}}\n`;
  }
  return out;
}

function printFile(body: Body): string {
  return printBody(body, '', []);
}

/** The parse result without any ranges, shaped like the generated tree. */
function withoutRanges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRanges);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'range' || key === 'nameRange' || key === 'typeRange' || key === 'labelRanges') continue;
    out[key] = withoutRanges(v);
  }
  return out;
}

/** Checks every position in the tree against its offset, and that ranges are ordered. */
function checkPositions(source: string, tree: unknown): void {
  const lineStarts = [0];
  for (let k = 0; k < source.length; k++) if (source[k] === '\n') lineStarts.push(k + 1);
  const expected = (offset: number): [number, number] => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return [line + 1, Array.from(source.slice(lineStarts[line], offset)).length + 1];
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, { offset: number; line: number; column: number }>;
    if (o.start && o.end && typeof o.start.offset === 'number') {
      assert.ok(o.start.offset <= o.end.offset, 'range start <= end');
      for (const p of [o.start, o.end]) assert.deepEqual([p.line, p.column], expected(p.offset), `offset ${p.offset}`);
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(tree);
}

describe('parseHcl fuzz: round trip of random syntax trees', () => {
  it('parses printed expressions back to the same tree', () => {
    fc.assert(
      fc.property(exprArb.map(normalize), (e) => {
        const source = `value = ${print(e)}\n`;
        const file = parseHcl(source);
        assert.deepEqual(withoutRanges(file.body.attributes[0]!.expr), withoutRanges(e), source);
        checkPositions(source, file);
      }),
      { numRuns: 1500 },
    );
  });

  it('parses printed files back to the same bodies, with comments and positions', () => {
    fc.assert(
      fc.property(bodyArb, fc.array(fc.boolean(), { maxLength: 5 }), (body, comments) => {
        const source = printBody(body, '', comments);
        const file = parseHcl(source);
        const expected = withoutRanges(body) as object;
        assert.deepEqual(withoutRanges(file.body), expected, source);
        assert.equal(file.comments.length, source.split('# note').length - 1);
        checkPositions(source, file);
      }),
      { numRuns: 400 },
    );
  });

  it('parses templates with every part kind', () => {
    fc.assert(
      fc.property(partsArb, fc.boolean(), (parts, heredoc) => {
        const e = normalize({ kind: 'template', parts, heredoc, range: R });
        const source = `t = ${print(e)}\n`;
        assert.deepEqual(withoutRanges(parseHcl(source).body.attributes[0]!.expr), withoutRanges(e), source);
      }),
      { numRuns: 800 },
    );
  });
});
