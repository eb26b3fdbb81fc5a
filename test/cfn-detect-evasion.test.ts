// Red-team review: valid CloudFormation templates that a text prefilter missed were skipped
// silently (0 files scanned, exit 0), a false pass of the CI gate. Detection now decides on the
// parsed top level whenever the quick text check does not accept. Non-templates stay silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const ROLE = 'arn:aws:iam::123456789012:role/x';

/** Templates CloudFormation deploys as a notebook with DirectInternetAccess unset (AWS's default: Enabled). */
const EVASIONS: Record<string, string> = {
  'metadata.json': `{"AWSTemplateFormatVersion":"2010-09-09","Metadata":{"format_version":"1"},"Resources":{"Nb":{"Type":"AWS::SageMaker::NotebookInstance","Properties":{"InstanceType":"ml.t3.medium","RoleArn":"${ROLE}"}}}}`,
  'escaped.json': `{"\\u0052esources": {"Nb": {"Type": "AWS::SageMaker::Notebook\\u0049nstance", "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": "${ROLE}"}}}}`,
  'indented.yaml': `  Resources:
    Nb:
      Type: AWS::SageMaker::NotebookInstance
      Properties:
        InstanceType: ml.t3.medium
        RoleArn: ${ROLE}
`,
  'escaped-key.yaml': `"Resourc\\x65s":
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties: { InstanceType: ml.t3.medium, RoleArn: "${ROLE}" }
`,
  'quoted-key.yml': `'Resources':
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties: { InstanceType: ml.t3.medium, RoleArn: "${ROLE}" }
`,
  'flow.template': `{Resources: {Nb: {Type: "\\x41WS::SageMaker::NotebookInstance", Properties: {InstanceType: ml.t3.medium, RoleArn: "${ROLE}"}}}}`,
  'directive.yaml': `%YAML 1.1
# comment
---
# another comment
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties: { InstanceType: ml.t3.medium, RoleArn: "${ROLE}" }
`,
  'block-type.yaml': `Resources:
  Nb:
    Type: >-
      AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: ${ROLE}
`,
  'plan-like-metadata.json': JSON.stringify({
    Metadata: { format_version: '1.2', terraform_version: '1.9.0', planned_values: {}, resource_changes: [] },
    Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', RoleArn: ROLE } } },
  }),
};

test('templates written to slip past a text check are scanned (one failing notebook each)', async () => {
  const t = makeTree(EVASIONS);
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.deepEqual(report.errors, []);
    assert.equal(report.summary.filesScanned, Object.keys(EVASIONS).length);
    const failing = report.findings.filter((f) => f.ruleId === 'SageMaker-004' && f.result === 'fail').map((f) => f.location?.file ?? '');
    for (const name of Object.keys(EVASIONS)) assert.ok(failing.some((file) => file.endsWith(name)), `${name} has a failing notebook`);
  } finally {
    t.cleanup();
  }
});

test('CLI: an escaped-key template is scanned and fails the gate (exit 1, not 0 with 0 files)', () => {
  const t = makeTree({ 'stack.json': EVASIONS['escaped.json']!, 'stack.yaml': EVASIONS['indented.yaml']! });
  try {
    const run = spawnSync(process.execPath, [CLI, 'scan', t.root, '--format', 'json'], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.summary.filesScanned, 2);
    assert.equal(report.summary.fail, 2);
  } finally {
    t.cleanup();
  }
});

test('a YAML file that does not parse and names AWS:: types is reported, not skipped', async () => {
  const t = makeTree({
    'broken.yaml': '  Resources:\n    Nb:\n      Type: AWS::SageMaker::NotebookInstance\n     Properties: [\n',
    'escaped-broken.yml': '"Resourc\\x65s":\n  Nb: { Type: AWS::SageMaker::NotebookInstance\n',
    'broken-other.yaml': 'Resources: [\n  - x: 1\n', // no AWS:: text: could be any YAML, stays silent
    // A Makefile naming an AWS type, with a line continuation (so it is parsed), is not YAML: silent.
    Makefile: `list:\n\taws cloudformation describe-stack-resources --query "StackResources[?ResourceType=='AWS::SageMaker::NotebookInstance']" \\\n\t  --output text\n`,
  });
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    const files = report.errors.map((e) => e.file.replace(/.*[\\/]/, '')).sort();
    assert.deepEqual(files, ['broken.yaml', 'escaped-broken.yml']);
    for (const error of report.errors) assert.match(error.message, /YAML syntax error/);
  } finally {
    t.cleanup();
  }
});

/** Everyday YAML and JSON of a repository, several written so the quick check can't reject them. */
function nonTemplates(copies: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < copies; i++) {
    files[`k8s/deploy-${i}.yaml`] = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web-${i}, labels: { app: web } }
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          args: ["--pattern", "^\\\\d+$"]
          resources: { limits: { cpu: 500m, memory: 256Mi } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg-${i} }
data:
  template.yaml: |
    Resources:
      Bucket: { Type: AWS::S3::Bucket }
---
`.repeat(4);
    files[`.github/workflows/ci-${i}.yml`] = `name: ci
on: { push: { branches: [main] } }
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          npm ci && \\
            npm test -- --reporter "spec" \\
            --grep "Resources"
      - run: aws cloudformation deploy --template-file t.yaml --stack-name s-${i}
`;
    files[`pkg-${i}/package.json`] = JSON.stringify(
      { name: `pkg-${i}`, version: '1.0.0', scripts: { lint: 'eslint "src/**/*.ts"', test: 'node -e "console.log(\\"Resources\\")"' }, dependencies: { 'aws-cdk-lib': '^2' } },
      null,
      2,
    );
    files[`svc-${i}/docker-compose.yml`] = `services:
  web:
    image: nginx
    command: ["sh", "-c", "echo \\"ready\\" && nginx -g 'daemon off;'"]
    deploy: { resources: { limits: { cpus: '0.5' } } }
`;
    files[`api-${i}/openapi.yaml`] = `openapi: 3.0.0
info: { title: api, version: '1' }
paths:
  /resources/{id}:
    get:
      parameters: [{ name: id, in: path, schema: { type: string, pattern: "^[a-z]\\\\w+$" } }]
      responses: { '200': { description: Resources } }
components:
  schemas:
    Resources: { type: object, properties: { Type: { type: string, example: "AWS::S3::Bucket" } } }
`;
    files[`notes-${i}.txt`] = 'Resources: see the wiki\\n for AWS::S3::Bucket naming rules.\n';
  }
  return files;
}

test('everyday YAML and JSON stay silent, and parsing them to be sure is cheap', async (t) => {
  const copies = 50;
  const tree = makeTree(nonTemplates(copies));
  try {
    const start = performance.now();
    const report = await scan([tree.root], { config: emptyConfig(), jobs: 1 });
    const ms = performance.now() - start;
    assert.deepEqual(report.errors, []);
    assert.equal(report.summary.filesScanned, 0);
    assert.equal(report.summary.resources, 0);
    t.diagnostic(`${copies * 6} non-template files scanned in ${ms.toFixed(0)} ms`);
    // Measured: about 0.1 ms a file on an idle machine; the bound leaves room for a loaded one.
    assert.ok(ms < 5000, `${ms} ms`);
  } finally {
    tree.cleanup();
  }
});
