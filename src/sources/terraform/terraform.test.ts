import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnknownValue } from '../../model/attribute';
import { Resource, type SourceResource } from '../../model/resource';
import type { SourceResult } from '../source';
import { scanTerraformDirectories, type TerraformScanOptions } from './index';
import { ReferenceValue } from './values';

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

function scan(dirs: string[], options?: TerraformScanOptions): SourceResult {
  return scanTerraformDirectories(dirs.map((d) => join(TESTDATA, d)), options);
}

function resource(result: SourceResult, id: string): SourceResource {
  const found = result.resources.find((r) => r.id === id);
  assert.ok(found, `no resource ${id}; have ${result.resources.map((r) => r.id).join(', ')}`);
  return found;
}

/** A property's state, value and line, for compact assertions. */
function read(r: SourceResource, property: string): { state: string; value?: unknown; reason?: string; line?: number } {
  const raw = r.readProperty(property);
  if (raw.state === 'absent') return { state: 'absent' };
  if (raw.state === 'unknown') return { state: 'unknown', reason: raw.reason, line: raw.location.line };
  return { state: 'set', value: raw.value, line: raw.location.line };
}

test('variables: default, tfvars, auto.tfvars in name order, --var-file, --var, type conversion', () => {
  const result = scan(['variables'], {
    args: [
      { kind: 'file', path: join(TESTDATA, 'variables', 'extra.tfvars') },
      { kind: 'var', name: 'from_cli', text: 'from-cli' },
      { kind: 'var', name: 'cli_list', text: '["a", "b"]' },
    ],
  });
  assert.deepEqual(result.errors, []);
  // main.tf, terraform.tfvars, a.auto.tfvars, b.auto.tfvars.json, extra.tfvars
  assert.equal(result.files?.length, 5);
  const nb = resource(result, 'aws_sagemaker_notebook_instance.nb');
  assert.equal(nb.type, 'AWS::SageMaker::NotebookInstance');
  assert.equal(nb.source, 'terraform');
  assert.deepEqual(nb.location, { file: join(TESTDATA, 'variables', 'main.tf'), line: 41 });
  assert.deepEqual(read(nb, 'DirectInternetAccess'), { state: 'set', value: 'Enabled', line: 43 });
  assert.deepEqual(read(nb, 'InstanceType'), { state: 'set', value: 'from-tfvars', line: 44 });
  // terraform.tfvars < a.auto.tfvars < b.auto.tfvars.json
  assert.deepEqual(read(nb, 'RoleArn'), { state: 'set', value: 'from-b-auto-json', line: 45 });
  assert.deepEqual(read(nb, 'KmsKeyId'), { state: 'set', value: 'from-var-file', line: 46 });
  assert.deepEqual(read(nb, 'PlatformIdentifier'), { state: 'set', value: 'from-cli', line: 47 });
  assert.deepEqual(read(nb, 'AdditionalCodeRepositories'), { state: 'set', value: ['a', 'b'], line: 48 });
  assert.deepEqual(read(nb, 'VolumeSizeInGB'), { state: 'set', value: 10, line: 49 });
  // Tags in CloudFormation's shape, a number as the provider's map(string) makes it.
  assert.deepEqual(read(nb, 'Tags'), { state: 'set', value: [{ Key: 'name', Value: 'n' }, { Key: 'size', Value: '20' }], line: 50 });
  assert.deepEqual(read(nb, 'SubnetId'), { state: 'unknown', reason: 'variable unset has no value', line: 51 });
  assert.deepEqual(read(nb, 'DefaultCodeRepository'), { state: 'absent' });
});

test('variables: a missing var file is an error, and what it may set (everything: it comes last) is unknown', () => {
  const result = scan(['variables'], { args: [{ kind: 'file', path: join(TESTDATA, 'variables', 'nope.tfvars') }] });
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0]!.message, /can't read variable file: no such file/);
  const nb = resource(result, 'aws_sagemaker_notebook_instance.nb');
  assert.equal(read(nb, 'KmsKeyId').state, 'unknown');
  assert.equal(read(nb, 'PlatformIdentifier').state, 'unknown');
});

