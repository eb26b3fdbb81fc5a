// One property contract across sources: `Resource.attribute('A.B')` reads inside the top-level
// property A the same way for CloudFormation, Terraform, plans and live resources, and nested
// values come back in CloudFormation's shape (blocks as objects, tags as [{ Key, Value }]).
// Each test here but the Terraform unknown-in-a-block one (a guard: Terraform got it right) failed
// before the contract was moved into the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isResourceReference, type Attribute } from '../src/model/attribute';
import { Resource, type SourceResource } from '../src/model/resource';
import { liveResource } from '../src/sources/aws/live-resource';
import { cloudFormationSource } from '../src/sources/cloudformation/index';
import { scanTerraformDirectories } from '../src/sources/terraform/index';
import { terraformPlanSource } from '../src/sources/terraform/plan';
import { makeTree } from './helpers/fixtures';

function only(resources: SourceResource[]): Resource {
  assert.equal(resources.length, 1);
  return new Resource(resources[0]!);
}

function cfnDomain(properties: string[]): Resource {
  const text = ['Resources:', '  D:', '    Type: AWS::SageMaker::Domain', '    Properties:', ...properties.map((l) => `      ${l}`), ''].join('\n');
  const result = cloudFormationSource.scanFile('t.yaml', text);
  assert.deepEqual(result.errors, []);
  return only(result.resources);
}

function tfResources(files: Record<string, string>): { resources: SourceResource[]; root: string; cleanup: () => void } {
  const t = makeTree(files);
  const result = scanTerraformDirectories([t.root]);
  assert.deepEqual(result.errors, []);
  return { resources: result.resources, root: t.root, cleanup: t.cleanup };
}

