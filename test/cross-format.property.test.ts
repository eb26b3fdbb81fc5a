// The same notebook written as CloudFormation YAML, CloudFormation JSON, Terraform HCL,
// Terraform JSON and a Terraform plan must get the same verdict from every source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

interface NotebookSpec {
  access?: string;
  subnet?: string;
  instanceType: string;
}

const specArb: fc.Arbitrary<NotebookSpec> = fc.record(
  {
    access: fc.constantFrom('Enabled', 'Disabled', 'disabled', 'ENABLED', 'Off', ''),
    subnet: fc.constantFrom('subnet-0123456789abcdef0', 'subnet-1', ''),
    instanceType: fc.constantFrom('ml.t3.medium', 'ml.m5.xlarge'),
  },
  { requiredKeys: ['instanceType'] },
);

/** What AWS would do, written independently of the rule's code. */
function expectedVerdict(spec: NotebookSpec): string {
  return spec.access === 'Disabled' && spec.subnet ? 'pass' : 'fail';
}

function cfnProperties(spec: NotebookSpec): Record<string, string> {
  const props: Record<string, string> = { InstanceType: spec.instanceType, RoleArn: 'arn:aws:iam::111122223333:role/nb' };
  if (spec.subnet !== undefined) props.SubnetId = spec.subnet;
  if (spec.access !== undefined) props.DirectInternetAccess = spec.access;
  return props;
}

function asYaml(spec: NotebookSpec): string {
  const props = Object.entries(cfnProperties(spec)).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`);
  return ['Resources:', '  Nb:', '    Type: AWS::SageMaker::NotebookInstance', '    Properties:', ...props, ''].join('\n');
}

function asJson(spec: NotebookSpec): string {
  return JSON.stringify({ Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: cfnProperties(spec) } } }, null, 2);
}

function tfAttributes(spec: NotebookSpec): Record<string, string> {
  const attrs: Record<string, string> = { name: 'nb', instance_type: spec.instanceType, role_arn: 'arn:aws:iam::111122223333:role/nb' };
  if (spec.subnet !== undefined) attrs.subnet_id = spec.subnet;
  if (spec.access !== undefined) attrs.direct_internet_access = spec.access;
  return attrs;
}

function asHcl(spec: NotebookSpec): string {
  const lines = Object.entries(tfAttributes(spec)).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
  return ['resource "aws_sagemaker_notebook_instance" "nb" {', ...lines, '}', ''].join('\n');
}

function asTfJson(spec: NotebookSpec): string {
  return JSON.stringify({ resource: { aws_sagemaker_notebook_instance: { nb: tfAttributes(spec) } } }, null, 2);
}

function asPlan(spec: NotebookSpec): string {
  const after = { subnet_id: null, direct_internet_access: 'Enabled', ...tfAttributes(spec) } as Record<string, unknown>;
  if (spec.subnet === '') after.subnet_id = null; // the provider plans "" as null for optional strings
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.5',
    resource_changes: [
      {
        address: 'aws_sagemaker_notebook_instance.nb',
        mode: 'managed',
        type: 'aws_sagemaker_notebook_instance',
        name: 'nb',
        change: { actions: ['create'], before: null, after, after_unknown: { id: true, arn: true } },
      },
    ],
  });
}

test('one notebook, five source formats, one verdict', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, async (spec) => {
      // The plan holds what the provider would send: its default when the attribute is absent.
      const t = makeTree({
        'cfn.yaml': asYaml(spec),
        'cfn.json': asJson(spec),
        'hcl/main.tf': asHcl(spec),
        'tfjson/main.tf.json': asTfJson(spec),
        'plan.json': asPlan(spec),
      });
      try {
        const report = await scan([t.root], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
        assert.deepEqual(report.errors, []);
        const verdicts = Object.fromEntries(report.findings.map((f) => [f.location.file.slice(t.root.length + 1), f.result]));
        const want = expectedVerdict(spec);
        assert.deepEqual(verdicts, {
          'cfn.yaml': want,
          'cfn.json': want,
          'hcl/main.tf': want,
          'tfjson/main.tf.json': want,
          'plan.json': want,
        });
      } finally {
        t.cleanup();
      }
    }),
    { numRuns: 60 },
  );
});
