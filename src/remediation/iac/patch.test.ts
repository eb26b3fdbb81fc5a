// The diff fix prints, built region by region from the fixer's edits: it applies (with the diff
// package's own applyPatch) to give exactly the new text, for any edits, and stays linear.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyPatch, createTwoFilesPatch } from 'diff';
import { applyTextEdits, unifiedDiff } from './patch';
import type { TextEdit } from './fixer';

const line = fc.constantFrom('a', 'b', '  key: value', '', '}', '\t"x": 1,', 'c\r');
const text = fc.array(line, { maxLength: 30 }).chain((lines) => fc.boolean().map((eol) => lines.join('\n') + (eol && lines.length ? '\n' : '')));

/** Random non-overlapping edits of `t`. */
function editsOf(t: string): fc.Arbitrary<TextEdit[]> {
  return fc
    .array(fc.tuple(fc.nat(t.length), fc.nat(6), fc.constantFrom('', 'X', 'new\n', '\n', '  added: 1\n', 'y\nz')), { maxLength: 8 })
    .map((raw) => {
      const edits: TextEdit[] = [];
      let min = 0;
      for (const [at, len, insert] of raw.sort((p, q) => p[0] - q[0])) {
        const start = Math.max(at, min);
        if (start > t.length) break;
        const end = Math.min(start + len, t.length);
        edits.push({ start, end, text: insert });
        min = end;
      }
      return edits;
    });
}

describe('unifiedDiff', () => {
  it('applies to give the new text, for any edits', () => {
    fc.assert(
      fc.property(text.chain((t) => fc.tuple(fc.constant(t), editsOf(t))), ([before, edits]) => {
        const after = applyTextEdits(before, edits);
        const patch = unifiedDiff('f.yaml', before, after, edits);
        // (diff's applyPatch can't read its own patch of an empty file: not a case fix meets.)
        if (before === after || before === '') return;
        assert.equal(applyPatch(before, patch), after, patch);
        // Without edits (the fallback), the same holds.
        assert.equal(applyPatch(before, unifiedDiff('f.yaml', before, after)), after);
      }),
      { numRuns: 2000 },
    );
  });

  it('prints what createTwoFilesPatch prints for a simple change', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const edits = [{ start: 2, end: 3, text: 'B' }, { start: 16, end: 16, text: 'inserted\n' }];
    const after = applyTextEdits(before, edits);
    assert.equal(unifiedDiff('t', before, after, edits), createTwoFilesPatch('a/t', 'b/t', before, after, undefined, undefined, { context: 3 }));
  });

  it('edits that do not give the new text are not trusted: the texts are diffed', () => {
    const before = 'a\nb\nc\n';
    const after = 'a\nB\nc\n';
    const patch = unifiedDiff('t', before, after, [{ start: 0, end: 1, text: 'Z' }]);
    assert.equal(applyPatch(before, patch), after);
  });

  it('stays linear: 8,000 edited blocks diff in well under a second each 2,000', () => {
    const timeFor = (n: number) => {
      const block = '  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      DirectInternetAccess: Enabled\n';
      const before = block.repeat(n);
      const edits: TextEdit[] = [];
      for (let i = 0; i < n; i++) {
        const at = i * block.length + block.indexOf('Enabled');
        edits.push({ start: at, end: at + 'Enabled'.length, text: 'Disabled' });
        edits.push({ start: (i + 1) * block.length, end: (i + 1) * block.length, text: '      SubnetId: !Ref NotebookSubnetId\n' });
      }
      const after = applyTextEdits(before, edits);
      const t0 = performance.now();
      const patch = unifiedDiff('big.yaml', before, after, edits);
      const ms = performance.now() - t0;
      assert.equal(applyPatch(before, patch), after);
      return ms;
    };
    const small = timeFor(2000);
    const large = timeFor(8000);
    // Quadratic would be 16x; allow noise on a shared machine.
    assert.ok(large < 2000, `8,000 blocks took ${large.toFixed(0)} ms`);
    assert.ok(large < small * 10 + 200, `2,000 blocks ${small.toFixed(0)} ms, 8,000 blocks ${large.toFixed(0)} ms`);
  });
});