/** A plan of one domain, and the line of the first line of its text containing `needle`. */
function plan(after: Record<string, unknown>, afterUnknown: Record<string, unknown> = {}): Resource & { lineOf(needle: string): number } {
  const text = JSON.stringify(
    {
      format_version: '1.2',
      terraform_version: '1.9.5',
      resource_changes: [
        { address: 'aws_sagemaker_domain.d', mode: 'managed', type: 'aws_sagemaker_domain', name: 'd', change: { actions: ['create'], before: null, after, after_unknown: afterUnknown } },
      ],
    },
    null,
    2,
  );
  const result = terraformPlanSource.scanFile('plan.json', text);
  assert.deepEqual(result.errors, []);
  return Object.assign(only(result.resources), { lineOf: (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1 });
}

const LIVE_DOMAIN = { type: 'AWS::SageMaker::Domain', arn: 'arn:aws:sagemaker:eu-west-1:111122223333:domain/d-1', name: 'd', account: '111122223333', region: 'eu-west-1' };

const stateOf = (a: Attribute) => ({ state: a.state, ...(a.state === 'unknown' ? {} : { value: a.value }) });

test('CloudFormation: a dotted name reads the nested property, at its own line (it read as absent)', () => {
  const d = cfnDomain(['DefaultUserSettings:', '  ExecutionRole: arn:aws:iam::111122223333:role/r', '  SecurityGroups: [sg-1]']);
  const groups = d.attribute('DefaultUserSettings.SecurityGroups');
  assert.deepEqual(stateOf(groups), { state: 'set', value: ['sg-1'] });
  assert.deepEqual(groups.location, { file: 't.yaml', line: 7, column: 9 });
  assert.deepEqual(stateOf(d.attribute('DefaultUserSettings.Nothing')), { state: 'default', value: undefined });
});

test('CloudFormation: an intrinsic inside a nested mapping stays unknown through a dotted name, never absent', () => {
  const d = cfnDomain(['DefaultUserSettings:', '  SecurityGroups: !ImportValue shared-groups']);
  const groups = d.attribute('DefaultUserSettings.SecurityGroups');
  assert.equal(groups.state, 'unknown');
  assert.match(groups.state === 'unknown' ? groups.reason : '', /Fn::ImportValue 'shared-groups'/);
  assert.equal(groups.location.line, 6);
});

test("CloudFormation: deploy-time text inside a nested mapping is a value known at deploy time, not its '${...}' text taken for a literal", () => {
  const d = cfnDomain(['DomainSettings:', "  ExecutionRoleIdentityConfig: !Sub '${AWS::Region}'", 'DefaultUserSettings:', "  ExecutionRole: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/r'"]);
  const whole = d.attribute('DefaultUserSettings');
  assert.equal(whole.state, 'set');
  assert.ok(isResourceReference((whole as { value: Record<string, unknown> }).value.ExecutionRole), 'inside the whole value too');
  const role = d.attribute('DefaultUserSettings.ExecutionRole');
  assert.equal(role.state, 'set');
  assert.ok(isResourceReference(role.state === 'set' ? role.value : undefined));
});

test('CloudFormation: a dotted name through a reference (Fn::GetAtt of a custom resource) is unknown', () => {
  const d = cfnDomain(['DefaultUserSettings: !GetAtt Settings.Value']);
  const role = d.attribute('DefaultUserSettings.ExecutionRole');
  assert.equal(role.state, 'unknown');
});

test('live: a dotted name reads the describe output (it read as absent)', () => {
  const described = {
    DomainId: 'd-1',
    AppNetworkAccessType: 'VpcOnly',
    DefaultUserSettings: { ExecutionRole: 'arn:aws:iam::111122223333:role/r', SecurityGroups: ['sg-1'], SharingSettings: { NotebookOutputOption: 'Disabled' } },
    DomainSettings: { SecurityGroupIds: ['sg-2'] },
  };
  const d = new Resource(liveResource(LIVE_DOMAIN, described));
  assert.deepEqual(stateOf(d.attribute('DefaultUserSettings.SecurityGroups')), { state: 'set', value: ['sg-1'] });
  assert.deepEqual(stateOf(d.attribute('DefaultUserSettings.SharingSettings.NotebookOutputOption')), { state: 'set', value: 'Disabled' });
  assert.deepEqual(stateOf(d.attribute('DomainSettings.SecurityGroupIds')), { state: 'set', value: ['sg-2'] });
  assert.deepEqual(d.attribute('DomainSettings.SecurityGroupIds').location, { file: 'aws://111122223333/eu-west-1', line: 0 });
  assert.deepEqual(stateOf(d.attribute('DomainSettings.DockerSettings')), { state: 'default', value: undefined });
});

test('Terraform: a block reads as an object with CloudFormation names, tags as a Key/Value list (a list of snake_case objects, a map)', () => {
  const t = tfResources({
    'main.tf': [
      'resource "aws_sagemaker_domain" "d" {',
      '  domain_name = "d"',
      '  tags = { team = "ml", env = "prod" }',
      '  default_user_settings {',
      '    execution_role  = "arn:aws:iam::111122223333:role/r"',
      '    security_groups = ["sg-1"]',
      '    jupyter_server_app_settings {',
      '      default_resource_spec {',
      '        sagemaker_image_arn = "arn:aws:sagemaker:eu-west-1:1:image/i"',
      '      }',
      '    }',
      '    kernel_gateway_app_settings {',
      '      custom_image {',
      '        app_image_config_name = "c"',
      '        image_name            = "i"',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  });
  try {
    const d = only(t.resources);
    assert.deepEqual(stateOf(d.attribute('DefaultUserSettings')), {
      state: 'set',
      value: {
        ExecutionRole: 'arn:aws:iam::111122223333:role/r',
        SecurityGroups: ['sg-1'],
        JupyterServerAppSettings: { DefaultResourceSpec: { SageMakerImageArn: 'arn:aws:sagemaker:eu-west-1:1:image/i' } },
        KernelGatewayAppSettings: { CustomImages: [{ AppImageConfigName: 'c', ImageName: 'i' }] },
      },
    });
    assert.deepEqual(stateOf(d.attribute('Tags')), { state: 'set', value: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'ml' }] });
    const arn = d.attribute('DefaultUserSettings.JupyterServerAppSettings.DefaultResourceSpec.SageMakerImageArn');
    assert.deepEqual([arn.state, arn.location.line], ['set', 9]);
    assert.deepEqual(stateOf(d.attribute('DefaultUserSettings.KernelGatewayAppSettings.CustomImages.0.ImageName')), { state: 'set', value: 'i' });
  } finally {
    t.cleanup();
  }
});

test('Terraform: a nested block from an override file is located in that file', () => {
  const t = tfResources({
    'main.tf': 'resource "aws_sagemaker_domain" "d" {\n  domain_name = "d"\n  default_user_settings {\n    execution_role = "a"\n  }\n}\n',
    'override.tf': 'resource "aws_sagemaker_domain" "d" {\n  default_user_settings {\n    execution_role = "b"\n  }\n}\n',
  });
  try {
    const role = only(t.resources).attribute('DefaultUserSettings.ExecutionRole');
    assert.deepEqual(stateOf(role), { state: 'set', value: 'b' });
    assert.deepEqual(role.location, { file: join(t.root, 'override.tf'), line: 3 });
  } finally {
    t.cleanup();
  }
});

test('Terraform: an unknown inside a block stays unknown through a dotted name', () => {
  const t = tfResources({
    'main.tf': [
      'variable "groups" {}',
      'resource "aws_sagemaker_domain" "d" {',
      '  domain_name             = "d"',
      '  app_network_access_type = "VpcOnly"',
      '  default_user_settings {',
      '    security_groups = var.groups',
      '  }',
      '}',
      '',
    ].join('\n'),
  });
  try {
    const d = only(t.resources);
    const groups = d.attribute('DefaultUserSettings.SecurityGroups');
    assert.deepEqual([groups.state, groups.location.line], ['unknown', 6]);
  } finally {
    t.cleanup();
  }
});

