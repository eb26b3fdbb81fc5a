// Our glob matcher (src/engine/glob.ts) against picomatch, the library it replaces, on generated
// patterns and paths; and the patterns that made picomatch backtrack for hours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { globMatcher, GlobError } from '../src/engine/glob';

const segment = fc.stringMatching(/^\.?[ab]{1,3}(\.[ab])?$/);
const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
const patternPart = fc.constantFrom('a', 'b', '.', '*', '?', 'ab', '{a,b}', '{a,b/a}', '[ab]', '[!a]');
const patternSegment = fc.oneof(fc.constant('**'), fc.array(patternPart, { minLength: 1, maxLength: 3 }).map((p) => p.join('')));
const pattern = fc.array(patternSegment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));

test('property: globs match as picomatch (dot: true) does on paths, classes aside', () => {
  fc.assert(
    fc.property(pattern, path, (p, text) => {
      // picomatch reads `[!a]` as an extglob-like negation that doesn't match (`[!a]b` vs `cb`): bash doesn't; we follow bash.
      fc.pre(!p.includes('[!'));
      // picomatch lets `x/**` and `?/**` match `x`, but not `*/**` or `a*/**`: we let them all match
      // the directory itself (what they exclude is the same: its files match either way).
      const segments = p.split('/').filter((seg, i, all) => !(seg === '**' && all[i - 1] === '**'));
      fc.pre(!(segments.length > 1 && segments.at(-1) === '**' && segments.at(-2) !== '**' && segments.at(-2)!.includes('*')));
      // `**` inside a segment (`**{a,b}`) is `*` to bash and to us; picomatch lets it cross `/`.
      fc.pre(segments.every((seg) => seg === '**' || !seg.includes('**')));
      const ours = globMatcher([p])(text);
      const theirs = picomatch(p, { dot: true })(text);
      assert.equal(ours, theirs, `${p} on ${text}`);
    }),
    { numRuns: 3000 },
  );
});

test('examples: ** segments, braces, classes, literal brackets, negation, names at any depth', () => {
  const m = (patterns: string[], text: string, opts = {}) => globMatcher(patterns, opts)(text);
  assert.equal(m(['x/**'], 'x'), true);
  assert.equal(m(['**'], 'a/b/c'), true);
  assert.equal(m(['**/legacy/**'], '/tmp/x/legacy/a.yaml'), true);
  assert.equal(m(['a/**/b'], 'a/b'), true);
  assert.equal(m(['a/**/b'], 'a/x/y/b'), true);
  assert.equal(m(['*'], 'a/b'), false);
  assert.equal(m(['*.yaml'], '.hidden.yaml'), true);
  assert.equal(m(['a/{b,c/**}'], 'a/c/d/e'), true);
  assert.equal(m(['[!a]b'], 'cb'), true);
  assert.equal(m(['[!a]b'], '/b'), false);
  assert.equal(m(['aws_x.nb["k"]'], 'aws_x.nb["k"]', { literalBrackets: true }), true);
  assert.equal(m(['!Legacy*'], 'Prod', { negate: true }), true);
  assert.equal(m(['!Legacy*'], 'LegacyNb', { negate: true }), false);
  assert.equal(m(['test'], 'infra/test', { basename: true }), true);
  assert.equal(m(['infra/test/**'], 'infra/test/f.yaml', { basename: true }), true);
  assert.equal(m(['a.b'], 'axb'), false, 'a dot is a dot');
  assert.equal(m(['a(b|c)'], 'ab'), false, 'regex syntax is literal');
  assert.throws(() => globMatcher(['[z-a]']), GlobError);
  assert.throws(() => globMatcher(['{a,'.repeat(20) + 'b' + '}'.repeat(20)]), GlobError);
  assert.equal(m(['./vendor/**'], 'vendor/x.yaml'), true);
  assert.throws(() => globMatcher(['a'.repeat(2000)]), GlobError);
});

test('attack: patterns that backtrack in a RegExp end at once on long names (picomatch took hours)', () => {
  const started = Date.now();
  const hostile = ['*a'.repeat(14) + '*b', '*a*a*a*b', '**/*a*a*a*a*/**/*b', '{*a,*a*a}'.repeat(6) + 'b'];
  const texts = ['a'.repeat(45) + '.yaml', 'a'.repeat(4000), `${'a/'.repeat(1000)}a`];
  for (const p of hostile) {
    const m = globMatcher([p], { basename: true, negate: true });
    for (const text of texts) assert.equal(m(text), false);
  }
  // Generous on a loaded 2-core machine: picomatch needed 20 s for the second pattern on 1,000 characters.
  assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
});

test('red team: negations narrow (everything but prod and staging), never widen to everything', () => {
  const m = globMatcher(['!aws_sagemaker_notebook_instance.prod', '!aws_sagemaker_notebook_instance.staging'], { negate: true, literalBrackets: true });
  assert.equal(m('aws_sagemaker_notebook_instance.scratch'), true);
  assert.equal(m('aws_sagemaker_notebook_instance.prod'), false);
  assert.equal(m('aws_sagemaker_notebook_instance.staging'), false);
  const both = globMatcher(['Legacy*', '!LegacyKeep'], { negate: true });
  assert.equal(both('LegacyOld'), true);
  assert.equal(both('LegacyKeep'), false);
  assert.equal(both('Prod'), false);
});

test('red team: a backslash in a class is the character, a class never takes in /, ** inside braces is *', () => {
  assert.equal(globMatcher(['notebooks/scratch[\\W]*.tf'])('notebooks/scratch/prod.tf'), false);
  assert.equal(globMatcher(['notebooks/scratch[\\W]*.tf'])('notebooks/scratchW1.tf'), true);
  assert.throws(() => globMatcher(['a[+-0]b']), /may match '\/'/);
  assert.equal(globMatcher(['sandbox{,**}.tf'])('sandbox/x/prod.tf'), false);
  assert.equal(globMatcher(['sandbox{,**}.tf'])('sandbox-1.tf'), true);
  assert.equal(globMatcher(['a{b,**}'])('a/b/c'), false);
  assert.equal(globMatcher(['a/{b,**}'])('a/c/d'), true);
  assert.equal(globMatcher(['{**,x}/legacy/*'])('a/b/legacy/c'), true);
});

test('red team: one list of globs is bounded in all (150 patterns of 1,000 characters made each file cost seconds)', () => {
  assert.throws(() => globMatcher(Array.from({ length: 5 }, (_, i) => '*a'.repeat(500) + i)), /at most 4096 characters/);
  const atCap = globMatcher(Array.from({ length: 4 }, (_, i) => '*a'.repeat(500).slice(0, 1020) + i));
  const started = Date.now();
  for (let i = 0; i < 300; i++) atCap('a'.repeat(250) + String(i).padStart(3, '0'));
  assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms for 300 names`);
});
