import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudFormationSource } from './index';

const TEMPLATES: Record<string, string> = {
  'YAML with AWSTemplateFormatVersion': `AWSTemplateFormatVersion: "2010-09-09"
Description: a bucket
Resources:
  Bucket:
    Type: AWS::S3::Bucket
`,
  'YAML without AWSTemplateFormatVersion': `# comment first
---
Parameters:
  Env: { Type: String }
Resources:
  Topic:
    Type: 'AWS::SNS::Topic'
`,
  'YAML with only AWSTemplateFormatVersion and Outputs before Resources': `AWSTemplateFormatVersion: 2010-09-09
Outputs: {}
`,
  SAM: `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Timeout: 3 }
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello_world/
      Handler: app.lambda_handler
`,
  'SAM without version': `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: { StageName: prod }
`,
  'Custom resources only': `Resources:
  Thing:
    Type: Custom::Thing
    Properties: { ServiceToken: arn:aws:lambda:eu-west-1:1:function:x }
`,
  'YAML flow style': `{Resources: {Nb: {Type: AWS::SageMaker::NotebookInstance}}}`,
  'CDK-synthesized JSON': JSON.stringify(
    {
      Resources: {
        NotebookA1B2C3: {
          Type: 'AWS::SageMaker::NotebookInstance',
          Properties: { InstanceType: 'ml.t3.medium', RoleArn: { 'Fn::GetAtt': ['RoleABC', 'Arn'] } },
          Metadata: { 'aws:cdk:path': 'MyStack/Notebook' },
        },
        CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:H4sI' }, Metadata: { 'aws:cdk:path': 'MyStack/CDKMetadata/Default' } },
      },
      Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
      Rules: { CheckBootstrapVersion: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1', '2'], { Ref: 'BootstrapVersion' }] }] } }] } },
    },
    null,
    1,
  ),
  'minified JSON': '{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"B":{"Type":"AWS::S3::Bucket"}}}',
  'JSON without version': '{\n  "Resources": {\n    "Q": { "Type": "AWS::SQS::Queue" }\n  }\n}',
  'YAML with a BOM and CRLF': '\ufeffAWSTemplateFormatVersion: "2010-09-09"\r\nResources:\r\n  B:\r\n    Type: AWS::S3::Bucket\r\n',
  'JSON with a BOM': '\ufeff{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}',
};

const OTHERS: Record<string, string> = {
  'Kubernetes Deployment': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
          resources:
            limits: { cpu: 500m }
`,
  'Kubernetes CRD embedding a CloudFormation-like body': `apiVersion: v1
kind: ConfigMap
data:
  template.yaml: |
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
`,
  'GitHub workflow': `name: deploy
on: [push]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: |
          cat > t.yaml <<EOF
          Resources:
            B:
              Type: AWS::S3::Bucket
          EOF
`,
  'docker-compose': `services:
  web:
    image: nginx
    deploy:
      resources:
        limits: { cpus: '0.5' }
`,
  'serverless.yml (resources nested under lowercase resources)': `service: app
provider: { name: aws }
resources:
  Resources:
    Bucket:
      Type: AWS::S3::Bucket
`,
  'package.json': JSON.stringify({ name: 'x', version: '1.0.0', scripts: { build: 'tsc' }, dependencies: { 'aws-cdk-lib': '^2' } }, null, 2),
  'Terraform plan JSON with an embedded template': JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.0',
    resource_changes: [
      {
        address: 'aws_cloudformation_stack.s',
        type: 'aws_cloudformation_stack',
        change: { after: { template_body: '{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}' } },
      },
    ],
  }),
  'Terraform plan with the template as an object': JSON.stringify({
    format_version: '1.2',
    planned_values: { root_module: { resources: [{ values: { Resources: { B: { Type: 'AWS::S3::Bucket' } } } }] } },
  }),
  'Terraform JSON configuration': JSON.stringify({ resource: { aws_s3_bucket: { b: { bucket: 'x' } } } }),
  'OpenAPI document': `openapi: 3.0.0
info: { title: api, version: '1' }
paths: {}
`,
  'tsconfig.json': '{ "compilerOptions": { "strict": true } }',
  empty: '',
  'a YAML list': '- Resources: 1\n',
  'binary garbage': '\u0000\u0001\u0002PK\u0003\u0004Resources',
};

for (const [name, text] of Object.entries(TEMPLATES)) {
  test(`detects ${name}`, () => {
    assert.equal(cloudFormationSource.detect(text, 'whatever.txt'), true);
  });
}

for (const [name, text] of Object.entries(OTHERS)) {
  test(`does not detect ${name}`, () => {
    assert.equal(cloudFormationSource.detect(text, 'template.yaml'), false);
  });
}

test('detection is by content, not by file name', () => {
  const text = TEMPLATES['minified JSON']!;
  for (const path of ['x.template.json', 'cdk.out/Stack.template.json', 'notes.txt', 'Dockerfile']) {
    assert.equal(cloudFormationSource.detect(text, path), true);
  }
});

test('detection is cheap on large files', () => {
  const big = 'key: value\n'.repeat(200_000) + 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n';
  const start = performance.now();
  for (let i = 0; i < 10; i++) assert.equal(cloudFormationSource.detect(big, 'big.yaml'), true);
  assert.ok(performance.now() - start < 500, 'ten 2 MB detections within 0.5 s');
});

// Red-team review: valid templates a text prefilter missed were skipped silently (0 files, exit 0).
// Each must be detected; the rule checks they are read as intended (test/cfn-detect-evasion.test.ts).
const EVASIONS: Record<string, string> = {
  'JSON with a "format_version" key in Metadata':
    '{"AWSTemplateFormatVersion":"2010-09-09","Metadata":{"format_version":"1"},"Resources":{"Nb":{"Type":"AWS::SageMaker::NotebookInstance","Properties":{"InstanceType":"ml.t3.medium","RoleArn":"arn:aws:iam::123456789012:role/x"}}}}',
  'JSON with the Resources key and the Type written with \\u escapes':
    '{"\\u0052esources": {"Nb": {"Type": "AWS::SageMaker::Notebook\\u0049nstance", "Properties": {"InstanceType": "ml.t3.medium"}}}}',
  'JSON with every Type written with escapes':
    '{"Resources": {"Nb": {"Type": "\\u0041WS::SageMaker::NotebookInstance"}}}',
  'YAML indented by two spaces as a whole': `  Resources:
    Nb:
      Type: AWS::SageMaker::NotebookInstance
      Properties:
        InstanceType: ml.t3.medium
`,
  'YAML with an escaped top-level key': `"Resourc\\x65s":
  Nb:
    Type: AWS::SageMaker::NotebookInstance
`,
  'YAML with a key continued by an escaped line break': `"Resour\\
  ces":
  Nb:
    Type: AWS::SageMaker::NotebookInstance
`,
  "YAML with a single-quoted key": `'Resources':
  Nb:
    Type: AWS::SageMaker::NotebookInstance
`,
  'YAML flow style with an escaped type': `{Resources: {Nb: {Type: "\\x41WS::SageMaker::NotebookInstance"}}}`,
  'YAML with %YAML directive, document marker and comments': `%YAML 1.1
# a comment
---
# another
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
`,
  'YAML with the type as a block scalar': `Resources:
  Nb:
    Type: >-
      AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
`,
  'YAML with the Resources key as an explicit key': `? Resources
: Nb:
    Type: AWS::SageMaker::NotebookInstance
`,
};

for (const [name, text] of Object.entries(EVASIONS)) {
  test(`detects a template a text check misses: ${name}`, () => {
    assert.equal(cloudFormationSource.detect(text, 't.yaml'), true);
  });
}

test('a Terraform plan is not taken for a template, nor a template with plan-like Metadata for a plan', async () => {
  const { terraformPlanSource } = await import('../terraform/plan');
  const template = JSON.stringify({
    Metadata: { format_version: '1.2', terraform_version: '1.9.0', planned_values: {}, resource_changes: [] },
    Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance' } },
  });
  assert.equal(terraformPlanSource.detect(template, 't.json'), false);
  assert.equal(cloudFormationSource.detect(template, 't.json'), true);
  const plan = JSON.stringify({ format_version: '1.2', terraform_version: '1.9.0', resource_changes: [], Resources: {} });
  assert.equal(terraformPlanSource.detect(plan, 'plan.json'), true);
});