test('expressions: locals, interpolation, conditionals, references, dynamic blocks, cycles', () => {
  const result = scan(['expressions']);
  const file = join(TESTDATA, 'expressions', 'main.tf');
  assert.deepEqual(result.errors, [
    { file, line: 7, message: 'local values refer to each other in a cycle: local.a → local.b → local.a; they are unknown' },
  ]);
  const nb = resource(result, 'aws_sagemaker_notebook_instance.evaluated');
  assert.deepEqual(nb.location, { file, line: 18 });
  assert.deepEqual(read(nb, 'NotebookInstanceName'), { state: 'set', value: 'evaluated', line: 19 });
  assert.deepEqual(read(nb, 'DirectInternetAccess'), { state: 'absent' }, 'null is not written');
  assert.deepEqual(read(nb, 'InstanceType'), { state: 'set', value: 'nb-prod', line: 21 });
  assert.deepEqual(read(nb, 'RoleArn'), { state: 'set', value: 'arn:prod', line: 22 });
  const subnet = read(nb, 'SubnetId');
  assert.equal(subnet.state, 'set');
  assert.equal(subnet.line, 23);
  assert.ok(subnet.value instanceof ReferenceValue);
  assert.equal((subnet.value as ReferenceValue).reference, 'aws_subnet.private[0].id');
  assert.deepEqual(read(nb, 'SecurityGroupIds'), { state: 'set', value: ['ALPHA'], line: 24 });
  const cycle = read(nb, 'KmsKeyId');
  assert.equal(cycle.state, 'unknown');
  assert.match(cycle.reason!, /cycle/);
  const platform = read(nb, 'PlatformIdentifier');
  assert.equal((platform.value as ReferenceValue).reference, 'prod-${aws_subnet.private[1].id}');
  assert.deepEqual(read(nb, 'VolumeSizeInGB'), { state: 'set', value: 20, line: 27 });
  const repos = read(nb, 'AdditionalCodeRepositories');
  assert.equal(repos.state, 'set');
  assert.equal((repos.value as unknown[])[0], 'literal');
  assert.equal(((repos.value as unknown[])[1] as ReferenceValue).reference, 'data.aws_subnets.all.ids[0]');
  assert.deepEqual(read(nb, 'InstanceMetadataServiceConfiguration'), {
    state: 'set',
    value: { MinimumInstanceMetadataServiceVersion: '2' },
    line: 33,
  });

  const domain = resource(result, 'aws_sagemaker_domain.static_block');
  assert.equal(domain.type, 'AWS::SageMaker::Domain');
  // A single block in CloudFormation's shape; a dotted name reads into it through the model.
  assert.deepEqual(read(domain, 'DefaultUserSettings'), { state: 'set', value: { ExecutionRole: 'arn:role' }, line: 65 });
  const nested = new Resource(domain).attribute('DefaultUserSettings.ExecutionRole');
  assert.deepEqual([nested.state, nested.state === 'set' && nested.value, nested.location.line], ['set', 'arn:role', 66]);
});

