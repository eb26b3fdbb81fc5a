// Values known only at deploy time: a present SubnetId whose value AWS checks is a pass; an enum
// property whose value comes from a resource attribute (a custom resource's, say) is unknown, not a failure.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

async function findingsOf(text: string): Promise<Map<string, { result: string; message: string }>> {
  const t = makeTree({ 't.yaml': text });
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.deepEqual(report.errors, []);
    return new Map(report.findings.map((f) => [f.resource.id, { result: f.result, message: f.message }]));
  } finally {
    t.cleanup();
  }
}

describe('AppNetworkAccessType / DirectInternetAccess from a value known only at deploy time', () => {
  const domain = (id: string, value: string) => `  ${id}:
    Type: AWS::SageMaker::Domain
    Properties:
      AuthMode: IAM
      AppNetworkAccessType: ${value}
`;
  const template = `Parameters:
  Suffix: { Type: String, Default: Only }
Resources:
  Custom: { Type: Custom::Settings, Properties: { ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:f } }
  CfnCustom: { Type: AWS::CloudFormation::CustomResource, Properties: { ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:f } }
  Bucket: { Type: AWS::S3::Bucket }
${domain('GetAttCustom', '!GetAtt Custom.Mode')}${domain('GetAttCfnCustom', '!GetAtt [CfnCustom, Mode]')}${domain('RefCustom', '!Ref Custom')}${domain('SubCustom', "!Sub '${Custom.Mode}'")}${domain('JoinCustom', "!Join ['', [!GetAtt Custom.Mode]]")}${domain('SelectCustom', '!Select [0, !GetAtt Custom.Modes]')}${domain('GetAttBucket', '!GetAtt Bucket.Arn')}${domain('SubPartly', "!Sub 'Vpc${Custom.Suffix}'")}${domain('Literal', 'Vpconly')}${domain('Public', 'PublicInternetOnly')}${domain('Built', "!Sub 'Vpc${Suffix}'")}  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !GetAtt Custom.Access
      SubnetId: subnet-0123456789abcdef0
`;

  test('a resource attribute, Ref or text built from one is unknown, not an invalid value', async () => {
    const findings = await findingsOf(template);
    for (const id of ['GetAttCustom', 'GetAttCfnCustom', 'RefCustom', 'SubCustom', 'JoinCustom', 'SelectCustom', 'GetAttBucket', 'SubPartly', 'Nb']) {
      const f = findings.get(id);
      assert.equal(f?.result, 'unknown', `${id}: ${f?.message}`);
      assert.match(f!.message, /deploy time/, id);
    }
  });

  test('controls: literals and text fully known offline keep their verdicts', async () => {
    const findings = await findingsOf(template);
    assert.equal(findings.get('Literal')?.result, 'fail');
    assert.equal(findings.get('Public')?.result, 'fail');
    assert.equal(findings.get('Built')?.result, 'pass');
  });

  test('CLI: a domain whose AppNetworkAccessType is a custom resource attribute is unknown (exit 0, shown)', () => {
    const t = makeTree({ 't.yaml': `Resources:\n  Custom: { Type: Custom::Settings }\n${domain('D', '!GetAtt Custom.Mode')}` });
    try {
      const r = spawnSync(process.execPath, [CLI, 'scan', join(t.root, 't.yaml')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /UNKNOWN/);
    } finally {
      t.cleanup();
    }
  });
});
