import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalize } from 'node:path';
import type { FixInputs, FixResult, FixTarget } from '../../remediation/iac/fixer';
import { desired as notebookDesired } from '../../rules/sagemaker-004/rule';
import { desired as domainDesired } from '../../rules/sagemaker-005/rule';
import { fixTerraform } from './fixer';
import { ModuleCallFinder, walkTerraformDirectories, type DirectoryReader } from './fix-callers';
import { resolveVariable, TerraformWorkspace } from './fix-module';
import { parseResourceAddress } from './fix-address';
import { parseHcl } from './hcl/parser';
import { parseTerraformJson } from './json-syntax';

/** A directory tree in memory, read through the same two functions the engine gives the fixer. */
function files(tree: Record<string, string>) {
  const readFile = (path: string) => {
    const text = tree[normalize(path)];
    if (text === undefined) throw new Error(`ENOENT: ${path}`);
    return text;
  };
  const listDir = (dir: string) => {
    const prefix = normalize(dir) === '.' ? '' : `${normalize(dir)}/`;
    const names = new Set<string>();
    for (const path of Object.keys(tree)) if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split('/')[0]!);
    return [...names];
  };
  return { readFile, listDir };
}

function notebook(resourceId: string, file: string, line = 1): FixTarget {
  return { ruleId: 'SageMaker-004', resourceType: 'AWS::SageMaker::NotebookInstance', resourceId, file, line, desired: notebookDesired };
}

function domain(resourceId: string, file: string, line = 1): FixTarget {
  return { ruleId: 'SageMaker-005', resourceType: 'AWS::SageMaker::Domain', resourceId, file, line, desired: domainDesired };
}

const SUBNET = { 'subnet-id': 'subnet-0aaa', 'security-group-ids': ['sg-0aaa'] } satisfies FixInputs;

function fix(tree: Record<string, string>, targets: FixTarget[], inputs: FixInputs = {}): FixResult {
  const fs = files(tree);
  return fixTerraform(targets, inputs, fs.readFile, fs.listDir);
}

/** Asserts every changed file still parses. */
function assertParses(result: FixResult): void {
  for (const [path, text] of result.files) {
    if (path.endsWith('.json')) parseTerraformJson(text);
    else parseHcl(text);
  }
}

test('address: module path, type and name, instance keys dropped', () => {
  assert.deepEqual(parseResourceAddress('aws_sagemaker_notebook_instance.nb'), { modules: [], mode: 'managed', type: 'aws_sagemaker_notebook_instance', name: 'nb' });
  assert.deepEqual(parseResourceAddress('module.ml["a.b"].module.inner[0].aws_x.nb["k\\"]."]'), { modules: ['ml', 'inner'], mode: 'managed', type: 'aws_x', name: 'nb' });
  assert.deepEqual(parseResourceAddress('data.aws_x.y')?.mode, 'data');
  for (const bad of ['', 'aws_x', 'aws_x.nb[', 'aws_x.nb["a]', 'a.b.c.d', '1x.y', 'aws_x.nb extra']) assert.equal(parseResourceAddress(bad), undefined, bad);
});

