// Suppressions that expire stop applying and say so, in every format; --fail-on-expired makes CI fail on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExceptionMatcher, parseConfig } from '../src/engine/config';
import type { RawAttribute } from '../src/model/attribute';
import type { SourceResource } from '../src/model/resource';
import { makeTree } from './helpers/fixtures';
import { findingOf, notebookCfn, notebookTf, runCli, scanJson, type Json } from './helpers/suppressions';

const PAST = '2020-01-31';
const FUTURE = '2999-12-31';

test('an expired config exception no longer suppresses, and the finding says which exception expired when', () => {
  const t = makeTree({
    'main.tf': notebookTf('old'),
    'policy.yml': `exceptions:\n  - rules: [SageMaker-004]\n    resources: ["*old*"]\n    reason: migrating to VPC (SEC-12)\n    expires: ${PAST}\n`,
  });
  try {
    const { code, report } = scanJson(['.', '-c', 'policy.yml'], t.root);
    assert.equal(code, 1);
    const f = findingOf(report, 'aws_sagemaker_notebook_instance.old');
    assert.equal(f.suppressed, false);
    assert.equal(f.suppression, undefined);
    assert.deepEqual({ ...f.expiredSuppression, file: f.expiredSuppression.file.replace(/^.*\//, '') }, {
      reason: 'migrating to VPC (SEC-12)',
      source: 'config',
      file: 'policy.yml',
      expires: PAST,
    });
    assert.equal(report.summary.expiredSuppressions, 1);
  } finally {
    t.cleanup();
  }
});

test('Terraform inline skip: expires=DATE after the ids; a future date applies, a past one is reported with its line', () => {
  const t = makeTree({
    'main.tf':
      notebookTf('lab', [`# cloudconform:skip=SageMaker-004 expires=${FUTURE} lab notebook, no data`]) +
      notebookTf('old', [`# cloudconform:skip=SageMaker-004 expires=${PAST} legacy, replaced in Q1`]),
  });
  try {
    const { code, report } = scanJson(['.'], t.root);
    assert.equal(code, 1);
    const lab = findingOf(report, 'aws_sagemaker_notebook_instance.lab');
    assert.equal(lab.suppressed, true);
    assert.deepEqual(lab.suppression, { reason: 'lab notebook, no data', source: 'inline', file: 'main.tf', line: 5, expires: FUTURE });
    const old = findingOf(report, 'aws_sagemaker_notebook_instance.old');
    assert.equal(old.suppressed, false);
    assert.deepEqual(old.expiredSuppression, { reason: 'legacy, replaced in Q1', source: 'inline', file: 'main.tf', line: 12, expires: PAST });
  } finally {
    t.cleanup();
  }
});

test('CloudFormation Metadata skip with expires: past dates are reported, not applied', () => {
  const t = makeTree({
    't.yaml': notebookCfn('Nb', ['cloudconform:', '  skip:', '    - id: SageMaker-004', '      reason: until the VPC exists', `      expires: ${PAST}`]),
  });
  try {
    const { code, report } = scanJson(['.'], t.root);
    assert.equal(code, 1);
    const f = findingOf(report, 'Nb');
    assert.equal(f.suppressed, false);
    assert.equal(f.expiredSuppression.expires, PAST);
    assert.equal(f.expiredSuppression.source, 'inline');
    assert.equal(f.expiredSuppression.reason, 'until the VPC exists');
    assert.equal(f.expiredSuppression.file, 't.yaml');
  } finally {
    t.cleanup();
  }
});

test('a malformed expiry date is bad input: an error entry at its line (exit 2), never a skip without end', () => {
  const t = makeTree({
    'tf/main.tf': notebookTf('nb', ['# cloudconform:skip=SageMaker-004 expires=2025-02-30 sandbox']),
    'cfn/t.yaml': notebookCfn('Nb', ['cloudconform:', '  skip:', '    - id: SageMaker-004', '      reason: sandbox', '      expires: 31/01/2025']),
    // A date-like word in the reason is the author's intent too: it must not pass silently as a reason.
    'tf2/main.tf': notebookTf('nb', ['# cloudconform:skip=SageMaker-004 sandbox expires=2025-01-31']),
  });
  try {
    const { code, report } = scanJson(['.'], t.root);
    assert.equal(code, 2);
    const at = report.errors.map((e: { file: string; line?: number; message: string }) => `${e.file}:${e.line} ${e.message}`);
    assert.ok(at.some((e: string) => /^tf\/main\.tf:5 .*2025-02-30/.test(e)), at.join('\n'));
    assert.ok(at.some((e: string) => /^cfn\/t\.yaml:\d+ .*31\/01\/2025/.test(e)), at.join('\n'));
    assert.ok(at.some((e: string) => /^tf2\/main\.tf:5 .*expires=/.test(e)), at.join('\n'));
    for (const f of report.findings) assert.equal(f.suppressed, false, `${f.resource.id} must not be suppressed by a skip with a bad date`);
  } finally {
    t.cleanup();
  }
});

test('a config exception with an impossible date is a configuration error (exit 2)', () => {
  const t = makeTree({
    'main.tf': notebookTf('nb'),
    'policy.yml': 'exceptions:\n  - rules: [SageMaker-004]\n    reason: sandbox\n    expires: 2025-02-30\n',
  });
  try {
    const r = runCli(['scan', '.', '-c', 'policy.yml'], t.root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /2025-02-30/);
  } finally {
    t.cleanup();
  }
});

test('expires is the last day it applies, to the end of that day in UTC', () => {
  const [exception] = parseConfig({ exceptions: [{ rules: ['SageMaker-004'], reason: 'r', expires: '2025-01-31' }] }).exceptions;
  const at = (iso: string) => new ExceptionMatcher([exception!], new Date(iso)).match('SageMaker-004', 'main.tf', ['x']);
  assert.ok(at('2025-01-31T00:00:00Z'), 'applies on its day');
  assert.ok(at('2025-01-31T23:59:59.999Z'), 'applies to the end of its day in UTC');
  assert.equal(at('2025-02-01T00:00:00Z'), undefined, 'expired the next day');
});

test('--fail-on-expired: an expired suppression makes the exit code 1 even below --fail-on; SARIF and JUnit say it expired', () => {
  const t = makeTree({
    'main.tf': notebookTf('nb', [`# cloudconform:skip=SageMaker-004 expires=${PAST} sandbox until Q1`]),
  });
  try {
    assert.equal(runCli(['scan', '.', '--fail-on', 'extreme'], t.root).code, 0);
    const r = runCli(['scan', '.', '--fail-on', 'extreme', '--fail-on-expired', '-o', 'sarif=out.sarif', '-o', 'junit=out.xml'], t.root);
    assert.equal(r.code, 1, r.stderr);
    const sarif = readFileSync(join(t.root, 'out.sarif'), 'utf8');
    assert.match(sarif, /suppression expired on 2020-01-31 \(sandbox until Q1/);
    assert.doesNotMatch(sarif, /"suppressions"/, 'an expired suppression is not a SARIF suppression');
    assert.match(readFileSync(join(t.root, 'out.xml'), 'utf8'), /suppression expired on 2020-01-31 \(sandbox until Q1/);
    // Without an expired suppression the option changes nothing.
    const none = makeTree({ 'main.tf': notebookTf('nb', [`# cloudconform:skip=SageMaker-004 expires=${FUTURE} sandbox`]) });
    try {
      assert.equal(runCli(['scan', '.', '--fail-on-expired'], none.root).code, 0);
    } finally {
      none.cleanup();
    }
  } finally {
    t.cleanup();
  }
});

test('live audits: an expired tag exception is reported on the finding it matched, a live one still suppresses', async () => {
  const { RuleRunner } = await import('../src/engine/evaluate');
  const { ALL_RULES } = await import('../src/rules/index');
  const { liveLocation } = await import('../src/model/location');
  const exceptions = parseConfig({
    exceptions: [
      { rules: ['SageMaker-004'], tags: { team: 'sandbox' }, reason: 'sandbox until the VPC move', expires: PAST },
      { rules: ['CKV_AWS_122'], tags: { team: 'lab' }, reason: 'lab account', expires: FUTURE },
    ],
  }).exceptions;
  const runner = new RuleRunner(ALL_RULES, new ExceptionMatcher(exceptions), Date.parse('2026-01-01T00:00:00Z'));
  const location = liveLocation('111122223333', 'eu-west-1');
  const notebook = (name: string, team: string): SourceResource => ({
    type: 'AWS::SageMaker::NotebookInstance',
    id: `arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/${name}`,
    source: 'aws',
    location,
    details: { name },
    readProperty: (property: string): RawAttribute =>
      property === 'DirectInternetAccess'
        ? { state: 'set', value: 'Enabled', location }
        : property === 'Tags'
          ? { state: 'set', value: [{ Key: 'team', Value: team }], location }
          : { state: 'absent' },
  });
  const findings: Json[] = [];
  runner.evaluate(notebook('sandbox-1', 'sandbox'), findings, []);
  runner.evaluate(notebook('lab-1', 'lab'), findings, []);
  const [sandbox, lab] = findings;
  assert.equal(sandbox.suppressed, false);
  assert.deepEqual(sandbox.expiredSuppression, { reason: 'sandbox until the VPC move', source: 'config', expires: PAST });
  assert.equal(lab.suppressed, true);
  assert.deepEqual(lab.suppression, { reason: 'lab account', source: 'config', expires: FUTURE });
  assert.deepEqual([...runner.matched].sort(), [0, 1]);
});
