import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayWidth, truncateEnd, truncateMiddle, wrap } from './terminal-width';

describe('terminal width', () => {
  it('counts wide characters as two columns and combining marks as none', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('中文'), 4);
    assert.equal(displayWidth('😀'), 2);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('👩‍💻'), 2, 'a ZWJ sequence is one emoji');
  });

  it('cuts between graphemes, never inside a surrogate pair or a combining sequence', () => {
    assert.equal(truncateEnd('😀😀😀', 4), '😀…');
    assert.equal(truncateEnd('e\u0301e\u0301e\u0301', 2), 'e\u0301…');
    assert.equal(truncateEnd('short', 10), 'short');
    assert.equal(truncateMiddle('module.team.aws_sagemaker_notebook_instance.nb["alpha"]', 21), 'module.tea…b["alpha"]');
    for (const width of [5, 6, 7, 11]) assert.ok(displayWidth(truncateMiddle('😀中'.repeat(10), width)) <= width);
  });

  it('wraps at spaces with a hanging indent, cuts a word longer than a line, and never makes an empty line', () => {
    assert.deepEqual(wrap('  aaa bbb ccc ddd eee', 14, '    '), ['  aaa bbb ccc', '    ddd eee']);
    // The text's own indentation is not a place to break: no empty first line.
    assert.deepEqual(wrap(`  ${'x'.repeat(25)}`, 14, '    '), [`  ${'x'.repeat(12)}`, `    ${'x'.repeat(10)}`, '    xxx']);
    for (const line of wrap(`  ${'中'.repeat(30)} end`, 12, '    ')) assert.ok(displayWidth(line) <= 12 && line.trim() !== '', line);
  });
});