test('plan: blocks (lists of one) read as objects; an absent block ([]) is absent; an unknown nested value is unknown at its after_unknown entry', () => {
  const d = plan(
    { domain_name: 'd', app_network_access_type: 'VpcOnly', default_user_settings: [{ execution_role: 'r', security_groups: null, sharing_settings: [] }], domain_settings: [], tags: { team: 'ml' } },
    { default_user_settings: [{ security_groups: true }] },
  );
  assert.deepEqual(stateOf(d.attribute('DomainSettings')), { state: 'default', value: undefined });
  const whole = d.attribute('DefaultUserSettings');
  assert.equal(whole.state, 'set');
  const value = (whole as { value: Record<string, unknown> }).value;
  assert.deepEqual(Object.keys(value).sort(), ['ExecutionRole', 'SecurityGroups']);
  assert.equal(value.ExecutionRole, 'r');
  assert.deepEqual(stateOf(d.attribute('DefaultUserSettings.SharingSettings')), { state: 'default', value: undefined });
  const groups = d.attribute('DefaultUserSettings.SecurityGroups');
  assert.deepEqual([groups.state, groups.location.line], ['unknown', d.lineOf('"security_groups": true')]);
  assert.deepEqual(stateOf(d.attribute('Tags')), { state: 'set', value: [{ Key: 'team', Value: 'ml' }] });
});

test('plan: an unknown top-level property is located at its after_unknown entry, not at "after"', () => {
  const d = plan({ domain_name: 'd' }, { app_network_access_type: true });
  const access = d.attribute('AppNetworkAccessType');
  assert.equal(access.state, 'unknown');
  assert.equal(access.location.line, d.lineOf('"app_network_access_type": true'));
});

test('awscc: nested attributes (objects, named as the snake_case of CloudFormation) and tags ({ key, value } list) read in CloudFormation shape', () => {
  const t = tfResources({
    'main.tf': [
      'resource "awscc_sagemaker_domain" "d" {',
      '  domain_name = "d"',
      '  default_user_settings = {',
      '    execution_role  = "r"',
      '    security_groups = ["sg-1"]',
      '  }',
      '  tags = [{ key = "team", value = "ml" }]',
      '}',
      '',
    ].join('\n'),
  });
  try {
    const d = only(t.resources);
    assert.deepEqual(stateOf(d.attribute('DefaultUserSettings')), { state: 'set', value: { ExecutionRole: 'r', SecurityGroups: ['sg-1'] } });
    const groups = d.attribute('DefaultUserSettings.SecurityGroups');
    assert.deepEqual([stateOf(groups), groups.location.line], [{ state: 'set', value: ['sg-1'] }, 5]);
    assert.deepEqual(stateOf(d.attribute('Tags')), { state: 'set', value: [{ Key: 'team', Value: 'ml' }] });
  } finally {
    t.cleanup();
  }
});

test('attack: dotted names naming prototype members, list methods or bad indexes read nothing, in every source', () => {
  const sources: [string, Resource][] = [
    ['cloudformation', cfnDomain(['DefaultUserSettings: { SecurityGroups: [sg-1] }', 'Tags: [{ Key: k, Value: v }]'])],
    ['plan', plan({ domain_name: 'd', default_user_settings: [{ security_groups: ['sg-1'] }], tags: { k: 'v' } })],
    ['live', new Resource(liveResource(LIVE_DOMAIN, { DefaultUserSettings: { SecurityGroups: ['sg-1'] } }, { state: 'read', tags: [{ Key: 'k', Value: 'v' }] }))],
  ];
  for (const [source, d] of sources) {
    for (const name of ['DefaultUserSettings.__proto__', 'DefaultUserSettings.constructor', 'DefaultUserSettings.toString', 'DefaultUserSettings.SecurityGroups.length', 'DefaultUserSettings.SecurityGroups.01', 'DefaultUserSettings.SecurityGroups.1', 'DefaultUserSettings.SecurityGroups.-1', 'Tags.0.Key.length', 'Tags.constructor', '__proto__.x']) {
      assert.deepEqual(stateOf(d.attribute(name)), { state: 'default', value: undefined }, `${source}: ${name}`);
    }
    assert.deepEqual(stateOf(d.attribute('DefaultUserSettings.SecurityGroups.0')), { state: 'set', value: 'sg-1' }, source);
    assert.deepEqual(stateOf(d.attribute('Tags.0.Key')), { state: 'set', value: 'k' }, source);
  }
});
