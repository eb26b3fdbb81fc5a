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

describe('SubnetId present, its value given at deploy time', () => {
  const notebook = (id: string, subnet: string) => `  ${id}:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Disabled
      SubnetId: ${subnet}
`;
  const template = `Parameters:
  SubnetParam: { Type: String }
  SubnetChoice: { Type: String, AllowedValues: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb] }
  SubnetList: { Type: 'List<AWS::EC2::Subnet::Id>' }
  SubnetNames: { Type: CommaDelimitedList }
  EmptyDefault: { Type: String, Default: '' }
  EmptyAllowed: { Type: String, AllowedValues: ['', subnet-0aaaaaaaaaaaaaaaa] }
  Flag: { Type: String }
Conditions:
  Placed: !Equals [!Ref Flag, 'yes']
Resources:
${notebook('RequiredString', '!Ref SubnetParam')}${notebook('Choice', '!Ref SubnetChoice')}${notebook('SelectFromList', '!Select [0, !Ref SubnetList]')}${notebook('SelectFromNames', '!Select [1, !Ref SubnetNames]')}${notebook('SubOfParam', "!Sub '${SubnetParam}'")}${notebook('JoinOfList', "!Join [',', !Ref SubnetList]")}${notebook('EmptyDefault', '!Ref EmptyDefault')}${notebook('MaybeNoValue', '!If [Placed, !Ref SubnetParam, !Ref AWS::NoValue]')}${notebook('EmptyAllowed', '!Ref EmptyAllowed')}${notebook('Imported', '!ImportValue shared-subnet')}`;

  test('a required String parameter or an element of a subnet list parameter is a pass', async () => {
    const findings = await findingsOf(template);
    for (const id of ['RequiredString', 'Choice', 'SelectFromList', 'SelectFromNames', 'SubOfParam', 'JoinOfList', 'EmptyAllowed']) {
      assert.equal(findings.get(id)?.result, 'pass', `${id}: ${findings.get(id)?.message}`);
    }
  });

  test('absent or possibly absent stays fail or unknown', async () => {
    const findings = await findingsOf(template);
    assert.equal(findings.get('EmptyDefault')?.result, 'fail');
    assert.equal(findings.get('MaybeNoValue')?.result, 'unknown');
    assert.equal(findings.get('Imported')?.result, 'unknown');
  });

  test('the value stays unknown where it decides something else (conditions, enum properties)', async () => {
    const text = `Parameters:
  Mode: { Type: String }
Conditions:
  Open: !Equals [!Ref Mode, open]
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !If [Open, Enabled, Disabled]
      SubnetId: subnet-0123456789abcdef0
  Nb2:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !Ref Mode
      SubnetId: subnet-0123456789abcdef0
`;
    const findings = await findingsOf(text);
    assert.equal(findings.get('Nb')?.result, 'unknown');
    assert.equal(findings.get('Nb2')?.result, 'unknown');
  });

  test('CLI: a notebook placed in a subnet chosen at deploy time passes (exit 0)', () => {
    const t = makeTree({ 't.yaml': `Parameters:\n  SubnetList: { Type: 'List<AWS::EC2::Subnet::Id>' }\nResources:\n${notebook('Nb', '!Select [0, !Ref SubnetList]')}` });
    try {
      const r = spawnSync(process.execPath, [CLI, 'scan', join(t.root, 't.yaml'), '--format', 'json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(JSON.parse(r.stdout).summary.pass, 1);
    } finally {
      t.cleanup();
    }
  });
});
