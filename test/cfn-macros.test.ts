// CloudFormation macros (Fn::Transform, a Transform section naming a macro, AWS::Include) rewrite
// what they are handed at deploy time: a compliant-looking notebook they touch is unknown, never a pass.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

const NOTEBOOK = `    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Disabled
      SubnetId: subnet-0123456789abcdef0
`;

async function verdicts(text: string): Promise<{ id: string; result: string; message: string }[]> {
  const t = makeTree({ 't.yaml': text });
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.deepEqual(report.errors, []);
    return report.findings.map((f) => ({ id: f.resource.id, result: f.result, message: f.message }));
  } finally {
    t.cleanup();
  }
}

async function verdictOf(text: string, id = 'Nb'): Promise<{ result: string; message: string }> {
  const found = (await verdicts(text)).find((f) => f.id === id);
  assert.ok(found, `a finding for ${id}`);
  return found;
}

describe('CloudFormation macros', () => {
  test('control: the same notebook without a macro passes', async () => {
    assert.equal((await verdictOf(`Resources:\n  Nb:\n${NOTEBOOK}`)).result, 'pass');
  });

  test('Fn::Transform beside the properties is handed all of them: unknown, naming the macro', async () => {
    const v = await verdictOf(`Resources:\n  Nb:\n${NOTEBOOK}      Fn::Transform:\n        Name: OpenItUp\n`);
    assert.equal(v.result, 'unknown');
    assert.match(v.message, /"OpenItUp"/);
  });

  test('Fn::Transform on the resource rewrites the whole resource', async () => {
    const v = await verdictOf(`Resources:\n  Nb:\n    Fn::Transform: { Name: AWS::Include, Parameters: { Location: s3://b/k } }\n${NOTEBOOK}`);
    assert.equal(v.result, 'unknown');
    assert.match(v.message, /"AWS::Include"/);
  });

  test('a Transform section naming a macro receives the whole template', async () => {
    for (const transform of ['OpenItUp', '[AWS::Serverless-2016-10-31, OpenItUp]', '{ Name: AWS::Include, Parameters: { Location: s3://b/k } }']) {
      const v = await verdictOf(`Transform: ${transform}\nResources:\n  Nb:\n${NOTEBOOK}`);
      assert.equal(v.result, 'unknown', transform);
      assert.match(v.message, /"(OpenItUp|AWS::Include)"/);
    }
  });

  test('the transforms cloudconform evaluates keep the verdict', async () => {
    for (const transform of ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions', '[AWS::LanguageExtensions, AWS::Serverless-2016-10-31]']) {
      assert.equal((await verdictOf(`Transform: ${transform}\nResources:\n  Nb:\n${NOTEBOOK}`)).result, 'pass', transform);
    }
  });

  test('Fn::Transform in the Resources section may rewrite every resource', async () => {
    const v = await verdictOf(`Resources:\n  Fn::Transform: { Name: AWS::Include, Parameters: { Location: s3://b/k } }\n  Nb:\n${NOTEBOOK}`);
    assert.equal(v.result, 'unknown');
    assert.match(v.message, /"AWS::Include"/);
  });

  test('Fn::Transform inside another property value affects only that level', async () => {
    const text = `Resources:\n  Nb:\n${NOTEBOOK}      Tags:\n        - Key: a\n          Value: b\n          Fn::Transform: { Name: TagMacro }\n`;
    assert.equal((await verdictOf(text)).result, 'pass');
  });

  test('Fn::Transform beside the keys of a rule property value makes it unknown', async () => {
    const text = `Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: Disabled
      SubnetId:
        Ref: AWS::NoValue
        Fn::Transform: { Name: SubnetMacro }
`;
    const v = await verdictOf(text);
    assert.equal(v.result, 'unknown');
    assert.match(v.message, /"SubnetMacro"/);
  });

  test('a macro in Mappings or Conditions makes what reads them unknown', async () => {
    const mapped = `Mappings:
  Fn::Transform: { Name: AWS::Include, Parameters: { Location: s3://b/maps.yaml } }
  Net: { Access: { Value: Disabled } }
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !FindInMap [Net, Access, Value]
      SubnetId: subnet-0123456789abcdef0
`;
    const m = await verdictOf(mapped);
    assert.equal(m.result, 'unknown');
    assert.match(m.message, /"AWS::Include"/);
    const conditioned = `Conditions:
  Closed:
    Fn::Equals: [a, a]
    Fn::Transform: { Name: CondMacro }
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !If [Closed, Disabled, Enabled]
      SubnetId: subnet-0123456789abcdef0
`;
    const c = await verdictOf(conditioned);
    assert.equal(c.result, 'unknown');
  });

  test('what a macro may add is noted: a Transform section, or Fn::Transform on a resource of another type', async () => {
    const t = makeTree({
      'section.yaml': 'Transform: AddNotebooks\nResources:\n  Bucket: { Type: AWS::S3::Bucket }\n',
      'resource.yaml': 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Fn::Transform: { Name: MakeNotebook }\n',
      'included.yaml': 'Resources:\n  Included:\n    Fn::Transform: { Name: AWS::Include, Parameters: { Location: s3://b/nb.yaml } }\n',
    });
    try {
      const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
      const notes = (report.notes ?? []).map((n) => n.message).join('\n');
      assert.match(notes, /"AddNotebooks".*not checked/);
      assert.match(notes, /Bucket .*"MakeNotebook".*not checked/);
      assert.match(notes, /Included is written by macro "AWS::Include".*not checked/);
      assert.deepEqual(report.errors, [], 'a resource written by AWS::Include is no error');
    } finally {
      t.cleanup();
    }
  });

  test('a macro name is quoted and escaped in the message', async () => {
    const v = await verdictOf(`Transform: "Evil\\u001b[31m\\nName"\nResources:\n  Nb:\n${NOTEBOOK}`);
    assert.equal(v.result, 'unknown');
    assert.ok(!v.message.includes('\u001b') && !v.message.includes('\n'), v.message);
    assert.match(v.message, /"Evil\\u001b\[31m\\nName"/);
  });

  test('CLI: a template whose Transform names a macro does not pass (exit 0 only with no failures, unknown shown)', () => {
    const t = makeTree({ 't.yaml': `Transform: OpenItUp\nResources:\n  Nb:\n${NOTEBOOK}` });
    try {
      const r = spawnSync(process.execPath, [CLI, 'scan', join(t.root, 't.yaml'), '--format', 'json'], { encoding: 'utf8' });
      const report = JSON.parse(r.stdout);
      assert.equal(report.summary.pass, 0);
      assert.equal(report.summary.unknown, 1);
      assert.match(report.findings[0].message, /"OpenItUp"/);
    } finally {
      t.cleanup();
    }
  });
});