test('count and for_each: one resource per instance with its address; count 0 gives none', () => {
  const result = scan(['expressions']);
  const ids = result.resources.map((r) => r.id);
  assert.deepEqual(ids, [
    'aws_sagemaker_notebook_instance.evaluated',
    'aws_sagemaker_notebook_instance.counted[0]',
    'aws_sagemaker_notebook_instance.counted[1]',
    'aws_sagemaker_notebook_instance.team["alpha"]',
    'aws_sagemaker_notebook_instance.team["beta"]',
    'aws_sagemaker_notebook_instance.per_subnet[*]',
    'aws_sagemaker_domain.static_block',
    'aws_sagemaker_notebook_instance.per_private_subnet[0]',
    'aws_sagemaker_notebook_instance.per_private_subnet[1]',
  ]);
  // count = length(aws_subnet.private): the subnet's own count is known, so this one is too.
  const second = resource(result, 'aws_sagemaker_notebook_instance.per_private_subnet[1]');
  assert.equal(second.existenceUnknown, undefined);
  assert.equal((read(second, 'SubnetId').value as ReferenceValue).reference, 'aws_subnet.private[1].id');
  assert.deepEqual(read(resource(result, 'aws_sagemaker_notebook_instance.counted[1]'), 'NotebookInstanceName').value, 'counted-1');
  const beta = resource(result, 'aws_sagemaker_notebook_instance.team["beta"]');
  assert.deepEqual(read(beta, 'NotebookInstanceName'), { state: 'set', value: 'beta-nb', line: 53 });
  assert.deepEqual(read(beta, 'DirectInternetAccess'), { state: 'set', value: 'Enabled', line: 54 });
  assert.equal(beta.existenceUnknown, undefined);

  const unknown = resource(result, 'aws_sagemaker_notebook_instance.per_subnet[*]');
  assert.equal(unknown.existenceUnknown, 'count depends on length(data.aws_subnets.all.ids), known only after apply');
  assert.equal(read(unknown, 'NotebookInstanceName').state, 'unknown');
});

test('modules: inputs, count and for_each on calls, nested modules, outputs, root detection', () => {
  const result = scan(['modules/root', 'modules/modules/notebook', 'modules/modules/notebook/inner']);
  const root = join(TESTDATA, 'modules', 'root', 'main.tf');
  const moduleFile = join(TESTDATA, 'modules', 'modules', 'notebook', 'main.tf');
  assert.deepEqual(result.errors, [
    { file: root, line: 40, message: 'module "missing": source ./does-not-exist can\'t be used: no such file or directory' },
  ]);
  assert.deepEqual(
    result.resources.map((r) => r.id),
    [
      'aws_sagemaker_notebook_instance.uses_outputs',
      'module.single.aws_sagemaker_notebook_instance.this',
      'module.single.module.inner.aws_sagemaker_domain.this',
      'module.counted[0].aws_sagemaker_notebook_instance.this',
      'module.counted[0].module.inner.aws_sagemaker_domain.this',
      'module.counted[1].aws_sagemaker_notebook_instance.this',
      'module.counted[1].module.inner.aws_sagemaker_domain.this',
      'module.teams["alpha"].aws_sagemaker_notebook_instance.this',
      'module.teams["alpha"].module.inner.aws_sagemaker_domain.this',
      'module.teams["beta"].aws_sagemaker_notebook_instance.this',
      'module.teams["beta"].module.inner.aws_sagemaker_domain.this',
      'module.maybe[*].aws_sagemaker_notebook_instance.this',
      'module.maybe[*].module.inner.aws_sagemaker_domain.this',
    ],
    'the module directories are not scanned again as roots',
  );

  const single = resource(result, 'module.single.aws_sagemaker_notebook_instance.this');
  assert.deepEqual(single.location, { file: moduleFile, line: 15 });
  assert.deepEqual(read(single, 'NotebookInstanceName'), { state: 'set', value: 'single', line: 16 });
  assert.deepEqual(read(single, 'DirectInternetAccess'), { state: 'set', value: 'Disabled', line: 17 });
  assert.equal((read(single, 'SubnetId').value as ReferenceValue).reference, 'aws_subnet.main.id');

  const counted = resource(result, 'module.counted[1].aws_sagemaker_notebook_instance.this');
  assert.deepEqual(read(counted, 'NotebookInstanceName'), { state: 'set', value: 'counted-1', line: 16 });
  assert.deepEqual(read(counted, 'DirectInternetAccess'), { state: 'set', value: 'Enabled', line: 17 }, 'the default applies');
  assert.deepEqual(read(counted, 'SubnetId'), { state: 'absent' });

  const inner = resource(result, 'module.teams["beta"].module.inner.aws_sagemaker_domain.this');
  assert.deepEqual(read(inner, 'DomainName').value, 'beta-domain');
  assert.deepEqual(read(inner, 'AppNetworkAccessType').value, 'VpcOnly');

  const maybe = resource(result, 'module.maybe[*].module.inner.aws_sagemaker_domain.this');
  assert.match(maybe.existenceUnknown!, /variable maybe_count has no value/);

  const outputs = resource(result, 'aws_sagemaker_notebook_instance.uses_outputs');
  assert.deepEqual(read(outputs, 'NotebookInstanceName'), { state: 'set', value: 'single-out', line: 44 });
  assert.equal((read(outputs, 'SubnetId').value as ReferenceValue).reference, 'module.remote.private_subnets[0]');
  assert.deepEqual(read(outputs, 'RoleArn').value, 'beta-out');
});

