// Reasons nobody can read and expiries written another way don't make a permanent suppression
// (red team, issue 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from './helpers/fixtures';
import { notebookTf, runCli, scanJson } from './helpers/suppressions';

test('attack: an invisible reason (zero-width space, Hangul filler, Braille blank) suppresses nothing', () => {
  for (const reason of ['\u200b', '\u3164', '\u2800', '\u200b\u200c\ufeff']) {
    const t = makeTree({
      'a/main.tf': notebookTf('a', [`# cloudconform:skip=SageMaker-004 ${reason}`]),
      'b/main.tf': notebookTf('b', [`#checkov:skip=CKV_AWS_122:${reason}`]),
      'c/.git/HEAD': 'x',
      'c/.cloudconform.yml': `exceptions:\n  - rules: [SageMaker-004]\n    reason: "${reason}"\n`,
      'c/main.tf': notebookTf('c'),
    });
    try {
      for (const dir of ['a', 'b']) {
        const r = scanJson([dir], t.root);
        assert.equal(r.code, 1, `${dir} ${JSON.stringify(reason)}`);
        assert.equal(r.report.findings[0].suppressed, false);
      }
      const c = runCli(['scan', 'c'], t.root);
      assert.equal(c.code, 2, `config ${JSON.stringify(reason)}: ${c.stdout}`);
      assert.match(c.stderr, /a reason is required/);
    } finally {
      t.cleanup();
    }
  }
});

test('attack: an expiry spelt another way in the reason is an error, not a skip without end; EXPIRES= first is an expiry', () => {
  for (const comment of [
    '# cloudconform:skip=SageMaker-004 sandbox (expires: 2020-01-01)',
    '# cloudconform:skip=SageMaker-004 sandbox, expires 2020-01-01',
    '# cloudconform:skip=SageMaker-004 sandbox EXPIRES=2020-01-01',
  ]) {
    const t = makeTree({ 'main.tf': notebookTf('nb', [comment]) });
    try {
      const r = scanJson(['.'], t.root);
      assert.equal(r.code, 2, comment);
      assert.equal(r.report.findings[0].suppressed, false, comment);
    } finally {
      t.cleanup();
    }
  }
  const t = makeTree({ 'main.tf': notebookTf('nb', ['# cloudconform:skip=SageMaker-004 EXPIRES=2020-01-01 sandbox']) });
  try {
    const r = scanJson(['.'], t.root);
    assert.equal(r.code, 1);
    assert.equal(r.report.findings[0].expiredSuppression.expires, '2020-01-01');
  } finally {
    t.cleanup();
  }
  // Words that merely mention expiry are a reason like any other.
  const ok = makeTree({ 'main.tf': notebookTf('nb', ['# cloudconform:skip=SageMaker-004 until the licence expires (PLAT-9)']) });
  try {
    assert.equal(scanJson(['.'], ok.root).code, 0);
  } finally {
    ok.cleanup();
  }
});

test('red team: more expiry spellings in a reason are errors (quoted, after a dash, expiry=, expires on, fullwidth)', () => {
  for (const reason of ['sandbox "expires=2020-01-01"', 'sandbox —expires=2020-01-01', 'sandbox expiry=2020-01-01', 'sandbox, expires on 2020-01-01', 'sandbox expires\uff1d2020-01-01']) {
    const t = makeTree({ 'main.tf': notebookTf('nb', [`# cloudconform:skip=SageMaker-004 ${reason}`]) });
    try {
      const r = scanJson(['.'], t.root);
      assert.equal(r.code, 2, reason);
      assert.equal(r.report.findings[0].suppressed, false, reason);
    } finally {
      t.cleanup();
    }
  }
});
