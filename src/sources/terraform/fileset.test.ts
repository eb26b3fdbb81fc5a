// Which files of a module directory Terraform reads, and how override files merge into the
// others (internal/configs/parser_config_dir.go, parser_file_matcher.go, module_merge*.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { emptyConfig } from '../../engine/config';
import { scan } from '../../engine/scan';
import { walkScanPaths } from '../../engine/walk';
import { makeTree } from '../../../test/helpers/fixtures';
import { scanTerraformDirectories } from './index';

const NOTEBOOK = (access: string, extra = '') =>
  `resource "aws_sagemaker_notebook_instance" "nb" {\n  name = "nb"\n  direct_internet_access = "${access}"\n${extra}}\n`;
const OVERRIDE = (access: string) =>
  `resource "aws_sagemaker_notebook_instance" "nb" {\n  direct_internet_access = "${access}"\n  subnet_id = "subnet-0123456789abcdef0"\n}\n`;

async function verdicts(root: string, paths = [root]): Promise<string[]> {
  const report = await scan(paths, { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
  return report.findings.map((f) => `${f.resource.id} ${f.result}`);
}

function access(dir: string): unknown {
  const result = scanTerraformDirectories([dir]);
  const raw = result.resources[0]!.readProperty('DirectInternetAccess');
  return raw.state === 'set' ? raw.value : raw.state;
}

test('a hidden .x_override.tf is not read: Terraform ignores files whose names begin with a dot', async () => {
  const t = makeTree({ 'main.tf': NOTEBOOK('Enabled'), '.x_override.tf': OVERRIDE('Disabled'), '.hidden.tf': NOTEBOOK('Disabled') });
  try {
    const result = scanTerraformDirectories([t.root]);
    assert.deepEqual(result.errors, []);
    assert.equal(result.files?.length, 1);
    assert.equal(access(t.root), 'Enabled');
    assert.deepEqual(await verdicts(t.root), ['aws_sagemaker_notebook_instance.nb fail']);
  } finally {
    t.cleanup();
  }
});

test('a directory holding only hidden .tf files is not a Terraform module', async () => {
  const t = makeTree({ 'mod/.main.tf': NOTEBOOK('Enabled'), 'mod/.x.tf.json': '{}', 'real/main.tf': NOTEBOOK('Enabled') });
  try {
    assert.deepEqual(walkScanPaths([t.root]).terraformDirs, [join(t.root, 'real')]);
    assert.deepEqual(await verdicts(t.root), ['aws_sagemaker_notebook_instance.nb fail']);
  } finally {
    t.cleanup();
  }
});

test('override.tf is applied, as Terraform applies it, and flips the verdict', async () => {
  const t = makeTree({ 'main.tf': NOTEBOOK('Enabled'), 'override.tf': OVERRIDE('Disabled') });
  try {
    assert.deepEqual(await verdicts(t.root), ['aws_sagemaker_notebook_instance.nb pass']);
  } finally {
    t.cleanup();
  }
});

test('override files apply after every primary file, in name order: the last one wins', () => {
  // `a_main.tf` sorts before `main.tf` but is a primary file; `override.tf` < `z_override.tf`.
  const t = makeTree({
    'z_main.tf': NOTEBOOK('Enabled'),
    'override.tf': OVERRIDE('Disabled'),
    'z_override.tf.json': JSON.stringify({ resource: { aws_sagemaker_notebook_instance: { nb: { direct_internet_access: 'Enabled' } } } }),
  });
  try {
    assert.equal(access(t.root), 'Enabled');
  } finally {
    t.cleanup();
  }
});

test('an override of a data source is applied (its count decides what the notebook gets)', () => {
  const t = makeTree({
    'main.tf': [
      'data "aws_subnets" "private" {',
      '  count = 1',
      '}',
      'resource "aws_sagemaker_notebook_instance" "nb" {',
      '  direct_internet_access = length(data.aws_subnets.private) > 0 ? "Disabled" : "Enabled"',
      '}',
      '',
    ].join('\n'),
    'data_override.tf': 'data "aws_subnets" "private" {\n  count = 0\n}\n',
  });
  try {
    assert.equal(access(t.root), 'Enabled');
  } finally {
    t.cleanup();
  }
});

test('an override for something no primary file declares is an error, as in Terraform, and is not applied', () => {
  const t = makeTree({
    'main.tf': NOTEBOOK('Enabled') + 'variable "v" {\n  default = "a"\n}\n',
    'x_override.tf': [
      'resource "aws_sagemaker_notebook_instance" "other" {',
      '  direct_internet_access = "Disabled"',
      '}',
      'variable "w" {',
      '  default = "b"',
      '}',
      'locals {',
      '  l = 1',
      '}',
      'data "aws_subnet" "s" {}',
      'module "m" {',
      '  source = "./m"',
      '}',
      'output "o" {',
      '  value = 1',
      '}',
      '',
    ].join('\n'),
  });
  try {
    const result = scanTerraformDirectories([t.root]);
    const file = join(t.root, 'x_override.tf');
    assert.deepEqual(
      result.errors.map((e) => [e.file, e.line, e.message]),
      [
        [file, 1, 'there is no aws_sagemaker_notebook_instance resource named "other": an override file can only change what a primary file declares'],
        [file, 4, 'there is no variable named "w": an override file can only change what a primary file declares'],
        [file, 8, 'there is no local value named "l": an override file can only change what a primary file declares'],
        [file, 10, 'there is no aws_subnet data source named "s": an override file can only change what a primary file declares'],
        [file, 11, 'there is no module call named "m": an override file can only change what a primary file declares'],
        [file, 14, 'there is no output named "o": an override file can only change what a primary file declares'],
      ],
    );
    assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.nb']);
  } finally {
    t.cleanup();
  }
});

test('override blocks hide every base block of their type, dynamic or not (module_merge_body.go)', () => {
  const imds = (v: string) => `  instance_metadata_service_configuration {\n    minimum_instance_metadata_service_version = "${v}"\n  }\n`;
  const dynamicImds = (v: string) =>
    `  dynamic "instance_metadata_service_configuration" {\n    for_each = [1]\n    content {\n      minimum_instance_metadata_service_version = "${v}"\n    }\n  }\n`;
  const read = (dir: string) => {
    const raw = scanTerraformDirectories([dir]).resources[0]!.readProperty('InstanceMetadataServiceConfiguration');
    return raw.state === 'set' ? raw.value : raw.state;
  };
  const t = makeTree({
    'static/main.tf': NOTEBOOK('Disabled', dynamicImds('1')),
    'static/override.tf': `resource "aws_sagemaker_notebook_instance" "nb" {\n${imds('2')}}\n`,
    'dynamic/main.tf': NOTEBOOK('Disabled', imds('1')),
    'dynamic/override.tf': `resource "aws_sagemaker_notebook_instance" "nb" {\n${dynamicImds('2')}}\n`,
  });
  try {
    assert.deepEqual(read(join(t.root, 'static')), { MinimumInstanceMetadataServiceVersion: '2' });
    assert.deepEqual(read(join(t.root, 'dynamic')), { MinimumInstanceMetadataServiceVersion: '2' });
  } finally {
    t.cleanup();
  }
});