test('HCL: a literal is replaced and absent attributes join the aligned group; other bytes are untouched', () => {
  const main = [
    '# notebooks',
    'resource "aws_sagemaker_notebook_instance" "nb" {',
    '  name                   = "nb" # keep this comment',
    '  instance_type          = "ml.t3.medium"',
    '  direct_internet_access = "Enabled"',
    '',
    '  tags = {',
    '    team = "ml"',
    '  }',
    '}',
    '',
  ].join('\n');
  const result = fix({ 'cfg/main.tf': main }, [notebook('aws_sagemaker_notebook_instance.nb', 'cfg/main.tf', 5)], SUBNET);
  assert.deepEqual(result.manual, []);
  assert.equal(
    result.files.get('cfg/main.tf'),
    [
      '# notebooks',
      'resource "aws_sagemaker_notebook_instance" "nb" {',
      '  name                   = "nb" # keep this comment',
      '  instance_type          = "ml.t3.medium"',
      '  direct_internet_access = "Disabled"',
      '  subnet_id              = "subnet-0aaa"',
      '  security_groups        = ["sg-0aaa"]',
      '',
      '  tags = {',
      '    team = "ml"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    result.changes.map((c) => [c.line, c.description]),
    [
      [5, 'DirectInternetAccess: "Enabled" -> "Disabled"'],
      [6, 'SubnetId: added subnet_id = "subnet-0aaa"'],
      [7, 'SecurityGroupIds: added security_groups = ["sg-0aaa"]'],
    ],
  );
});

test('HCL: names longer than the aligned column form their own group after a blank line; an unaligned block gets single spaces', () => {
  const main = [
    'resource "aws_sagemaker_notebook_instance" "aligned" {',
    '  name          = "a"',
    '  instance_type = "ml.t3.medium"',
    '}',
    '',
    'resource "aws_sagemaker_notebook_instance" "unaligned" {',
    '  name = "b"',
    '  instance_type = "ml.t3.medium"',
    '}',
    '',
  ].join('\n');
  const result = fix({ 'main.tf': main }, [notebook('aws_sagemaker_notebook_instance.aligned', 'main.tf'), notebook('aws_sagemaker_notebook_instance.unaligned', 'main.tf', 6)], SUBNET);
  assert.equal(
    result.files.get('main.tf'),
    [
      'resource "aws_sagemaker_notebook_instance" "aligned" {',
      '  name          = "a"',
      '  instance_type = "ml.t3.medium"',
      '',
      '  direct_internet_access = "Disabled"',
      '  subnet_id              = "subnet-0aaa"',
      '  security_groups        = ["sg-0aaa"]',
      '}',
      '',
      'resource "aws_sagemaker_notebook_instance" "unaligned" {',
      '  name = "b"',
      '  instance_type = "ml.t3.medium"',
      '  direct_internet_access = "Disabled"',
      '  subnet_id = "subnet-0aaa"',
      '  security_groups = ["sg-0aaa"]',
      '}',
      '',
    ].join('\n'),
  );
});

test('HCL: count and for_each instances share one block, fixed once', () => {
  const main = 'resource "aws_sagemaker_notebook_instance" "nb" {\n  count                  = 3\n  direct_internet_access = "Enabled"\n  subnet_id              = "subnet-1"\n  security_groups        = ["sg-1"]\n}\n';
  const targets = [0, 1, 2].map((i) => notebook(`aws_sagemaker_notebook_instance.nb[${i}]`, 'main.tf', 3));
  const result = fix({ 'main.tf': main }, targets);
  assert.equal(result.files.get('main.tf'), main.replace('"Enabled"', '"Disabled"'));
  assert.equal(result.changes.length, 1);
  assert.deepEqual(result.manual, []);
});

test('HCL: without inputs, one variable per input kind and module, in variables.tf when there is one', () => {
  const tree = {
    'cfg/variables.tf': 'variable "region" {\n  type = string\n}\n',
    'cfg/main.tf': [
      'resource "aws_sagemaker_notebook_instance" "a" {',
      '  name = "a"',
      '}',
      '',
      'resource "aws_sagemaker_notebook_instance" "b" {',
      '  name = "b"',
      '}',
    ].join('\n'),
  };
  const result = fix(tree, [notebook('aws_sagemaker_notebook_instance.a', 'cfg/main.tf'), notebook('aws_sagemaker_notebook_instance.b', 'cfg/main.tf', 5)]);
  assert.deepEqual(result.manual, []);
  const main = result.files.get('cfg/main.tf')!;
  assert.equal((main.match(/subnet_id\s+= var\.notebook_subnet_id\n/g) ?? []).length, 2);
  assert.equal((main.match(/security_groups\s+= var\.notebook_security_group_ids\n/g) ?? []).length, 2);
  assert.ok(main.endsWith('  name = "b"\n\n  direct_internet_access = "Disabled"\n  subnet_id              = var.notebook_subnet_id\n  security_groups        = var.notebook_security_group_ids\n}'));
  assert.equal(
    result.files.get('cfg/variables.tf'),
    [
      'variable "region" {',
      '  type = string',
      '}',
      '',
      'variable "notebook_subnet_id" {',
      '  description = "The VPC subnet the notebook is placed in. Added by cloudconform fix (SageMaker-004): no default, give it a value."',
      '  type        = string',
      '}',
      '',
      'variable "notebook_security_group_ids" {',
      `  description = "Security groups of the notebook's network interface, in the subnet's VPC. Added by cloudconform fix (SageMaker-004): no default, give it a value."`,
      '  type        = list(string)',
      '}',
      '',
    ].join('\n'),
  );
  assert.ok(result.changes.some((c) => c.file === 'cfg/variables.tf' && c.line === 5 && /added variable notebook_subnet_id \(string\) without a default/.test(c.description)));
  assertParses(result);
  // A second run reuses the declared variables.
  const again = fix({ ...tree, ...Object.fromEntries(result.files) }, [notebook('aws_sagemaker_notebook_instance.a', 'cfg/main.tf')]);
  assert.equal(again.files.size, 0);
});

test('HCL: var.x with a default, used once, not in tfvars -> the default changes', () => {
  const main = 'variable "mode" {\n  type    = string\n  default = "Enabled"\n}\n\nresource "aws_sagemaker_notebook_instance" "nb" {\n  subnet_id              = "subnet-1"\n  security_groups        = ["sg-1"]\n  direct_internet_access = var.mode\n}\n';
  const result = fix({ 'main.tf': main }, [notebook('aws_sagemaker_notebook_instance.nb', 'main.tf', 9)]);
  assert.equal(result.files.get('main.tf'), main.replace('default = "Enabled"', 'default = "Disabled"'));
  assert.deepEqual(result.changes.map((c) => [c.line, c.description]), [[3, 'DirectInternetAccess: default of variable "mode": "Enabled" -> "Disabled"']]);
});

test('HCL: var.x set in terraform.tfvars only -> changed there; in another tfvars or several -> a decision', () => {
  const main = 'variable "mode" {\n  type    = string\n  default = "Disabled"\n}\n\nresource "aws_sagemaker_notebook_instance" "nb" {\n  subnet_id              = "subnet-1"\n  security_groups        = ["sg-1"]\n  direct_internet_access = var.mode\n}\n';
  const target = notebook('aws_sagemaker_notebook_instance.nb', 'main.tf', 9);
  const tfvars = '# environment\nmode   = "Enabled"\nregion = "eu-west-1"\n';
  const one = fix({ 'main.tf': main, 'terraform.tfvars': tfvars }, [target]);
  assert.deepEqual([...one.files.keys()], ['terraform.tfvars']);
  assert.equal(one.files.get('terraform.tfvars'), tfvars.replace('"Enabled"', '"Disabled"'));

  const json = fix({ 'main.tf': main, 'terraform.tfvars.json': '{\n  "mode": "Enabled"\n}\n' }, [target]);
  assert.equal(json.files.get('terraform.tfvars.json'), '{\n  "mode": "Disabled"\n}\n');

  const several = fix({ 'main.tf': main, 'terraform.tfvars': tfvars, 'b.auto.tfvars': 'mode = "Enabled"\n' }, [target]);
  assert.equal(several.files.size, 0);
  assert.equal(several.manual.length, 1);
  assert.match(several.manual[0]!.message, /set in b\.auto\.tfvars:1, terraform\.tfvars:2/);

  const chosenAtRun = fix({ 'main.tf': main, 'prod.tfvars': 'mode = "Enabled"\n' }, [target]);
  assert.equal(chosenAtRun.files.size, 0);
  assert.deepEqual([chosenAtRun.manual[0]!.file, chosenAtRun.manual[0]!.line], ['prod.tfvars', 1]);
});

test('HCL: values a person must decide leave the block untouched, with the exact place', () => {
  const main = [
    'variable "shared" {',
    '  default = "Enabled"',
    '}',
    'variable "unset" {',
    '  type = string',
    '}',
    'locals {',
    '  mode = "Enabled"',
    '}',
    'resource "aws_sagemaker_notebook_instance" "conditional" {',
    '  direct_internet_access = var.prod ? "Disabled" : "Enabled"',
    '}',
    'resource "aws_sagemaker_notebook_instance" "local" {',
    '  direct_internet_access = local.mode',
    '}',
    'resource "aws_sagemaker_notebook_instance" "call" {',
    '  direct_internet_access = lower("Enabled")',
    '}',
    'resource "aws_sagemaker_notebook_instance" "shared_a" {',
    '  direct_internet_access = var.shared',
    '}',
    'resource "aws_sagemaker_notebook_instance" "shared_b" {',
    '  direct_internet_access = "${var.shared}"',
    '}',
    'resource "aws_sagemaker_notebook_instance" "unset" {',
    '  direct_internet_access = var.unset',
    '}',
    '',
  ].join('\n');
  const ids = ['conditional', 'local', 'call', 'shared_a', 'shared_b', 'unset'];
  const result = fix({ 'main.tf': main }, ids.map((id) => notebook(`aws_sagemaker_notebook_instance.${id}`, 'main.tf')), SUBNET);
  assert.equal(result.files.size, 0);
  assert.deepEqual(
    result.manual.map((m) => [m.resourceId.split('.')[1], m.line]),
    [['conditional', 11], ['local', 14], ['call', 17], ['shared_a', 20], ['shared_b', 23], ['unset', 4]],
  );
  assert.match(result.manual[0]!.message, /is a conditional/);
  assert.match(result.manual[1]!.message, /is a local value/);
  assert.match(result.manual[2]!.message, /is a function call/);
  assert.match(result.manual[3]!.message, /also used at main\.tf:23/);
  assert.match(result.manual[5]!.message, /no default .* TF_VAR_unset/);
});

test('child module: the one caller passing a literal is edited; several callers or an expression -> a decision', () => {
  const module = 'variable "access" {\n  type = string\n}\n\nresource "aws_sagemaker_notebook_instance" "this" {\n  subnet_id              = "subnet-1"\n  security_groups        = ["sg-1"]\n  direct_internet_access = var.access\n}\n';
  const caller = 'module "ml" {\n  source = "./modules/nb"\n  access = "Enabled"\n}\n';
  const target = notebook('module.ml.aws_sagemaker_notebook_instance.this', 'cfg/modules/nb/main.tf', 8);
  const once = fix({ 'cfg/main.tf': caller, 'cfg/modules/nb/main.tf': module }, [target]);
  assert.deepEqual([...once.files.keys()], ['cfg/main.tf']);
  assert.equal(once.files.get('cfg/main.tf'), caller.replace('"Enabled"', '"Disabled"'));
  assert.deepEqual(once.manual, []);

  const twice = fix({ 'cfg/main.tf': caller + '\nmodule "other" {\n  source = "./modules/nb/"\n  access = "Enabled"\n}\n', 'cfg/modules/nb/main.tf': module }, [target]);
  assert.equal(twice.files.size, 0);
  assert.match(twice.manual[0]!.message, /called from module "ml" at cfg\/main\.tf:1, module "other" at cfg\/main\.tf:6/);

  const expression = fix({ 'cfg/main.tf': caller.replace('"Enabled"', 'var.mode'), 'cfg/modules/nb/main.tf': module }, [target]);
  assert.equal(expression.files.size, 0);
  assert.deepEqual([expression.manual[0]!.file, expression.manual[0]!.line], ['cfg/main.tf', 3]);
});

test('child module: a new variable asks each call site to pass it', () => {
  const tree = {
    'cfg/main.tf': 'module "studio" {\n  source = "./studio"\n}\n',
    'cfg/studio/main.tf': 'resource "aws_sagemaker_domain" "this" {\n  domain_name = "s"\n\n  default_user_settings {\n    execution_role = "r"\n  }\n}\n',
  };
  const result = fix(tree, [domain('module.studio.aws_sagemaker_domain.this', 'cfg/studio/main.tf')]);
  assert.equal(
    result.files.get('cfg/studio/main.tf')!.split('\nvariable')[0],
    [
      'resource "aws_sagemaker_domain" "this" {',
      '  domain_name = "s"',
      '',
      '  app_network_access_type = "VpcOnly"',
      '  vpc_id                  = var.domain_vpc_id',
      '  subnet_ids              = var.domain_subnet_ids',
      '',
      '  default_user_settings {',
      '    execution_role = "r"',
      '',
      '    security_groups = var.domain_security_group_ids',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  assert.equal(result.manual.length, 1);
  assert.deepEqual([result.manual[0]!.file, result.manual[0]!.line], ['cfg/main.tf', 1]);
  assert.match(result.manual[0]!.message, /module "studio" must pass domain_vpc_id .*, domain_subnet_ids .*, domain_security_group_ids .*: the module now requires them/);
  assertParses(result);
});

test('HCL: an absent nested block is added at the end of the body', () => {
  const main = 'resource "aws_sagemaker_domain" "d" {\n  domain_name             = "d"\n  vpc_id                  = "vpc-1"\n  subnet_ids              = ["subnet-1"]\n  app_network_access_type = "PublicInternetOnly"\n}\n';
  const result = fix({ 'main.tf': main }, [domain('aws_sagemaker_domain.d', 'main.tf')], { 'security-group-ids': 'sg-1,sg-2' });
  assert.equal(
    result.files.get('main.tf'),
    'resource "aws_sagemaker_domain" "d" {\n  domain_name             = "d"\n  vpc_id                  = "vpc-1"\n  subnet_ids              = ["subnet-1"]\n  app_network_access_type = "VpcOnly"\n\n  default_user_settings {\n    security_groups = ["sg-1", "sg-2"]\n  }\n}\n',
  );
});

test('.tf.json: literal replaced, properties added in the file\'s own layout, variables in the same file', () => {
  const main = [
    '{',
    '    "variable": {',
    '        "mode": { "type": "string", "default": "Enabled" }',
    '    },',
    '    "resource": {',
    '        "aws_sagemaker_notebook_instance": {',
    '            "a": { "name": "a", "direct_internet_access": "${var.mode}" },',
    '            "b": {',
    '                "name": "b",',
    '                "direct_internet_access": "Enabled"',
    '            }',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
  const result = fix({ 'main.tf.json': main }, [notebook('aws_sagemaker_notebook_instance.a', 'main.tf.json', 7), notebook('aws_sagemaker_notebook_instance.b', 'main.tf.json', 10)], { 'subnet-id': 'subnet-1' });
  assert.deepEqual(result.manual, []);
  assert.equal(
    result.files.get('main.tf.json'),
    [
      '{',
      '    "variable": {',
      '        "mode": { "type": "string", "default": "Disabled" },',
      '        "notebook_security_group_ids": {',
      `            "description": "Security groups of the notebook's network interface, in the subnet's VPC. Added by cloudconform fix (SageMaker-004): no default, give it a value.",`,
      '            "type": "list(string)"',
      '        }',
      '    },',
      '    "resource": {',
      '        "aws_sagemaker_notebook_instance": {',
      '            "a": { "name": "a", "direct_internet_access": "${var.mode}", "subnet_id": "subnet-1", "security_groups": "${var.notebook_security_group_ids}" },',
      '            "b": {',
      '                "name": "b",',
      '                "direct_internet_access": "Disabled",',
      '                "subnet_id": "subnet-1",',
      '                "security_groups": "${var.notebook_security_group_ids}"',
      '            }',
      '        }',
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  assertParses(result);
});

test('.tf.json: an expression is a decision; a nested block is created or extended', () => {
  const main = '{\n  "resource": {\n    "aws_sagemaker_domain": {\n      "x": { "app_network_access_type": "${local.mode}" },\n      "y": {\n        "vpc_id": "vpc-1",\n        "subnet_ids": ["subnet-1"],\n        "default_user_settings": [{ "execution_role": "r" }]\n      }\n    }\n  }\n}\n';
  const result = fix({ 'main.tf.json': main }, [domain('aws_sagemaker_domain.x', 'main.tf.json', 4), domain('aws_sagemaker_domain.y', 'main.tf.json', 5)], { 'security-group-ids': ['sg-1'] });
  assert.deepEqual(result.manual.map((m) => [m.resourceId, m.line]), [['aws_sagemaker_domain.x', 4]]);
  assert.equal(
    result.files.get('main.tf.json'),
    '{\n  "resource": {\n    "aws_sagemaker_domain": {\n      "x": { "app_network_access_type": "${local.mode}" },\n      "y": {\n        "vpc_id": "vpc-1",\n        "subnet_ids": ["subnet-1"],\n        "default_user_settings": [{ "execution_role": "r", "security_groups": ["sg-1"] }],\n        "app_network_access_type": "VpcOnly"\n      }\n    }\n  }\n}\n',
  );
});

test('hostile input: unparseable files, one-line blocks, plan files, missing resources, odd addresses never crash', () => {
  const broken = fix({ 'main.tf': 'resource "aws_sagemaker_notebook_instance" "nb" {\n  name = \n' }, [notebook('aws_sagemaker_notebook_instance.nb', 'main.tf'), notebook('aws_sagemaker_notebook_instance.nb[1]', 'main.tf')]);
  assert.equal(broken.files.size, 0);
  assert.equal(broken.manual.length, 2);
  assert.match(broken.manual[0]!.message, /can't be parsed/);

  const oneLine = fix({ 'main.tf': 'resource "aws_sagemaker_notebook_instance" "nb" { name = "x" }\n' }, [notebook('aws_sagemaker_notebook_instance.nb', 'main.tf')], SUBNET);
  assert.equal(oneLine.files.size, 0);
  assert.match(oneLine.manual[0]!.message, /one line/);

  const plan = fix({ 'plan.json': '{}' }, [notebook('aws_sagemaker_notebook_instance.nb', 'plan.json')]);
  assert.deepEqual(plan, { files: new Map(), changes: [], manual: [] });

  const odd = fix({ 'main.tf': 'resource "aws_sagemaker_notebook_instance" "nb" {\n}\n' }, [
    notebook('aws_sagemaker_notebook_instance.missing', 'main.tf'),
    notebook('not an address', 'main.tf'),
    notebook('aws_sagemaker_notebook_instance.nb', 'nope.tf'),
    { ...notebook('aws_x.nb', 'main.tf'), resourceType: 'AWS::S3::Bucket' },
  ]);
  assert.equal(odd.files.size, 0);
  assert.equal(odd.manual.length, 4);

  const badJson = fix({ 'main.tf.json': '{"resource": {"aws_sagemaker_notebook_instance": {"nb": ' }, [notebook('aws_sagemaker_notebook_instance.nb', 'main.tf.json')]);
  assert.equal(badJson.manual.length, 1);
});

test('edits keep CRLF line endings and tab indentation', () => {
  const main = 'resource "aws_sagemaker_notebook_instance" "nb" {\r\n\tname = "x"\r\n}\r\n';
  const result = fix({ 'main.tf': main }, [notebook('aws_sagemaker_notebook_instance.nb', 'main.tf')], SUBNET);
  assert.equal(
    result.files.get('main.tf'),
    'resource "aws_sagemaker_notebook_instance" "nb" {\r\n\tname = "x"\r\n\r\n\tdirect_internet_access = "Disabled"\r\n\tsubnet_id              = "subnet-0aaa"\r\n\tsecurity_groups        = ["sg-0aaa"]\r\n}\r\n',
  );
});

/** The walk's view of the same in-memory tree; `links` are directories that are symbolic links. */
function memoryReader(tree: Record<string, string>, links: string[] = []): DirectoryReader {
  const fs = files(tree);
  const isDir = (path: string) => Object.keys(tree).some((p) => p.startsWith(`${normalize(path)}/`));
  return {
    kind: (path) => (tree[normalize(path)] !== undefined ? 'file' : isDir(path) ? 'directory' : undefined),
    entries: (dir) =>
      fs.listDir(dir).map((name) => {
        const path = normalize(`${dir}/${name}`);
        return { name, kind: links.includes(path) ? 'symlink' : tree[path] !== undefined ? 'file' : 'directory' };
      }),
  };
}

const TF = 'locals {}\n';

test('caller search: walks the roots breadth first, skipping hidden, node_modules and linked directories; a file root is its directory', () => {
  const tree = {
    'repo/envs/prod/main.tf': TF,
    'repo/envs/dev/app.tf.json': '{}',
    'repo/envs/dev/deep/notes.txt': '',
    'repo/.terraform/modules/x/main.tf': TF,
    'repo/.git/x.tf': TF,
    'repo/node_modules/pkg/main.tf': TF,
    'repo/envs/linked/main.tf': TF,
    'other/a/main.tf': TF,
    'other/a/sub/main.tf': TF,
  };
  const reader = memoryReader(tree, ['repo/envs/linked']);
  const walk = walkTerraformDirectories(['repo', 'other/a/main.tf', 'repo/envs'], reader);
  assert.deepEqual(walk.dirs, ['other/a', 'repo/envs/dev', 'repo/envs/prod']);
  // repo, repo/envs, other/a, repo/envs/dev, repo/envs/prod, repo/envs/dev/deep: once each.
  assert.deepEqual([walk.visited, walk.truncated], [6, false]);

  const bounded = walkTerraformDirectories(['repo'], reader, 3);
  // repo, repo/envs, repo/envs/dev: the bound stops the walk before repo/envs/prod.
  assert.deepEqual([bounded.visited, bounded.truncated, bounded.dirs], [3, true, ['repo/envs/dev']]);
  assert.deepEqual(walkTerraformDirectories(['missing'], reader), { dirs: [], visited: 0, truncated: false });
});

test('caller search: one call found by a walk that hit its bound is a decision, not an edit', () => {
  const tree = {
    'repo/envs/prod/main.tf': 'module "ml" {\n  source = "../../modules/nb"\n  access = "Enabled"\n}\n',
    'repo/modules/nb/main.tf': 'variable "access" {\n  type = string\n}\n\nresource "aws_sagemaker_notebook_instance" "this" {\n  direct_internet_access = var.access\n}\n',
    'repo/zz/a/b/c/main.tf': TF,
  };
  const fs = files(tree);
  const query = (finder: ModuleCallFinder, ws: TerraformWorkspace) =>
    resolveVariable(ws, finder, {
      module: ws.module('repo/modules/nb'),
      isChildModule: true,
      name: 'access',
      reference: { file: 'repo/modules/nb/main.tf', line: 6 },
      attribute: 'direct_internet_access',
      desired: 'Disabled',
    });
  const ws = new TerraformWorkspace(fs.readFile, fs.listDir);
  const whole = query(new ModuleCallFinder(ws, ['repo'], memoryReader(tree)), ws);
  assert.equal(whole.kind, 'site');
  assert.deepEqual(whole.kind === 'site' && [whole.site.file, whole.site.line, whole.current], ['repo/envs/prod/main.tf', 3, 'Enabled']);

  // Breadth first: repo, envs, modules, zz, envs/prod (the caller) — then the bound.
  const bounded = query(new ModuleCallFinder(ws, ['repo'], memoryReader(tree), 5), ws);
  assert.equal(bounded.kind, 'manual');
  assert.deepEqual(bounded.kind === 'manual' && [bounded.file, bounded.line], ['repo/modules/nb/main.tf', 6]);
  assert.match(
    bounded.kind === 'manual' ? bounded.message : '',
    /called from module "ml" at repo\/envs\/prod\/main\.tf:1, searched under the scanned paths repo \(5 directories; the search stopped at its limit of 5 directories/,
  );

  const nowhere = query(new ModuleCallFinder(ws, ['repo/zz'], memoryReader(tree)), ws);
  assert.match(nowhere.kind === 'manual' ? nowhere.message : '', /no module block calling it was found under the scanned paths repo\/zz \(4 directories\)/);
});