test('modules: a module directory scanned alone is a root of its own', () => {
  const result = scan(['modules/modules/notebook']);
  assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.this', 'module.inner.aws_sagemaker_domain.this']);
  assert.equal(read(result.resources[0]!, 'NotebookInstanceName').state, 'unknown');
});

test('a broken file is reported with its line and the other files still give their resources', () => {
  const result = scan(['broken']);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.file, join(TESTDATA, 'broken', 'bad.tf'));
  assert.equal(result.errors[0]!.line, 3);
  assert.match(result.errors[0]!.message, /^syntax error: /);
  assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.good']);
});

test('a loop of module calls is reported once and every resource comes once', () => {
  const result = scan(['loop/a', 'loop/b']);
  assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.a', 'module.b.aws_sagemaker_notebook_instance.b']);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.file, join(TESTDATA, 'loop', 'b', 'main.tf'));
  assert.equal(result.errors[0]!.line, 2);
  assert.match(result.errors[0]!.message, /module "a": module calls itself in a loop \(\. → \.\.\/b → \.\)/);
});

test('JSON syntax: templates, literal defaults, count, escapes, dynamic blocks, lines', () => {
  const result = scan(['json-syntax']);
  assert.deepEqual(result.errors, []);
  const file = join(TESTDATA, 'json-syntax', 'main.tf.json');
  assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.nb[0]', 'aws_sagemaker_notebook_instance.nb[1]']);
  const nb = resource(result, 'aws_sagemaker_notebook_instance.nb[1]');
  assert.deepEqual(nb.location, { file, line: 13 });
  assert.deepEqual(read(nb, 'NotebookInstanceName'), { state: 'set', value: 'nb-y', line: 16 });
  assert.deepEqual(read(nb, 'DirectInternetAccess'), { state: 'set', value: 'Disabled', line: 17 });
  assert.equal((read(nb, 'SubnetId').value as ReferenceValue).reference, 'aws_subnet.main.id');
  assert.deepEqual(read(nb, 'RoleArn').value, '${literally}');
  assert.deepEqual(read(nb, 'KmsKeyId').value, '${not_a_template}', 'variable defaults are literal in JSON');
  assert.deepEqual(read(nb, 'SecurityGroupIds').value, ['subnet-abc', 'sg-1']);
  assert.deepEqual(read(nb, 'InstanceMetadataServiceConfiguration').value, { MinimumInstanceMetadataServiceVersion: '2' });
  // A block the type doesn't declare stays a list of objects, named as CloudFormation would.
  assert.deepEqual(read(nb, 'TagBlock'), { state: 'set', value: [{ Value: 'x' }, { Value: 'y' }], line: 24 });
});

