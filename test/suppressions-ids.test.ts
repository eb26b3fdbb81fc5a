// Rule ids in suppressions and rule selection: unknown ones are errors, aliases work wherever ids do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from './helpers/fixtures';
import { findingOf, notebookCfn, notebookTf, runCli, scanJson } from './helpers/suppressions';

test('a config exception naming an unknown rule is a configuration error that lists the valid ids', () => {
  const t = makeTree({
    'main.tf': notebookTf('nb'),
    // A typo: today it silently suppresses nothing, and the team believes the notebook is excepted.
    'policy.yml': 'exceptions:\n  - rules: [SageMaker-04]\n    reason: sandbox\n',
  });
  try {
    const r = runCli(['scan', '.', '-c', 'policy.yml'], t.root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /SageMaker-04\b/);
    assert.match(r.stderr, /SageMaker-004/);
    assert.match(r.stderr, /SageMaker-005/);
    assert.equal(r.stdout, '');
  } finally {
    t.cleanup();
  }
});

test('rules.include / rules.exclude: an unknown id is an error, an alias selects its rule', () => {
  const t = makeTree({
    'main.tf': notebookTf('nb'),
    'typo.yml': 'rules:\n  include: [SageMaker-4]\n',
    'alias.yml': 'rules:\n  exclude: [CKV_AWS_122]\n',
  });
  try {
    // Including only an unknown rule would run nothing and pass.
    const typo = runCli(['scan', '.', '-c', 'typo.yml'], t.root);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /SageMaker-4\b/);
    const alias = scanJson(['.', '-c', 'alias.yml'], t.root);
    assert.equal(alias.code, 0, alias.stderr);
    assert.deepEqual(alias.report.findings, []);
  } finally {
    t.cleanup();
  }
});

test('aliases suppress like ids: a config exception and inline skips naming CKV_AWS_122', () => {
  const t = makeTree({
    'cfg/main.tf': notebookTf('cfg'),
    'tf/main.tf': notebookTf('inline', ['# cloudconform:skip=CKV_AWS_122 lab notebook, no data']),
    'cfn/t.yaml': notebookCfn('Nb', ['cloudconform:', '  skip:', '    - id: ckv_aws_122', '      reason: lab notebook']),
    'policy.yml': 'exceptions:\n  - rules: [CKV_AWS_122]\n    paths: ["cfg/**"]\n    reason: decommissioned in Q1\n',
  });
  try {
    const { code, report } = scanJson(['.', '-c', 'policy.yml'], t.root);
    assert.equal(code, 0, JSON.stringify(report.errors));
    assert.equal(findingOf(report, 'aws_sagemaker_notebook_instance.cfg').suppression.source, 'config');
    assert.deepEqual(findingOf(report, 'aws_sagemaker_notebook_instance.inline').suppression, {
      reason: 'lab notebook, no data',
      source: 'inline',
      file: 'tf/main.tf',
      line: 5,
    });
    assert.equal(findingOf(report, 'Nb').suppression.reason, 'lab notebook');
  } finally {
    t.cleanup();
  }
});

test('an inline skip naming an unknown rule is an error entry at its line (exit 2)', () => {
  const t = makeTree({
    'tf/main.tf': notebookTf('nb', ['# cloudconform:skip=SageMaker-400 sandbox']),
    'cfn/t.yaml': notebookCfn('Nb', ['cloudconform:', '  skip:', '    - id: SageMaker-400', '      reason: sandbox']),
  });
  try {
    const { code, report } = scanJson(['.'], t.root);
    assert.equal(code, 2);
    const at = report.errors.map((e: { file: string; line?: number; message: string }) => `${e.file}:${e.line} ${e.message}`);
    assert.ok(at.some((e: string) => /^tf\/main\.tf:5 .*SageMaker-400.*SageMaker-004/.test(e)), at.join('\n'));
    assert.ok(at.some((e: string) => /^cfn\/t\.yaml:8 .*SageMaker-400/.test(e)), at.join('\n'));
  } finally {
    t.cleanup();
  }
});
