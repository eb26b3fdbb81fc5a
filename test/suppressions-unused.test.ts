// A config exception that matched nothing is listed under --verbose, so stale exceptions get cleaned up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from './helpers/fixtures';
import { notebookTf, scanJson } from './helpers/suppressions';

const POLICY = [
  'exceptions:',
  '  - rules: [SageMaker-004]',
  '    resources: ["*.lab"]',
  '    reason: lab notebook',
  '  - rules: [SageMaker-004]',
  '    resources: ["*.retired"]',
  '    reason: retired last year',
  '  - rules: [SageMaker-004]',
  '    resources: ["*.shadowed"]',
  '    reason: also skipped inline',
  '',
].join('\n');

test('--verbose notes each config exception that matched no finding, naming it; without --verbose, nothing', () => {
  const t = makeTree({
    'main.tf': notebookTf('lab') + notebookTf('shadowed', ['# cloudconform:skip=SageMaker-004 inline reason wins']),
    'policy.yml': POLICY,
  });
  try {
    const verbose = scanJson(['.', '-c', 'policy.yml', '--verbose'], t.root);
    assert.equal(verbose.code, 0, verbose.stderr);
    const unused = (verbose.report.notes ?? []).filter((n: { message: string }) => /matched no finding/.test(n.message));
    assert.equal(unused.length, 1, JSON.stringify(verbose.report.notes));
    assert.match(unused[0].message, /exceptions\[1\]/);
    assert.match(unused[0].message, /SageMaker-004/);
    assert.match(unused[0].message, /retired last year/);
    assert.match(unused[0].file, /(^|\/)policy\.yml$/);
    const quiet = scanJson(['.', '-c', 'policy.yml'], t.root);
    assert.equal((quiet.report.notes ?? []).filter((n: { message: string }) => /matched no finding/.test(n.message)).length, 0);
  } finally {
    t.cleanup();
  }
});

test('audit --verbose asks for the same note (the option reaches the audit)', async () => {
  const { auditOptions } = await import('../src/cli/audit-command');
  const { emptyConfig } = await import('../src/engine/config');
  const base = { format: 'text' as const, output: [], color: false };
  const settings = { config: emptyConfig(), failOn: 'Low' as const };
  assert.equal(auditOptions({ ...base, verbose: true }, settings).noteUnusedExceptions, true);
  assert.equal(auditOptions(base, settings).noteUnusedExceptions, undefined);
});
