import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnknownValue } from '../../model/attribute';
import type { SourceResource } from '../../model/resource';
import { terraformPlanSource } from './plan';

const PLAN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'plan');
const pretty = readFileSync(join(PLAN_DIR, 'plan.json'), 'utf8');
// `terraform show -json` writes the plan on one line.
const oneLine = JSON.stringify(JSON.parse(pretty));

function byId(resources: SourceResource[], id: string): SourceResource {
  const found = resources.find((r) => r.id === id);
  assert.ok(found, `no resource ${id}`);
  return found;
}

/** The 1-based line of the first line containing `needle` after the line containing `after`. */
function lineOf(text: string, needle: string, after?: string): number {
  const lines = text.split('\n');
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  return lines.findIndex((l, i) => i >= start && l.includes(needle)) + 1;
}

test('detect: plan JSON only, by content', () => {
  assert.equal(terraformPlanSource.detect(oneLine, 'x.json'), true);
  assert.equal(terraformPlanSource.detect(pretty, 'x.json'), true);
  assert.equal(terraformPlanSource.detect('{"format_version":"1.0","terraform_version":"1.5.0","values":{}}', 'state.json'), false);
  assert.equal(terraformPlanSource.detect('{"Resources":{}}', 't.json'), false);
  assert.equal(terraformPlanSource.detect('format_version terraform_version planned_values', 'x.txt'), false);
});

test('resource changes: after values, modules, delete-only and data sources left out', () => {
  const { resources, errors } = terraformPlanSource.scanFile('plan.json', oneLine);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    resources.map((r) => r.id),
    [
      'aws_sagemaker_notebook_instance.pass',
      'aws_sagemaker_notebook_instance.unknown_subnet',
      'aws_sagemaker_notebook_instance.replaced',
      'module.team.aws_sagemaker_notebook_instance.this["alpha"]',
      'aws_sagemaker_domain.d',
    ],
  );
  const pass = byId(resources, 'aws_sagemaker_notebook_instance.pass');
  assert.equal(pass.type, 'AWS::SageMaker::NotebookInstance');
  assert.equal(pass.source, 'terraform-plan');
  assert.deepEqual(pass.location, { file: 'plan.json', line: 1 });
  assert.deepEqual(pass.readProperty('DirectInternetAccess'), { state: 'set', value: 'Disabled', location: { file: 'plan.json', line: 1 } });
  assert.deepEqual(pass.readProperty('KmsKeyId'), { state: 'absent' }, 'null is absent');
  assert.deepEqual(pass.readProperty('LifecycleConfigName'), { state: 'absent' });
  assert.deepEqual(pass.readProperty('InstanceMetadataServiceConfiguration'), {
    state: 'set',
    value: { MinimumInstanceMetadataServiceVersion: '2' },
    location: { file: 'plan.json', line: 1 },
  });
  assert.equal(byId(resources, 'aws_sagemaker_domain.d').readProperty('AppNetworkAccessType').state, 'set');
});

test('after_unknown: whole attributes and parts of lists are unknown until apply', () => {
  const { resources } = terraformPlanSource.scanFile('plan.json', oneLine);
  const nb = byId(resources, 'aws_sagemaker_notebook_instance.unknown_subnet');
  assert.deepEqual(nb.readProperty('SubnetId'), { state: 'unknown', reason: 'known only after apply', location: { file: 'plan.json', line: 1 } });
  const groups = nb.readProperty('SecurityGroupIds');
  assert.equal(groups.state, 'set');
  const value = (groups as { value: unknown[] }).value;
  assert.equal(value[0], 'sg-1');
  assert.ok(value[1] instanceof UnknownValue);
});

test('pretty-printed plans give the real lines of resources and attributes', () => {
  const { resources } = terraformPlanSource.scanFile('plan.json', pretty);
  const pass = byId(resources, 'aws_sagemaker_notebook_instance.pass');
  assert.equal(pass.location.line, lineOf(pretty, '"address": "aws_sagemaker_notebook_instance.pass"'));
  const access = pass.readProperty('DirectInternetAccess');
  assert.equal(access.state, 'set');
  assert.equal((access as { location: { line: number } }).location.line, lineOf(pretty, '"direct_internet_access"', 'aws_sagemaker_notebook_instance.pass'));
  const subnet = byId(resources, 'aws_sagemaker_notebook_instance.unknown_subnet').readProperty('SubnetId');
  // Unknown values are not in `after`: the line of the after_unknown entry, which is there.
  assert.equal((subnet as { location: { line: number } }).location.line, lineOf(pretty, '"subnet_id": true', 'aws_sagemaker_notebook_instance.unknown_subnet'));
  const team = byId(resources, 'module.team.aws_sagemaker_notebook_instance.this["alpha"]');
  assert.equal(team.location.line, lineOf(pretty, '"address": "module.team.aws_sagemaker_notebook_instance.this[\\"alpha\\"]"'));
});

test('planned_values is used when there are no resource changes, child modules included', () => {
  const text = readFileSync(join(PLAN_DIR, 'planned-values-only.json'), 'utf8');
  const { resources, errors } = terraformPlanSource.scanFile('p.json', text);
  assert.deepEqual(errors, []);
  assert.deepEqual(resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.root', 'module.m.aws_sagemaker_notebook_instance.child[0]']);
  assert.deepEqual(resources[0]!.readProperty('DirectInternetAccess'), { state: 'set', value: 'Disabled', location: { file: 'p.json', line: 1 } });
});

test('invalid JSON is an error with its line, not a throw', () => {
  const { resources, errors } = terraformPlanSource.scanFile('bad.json', '{\n  "format_version": "1.2",\n  "terraform_version": "1.9.5",\n  "resource_changes": [,]\n}');
  assert.deepEqual(resources, []);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 4);
  assert.match(errors[0]!.message, /^invalid JSON/);
});
