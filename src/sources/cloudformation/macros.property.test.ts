// Property: a macro added anywhere it can rewrite a notebook's properties never leaves a verdict
// standing (pass or fail: both become unknown, naming the macro); one added elsewhere changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { Resource } from '../../model/resource';
import { rule } from '../../rules/sagemaker-004/rule';
import { scanTemplate } from './index';
import { quoteName } from './macros';

type Where = 'Transform' | 'TransformList' | 'root' | 'Resources' | 'resource' | 'Properties' | 'SubnetValue' | 'Tags';

function template(access: string | undefined, subnet: boolean, macro?: { where: Where; name: string }): Record<string, unknown> {
  const call = macro && { Name: macro.name, Parameters: { Location: 's3://bucket/key' } };
  const properties: Record<string, unknown> = { InstanceType: 'ml.t3.medium', Tags: [{ Key: 'team', Value: 'ml' }] };
  if (access) properties.DirectInternetAccess = access;
  if (subnet) properties.SubnetId = 'subnet-0123456789abcdef0';
  const notebook: Record<string, unknown> = { Type: 'AWS::SageMaker::NotebookInstance', Properties: properties };
  const resources: Record<string, unknown> = { Nb: notebook };
  const root: Record<string, unknown> = { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
  switch (macro?.where) {
    case 'Transform':
      root.Transform = macro.name;
      break;
    case 'TransformList':
      root.Transform = ['AWS::LanguageExtensions', call];
      break;
    case 'root':
      root['Fn::Transform'] = call;
      break;
    case 'Resources':
      resources['Fn::Transform'] = call;
      break;
    case 'resource':
      notebook['Fn::Transform'] = call;
      break;
    case 'Properties':
      properties['Fn::Transform'] = call;
      break;
    case 'SubnetValue':
      properties.SubnetId = { Ref: 'AWS::NoValue', 'Fn::Transform': call };
      break;
    case 'Tags':
      (properties.Tags as Record<string, unknown>[])[0]!['Fn::Transform'] = call;
      break;
  }
  return root;
}

function verdict(root: Record<string, unknown>, format: 'json' | 'yaml'): { result: string; message: string } {
  const text = format === 'json' ? JSON.stringify(root, null, 2) : yaml.dump(root, { noRefs: true });
  const scanned = scanTemplate(`t.${format}`, text);
  assert.deepEqual(scanned.errors, []);
  const nb = scanned.resources.find((r) => r.id === 'Nb');
  assert.ok(nb);
  const checked = rule.check(new Resource(nb));
  return { result: checked.result, message: checked.message };
}

test('a macro that can rewrite the notebook makes its verdict unknown; elsewhere it changes nothing', () => {
  const evaluated = new Set(['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions']);
  fc.assert(
    fc.property(
      fc.constantFrom('Enabled', 'Disabled', undefined),
      fc.boolean(),
      fc.constantFrom<Where>('Transform', 'TransformList', 'root', 'Resources', 'resource', 'Properties', 'SubnetValue', 'Tags'),
      fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }).filter((name) => !evaluated.has(name)),
      fc.constantFrom<'json' | 'yaml'>('json', 'yaml'),
      (access, subnet, where, name, format) => {
        const before = verdict(template(access, subnet), format);
        const after = verdict(template(access, subnet, { where, name }), format);
        if (where === 'Tags') {
          assert.equal(after.result, before.result);
          return;
        }
        // SubnetId's own macro matters only once DirectInternetAccess is Disabled.
        if (where === 'SubnetValue' && access !== 'Disabled') {
          assert.equal(after.result, 'fail');
          return;
        }
        assert.equal(after.result, 'unknown', `${where}: ${after.message}`);
        assert.ok(after.message.includes(quoteName(name)), after.message);
        assert.ok(!/[\u0000-\u001f]/.test(after.message), 'control characters are escaped');
      },
    ),
    { numRuns: 300 },
  );
});
