// Teams moving from Checkov keep their decisions: Checkov skips for checks we implement are suppressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from './helpers/fixtures';
import { findingOf, notebookCfn, notebookTf, scanJson } from './helpers/suppressions';

test('Terraform: #checkov:skip=CKV_AWS_122:reason inside the block suppresses SageMaker-004 with source checkov', () => {
  const t = makeTree({
    'main.tf': notebookTf('lab', ['#checkov:skip=CKV_AWS_122:Lab notebook, no customer data', '#checkov:skip=CKV_AWS_999:another check of theirs']),
  });
  try {
    const { code, report } = scanJson(['.'], t.root);
    assert.equal(code, 0, JSON.stringify(report.errors));
    assert.deepEqual(report.errors, [], 'a Checkov skip for a check we do not implement is not an error');
    assert.deepEqual(findingOf(report, 'aws_sagemaker_notebook_instance.lab').suppression, {
      reason: 'Lab notebook, no customer data',
      source: 'checkov',
      file: 'main.tf',
      line: 5,
    });
  } finally {
    t.cleanup();
  }
});

test('Terraform: Checkov reads skips inside the block only; one without a reason is ignored, and the finding says why', () => {
  const t = makeTree({
    'above/main.tf': notebookTf('above', [], ['#checkov:skip=CKV_AWS_122:Checkov ignores this one too']),
    'bare/main.tf': notebookTf('bare', ['# checkov:skip=CKV_AWS_122']),
  });
  try {
    const { code, report } = scanJson(['.'], t.root);
    assert.equal(code, 1);
    assert.equal(findingOf(report, 'aws_sagemaker_notebook_instance.above').suppressed, false);
    const bare = findingOf(report, 'aws_sagemaker_notebook_instance.bare');
    assert.equal(bare.suppressed, false);
    assert.match(bare.message, /Checkov skip .*CKV_AWS_122.* ignored.*no reason/i);
  } finally {
    t.cleanup();
  }
});

test('CloudFormation: Metadata.checkov.skip [{ id, comment }] suppresses; unknown Checkov ids are ignored silently', () => {
  const t = makeTree({
    't.yaml': notebookCfn('Nb', ['checkov:', '  skip:', '    - id: CKV_AWS_999', '      comment: not ours', '    - id: CKV_AWS_122', '      comment: Lab notebook']),
    'bare.yaml': notebookCfn('Bare', ['checkov:', '  skip:', '    - id: CKV_AWS_122']),
  });
  try {
    const { code, report } = scanJson(['.'], t.root);
    assert.equal(code, 1);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(findingOf(report, 'Nb').suppression, { reason: 'Lab notebook', source: 'checkov', file: 't.yaml', line: 10 });
    const bare = findingOf(report, 'Bare');
    assert.equal(bare.suppressed, false);
    assert.match(bare.message, /Checkov skip .*ignored.*no reason/i);
  } finally {
    t.cleanup();
  }
});