test('inline suppressions inside the block or directly above it, with reasons; an unknown rule id is an error at its line', () => {
  const result = scan(['suppressions']);
  const file = join(TESTDATA, 'suppressions', 'main.tf');
  assert.deepEqual(resource(result, 'aws_sagemaker_notebook_instance.inside').suppressions, [
    { ruleId: 'SageMaker-004', reason: 'data science sandbox, no customer data', location: { file, line: 2 }, source: 'inline' },
    { ruleId: 'SageMaker-005', reason: '', location: { file, line: 4 }, source: 'inline' },
  ]);
  assert.deepEqual(resource(result, 'aws_sagemaker_notebook_instance.above').suppressions, [
    { ruleId: 'SageMaker-004', reason: 'approved in TICKET-1', location: { file, line: 7 }, source: 'inline' },
    { ruleId: 'SageMaker-005', reason: 'approved in TICKET-1', location: { file, line: 7 }, source: 'inline' },
  ]);
  assert.deepEqual(
    result.errors.map((e) => [e.file, e.line, e.message.split(' (rules:')[0]]),
    [[file, 9, "cloudconform:skip: no rule 'Other-001'"]],
  );
  assert.equal(resource(result, 'aws_sagemaker_notebook_instance.none').suppressions, undefined);
});

test('__proto__ as a map key is data: for_each instances, merge, jsondecode, no prototype pollution', () => {
  const result = scan(['proto']);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.resources.map((r) => r.id), [
    'aws_sagemaker_notebook_instance.p["__proto__"]',
    'aws_sagemaker_notebook_instance.p["constructor"]',
  ]);
  const proto = resource(result, 'aws_sagemaker_notebook_instance.p["__proto__"]');
  assert.equal(read(proto, 'NotebookInstanceName').value, '__proto__');
  assert.equal(read(proto, 'DirectInternetAccess').value, 'Disabled');
  const [tag, ...others] = read(proto, 'Tags').value as Record<string, unknown>[];
  assert.deepEqual(others, []);
  assert.equal(tag!.Key, '__proto__');
  const value = tag!.Value as Record<string, unknown>;
  assert.deepEqual(Object.keys(value), ['polluted']);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('override files replace attributes of the resource they name', () => {
  const result = scan(['overrides']);
  assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.nb']);
  const nb = result.resources[0]!;
  const raw = nb.readProperty('DirectInternetAccess');
  assert.deepEqual(raw, { state: 'set', value: 'Disabled', location: { file: join(TESTDATA, 'overrides', 'main_override.tf'), line: 2 } });
  assert.deepEqual(read(nb, 'InstanceType'), { state: 'set', value: 'ml.t3.medium', line: 4 });
});

test('file functions read inside the configuration only', () => {
  const result = scan(['files']);
  const nb = resource(result, 'aws_sagemaker_notebook_instance.nb');
  assert.deepEqual(read(nb, 'NotebookInstanceName').value, 'from-file');
  assert.deepEqual(read(nb, 'PlatformIdentifier').value, 'notebook-al2-v2');
  assert.deepEqual(read(nb, 'KmsKeyId').value, 'missing');
  const outside = read(nb, 'RoleArn');
  assert.equal(outside.state, 'unknown');
  assert.match(outside.reason!, /outside the configuration|no file/);
});

test('a module may read templates its repository shares with the root module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudconform-tf-'));
  try {
    mkdirSync(join(dir, 'repo', 'env'), { recursive: true });
    mkdirSync(join(dir, 'repo', 'modules', 'nb'), { recursive: true });
    mkdirSync(join(dir, 'repo', 'templates'));
    writeFileSync(join(dir, 'repo', 'templates', 'name.tpl'), 'nb-${env}');
    writeFileSync(join(dir, 'secret.txt'), 'not for reports');
    writeFileSync(join(dir, 'repo', 'env', 'main.tf'), 'module "nb" {\n  source = "../modules/nb"\n}\n');
    writeFileSync(
      join(dir, 'repo', 'modules', 'nb', 'main.tf'),
      [
        'resource "aws_sagemaker_notebook_instance" "this" {',
        '  name     = templatefile("${path.module}/../../templates/name.tpl", { env = "prod" })',
        '  role_arn = file("${path.module}/../../../secret.txt")',
        '}',
        '',
      ].join('\n'),
    );
    const [nb] = scanTerraformDirectories([join(dir, 'repo', 'env')]).resources;
    assert.equal(read(nb!, 'NotebookInstanceName').value, 'nb-prod');
    assert.match(read(nb!, 'RoleArn').reason!, /outside the configuration/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('symlink loops and unreadable files are errors, not crashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudconform-tf-'));
  try {
    mkdirSync(join(dir, 'root'));
    writeFileSync(join(dir, 'root', 'main.tf'), 'module "x" {\n  source = "../spin"\n}\nresource "aws_sagemaker_notebook_instance" "ok" {\n  name = "ok"\n}\n');
    symlinkSync(join(dir, 'spin'), join(dir, 'spin'));
    symlinkSync(join(dir, 'root', 'self.tf'), join(dir, 'root', 'self.tf'));
    const result = scanTerraformDirectories([join(dir, 'root')]);
    assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.ok']);
    const messages = result.errors.map((e) => `${e.file.slice(dir.length)}:${e.line ?? ''}: ${e.message}`).sort();
    assert.deepEqual(messages, [
      '/root/main.tf:2: module "x": source ../spin can\'t be used: symbolic link loop',
      '/root/self.tf:: can\'t read file: symbolic link loop',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a module calling its own directory is a loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudconform-tf-'));
  try {
    writeFileSync(join(dir, 'main.tf'), 'module "again" {\n  source = "./"\n}\nresource "aws_sagemaker_notebook_instance" "nb" {\n  name = "nb"\n}\n');
    const result = scanTerraformDirectories([dir]);
    assert.deepEqual(result.resources.map((r) => r.id), ['aws_sagemaker_notebook_instance.nb']);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]!.message, /calls itself in a loop/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('downloaded remote modules are evaluated through .terraform/modules/modules.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudconform-tf-'));
  try {
    const downloaded = join(dir, '.terraform', 'modules', 'nb');
    mkdirSync(downloaded, { recursive: true });
    writeFileSync(join(dir, 'main.tf'), 'module "nb" {\n  source = "example/notebook/aws"\n  access = "Disabled"\n}\n');
    writeFileSync(join(downloaded, 'main.tf'), 'variable "access" {}\nresource "aws_sagemaker_notebook_instance" "this" {\n  direct_internet_access = var.access\n}\n');
    writeFileSync(
      join(dir, '.terraform', 'modules', 'modules.json'),
      JSON.stringify({ Modules: [{ Key: '', Source: '', Dir: '.' }, { Key: 'nb', Source: 'registry.terraform.io/example/notebook/aws', Dir: '.terraform/modules/nb' }] }),
    );
    // The downloaded directory is listed too, as a scan of the tree would find it.
    const result = scanTerraformDirectories([dir, downloaded]);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.resources.map((r) => r.id), ['module.nb.aws_sagemaker_notebook_instance.this']);
    assert.equal(read(result.resources[0]!, 'DirectInternetAccess').value, 'Disabled');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown values deep inside lists are UnknownValue markers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudconform-tf-'));
  try {
    writeFileSync(
      join(dir, 'main.tf'),
      'variable "sg" {}\nresource "aws_sagemaker_notebook_instance" "nb" {\n  security_groups = ["sg-1", var.sg]\n  subnet_id = "${var.sg}-x"\n}\n',
    );
    const nb = scanTerraformDirectories([dir]).resources[0]!;
    const groups = read(nb, 'SecurityGroupIds');
    assert.equal(groups.state, 'set');
    assert.equal((groups.value as unknown[])[0], 'sg-1');
    assert.ok((groups.value as unknown[])[1] instanceof UnknownValue);
    assert.deepEqual(read(nb, 'SubnetId'), { state: 'unknown', reason: 'variable sg has no value', line: 4 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
