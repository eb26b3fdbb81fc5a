// --create-baseline records today's failures by finding key; --baseline then fails only on new ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError, readBaseline } from '../src/engine/baseline';
import { makeTree } from './helpers/fixtures';
import { findingOf, notebookCfn, notebookTf, runCli, scanJson } from './helpers/suppressions';

const KEY = 'a'.repeat(64);

test('create a baseline, then only new failures fail; fixed ones drop out', () => {
  const t = makeTree({
    'tf/main.tf': notebookTf('old'),
    'cfn/t.yaml': notebookCfn('Old'),
    'cfn/lab.yaml': notebookCfn('Lab', ['cloudconform:', '  skip:', '    - id: SageMaker-004', '      reason: lab']),
  });
  try {
    // Creating a baseline records; the exit code is the scan's as usual (1: there are failures).
    const create = runCli(['scan', '.', '--create-baseline', 'baseline.json'], t.root);
    assert.equal(create.code, 1, create.stderr);
    const file = JSON.parse(readFileSync(join(t.root, 'baseline.json'), 'utf8'));
    assert.equal(file.version, 1);
    assert.match(file.created, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(file.tool.name, 'cloudconform');
    assert.deepEqual(
      file.entries.map((e: { ruleId: string; resource: string; file: string }) => [e.ruleId, e.resource, e.file]).sort(),
      [
        ['SageMaker-004', 'Old', 'cfn/t.yaml'],
        ['SageMaker-004', 'aws_sagemaker_notebook_instance.old', 'tf/main.tf'],
      ],
      'failing and unknown findings only, not suppressed ones',
    );
    for (const e of file.entries) assert.match(e.key, /^[0-9a-f]{64}$/);

    const same = scanJson(['.', '--baseline', 'baseline.json'], t.root);
    assert.equal(same.code, 0, JSON.stringify(same.report.summary));
    assert.deepEqual(findingOf(same.report, 'Old').suppression, { reason: 'in baseline baseline.json', source: 'baseline', file: 'baseline.json' });
    assert.equal(same.report.summary.suppressed, 3);
    assert.equal(same.report.summary.failing, 0);

    writeFileSync(join(t.root, 'cfn/new.yaml'), notebookCfn('New'));
    const added = scanJson(['.', '--baseline', 'baseline.json'], t.root);
    assert.equal(added.code, 1);
    assert.equal(findingOf(added.report, 'New').suppressed, false);
    assert.equal(added.report.summary.failing, 1);
  } finally {
    t.cleanup();
  }
});

test('a baseline that is missing, malformed, too new or oversized is a usage error (exit 2)', () => {
  const t = makeTree({ 't.yaml': notebookCfn('Nb') });
  const write = (name: string, content: unknown) => writeFileSync(join(t.root, name), typeof content === 'string' ? content : JSON.stringify(content));
  try {
    write('broken.json', '{"version": 1, "entries": [');
    write('newer.json', { version: 2, entries: [] });
    write('badkey.json', { version: 1, entries: [{ key: 'not-a-key' }] });
    write('notlist.json', { version: 1, entries: { key: KEY } });
    write('many.json', { version: 1, entries: Array.from({ length: 100_001 }, () => ({ key: KEY })) });
    write('huge.json', `{"version": 1, "entries": [], "pad": "${'x'.repeat(8 * 1024 * 1024)}"}`);
    for (const [name, why] of [
      ['missing.json', /missing\.json/],
      ['broken.json', /broken\.json.*JSON/],
      ['newer.json', /newer/],
      ['badkey.json', /64 hex/],
      ['notlist.json', /entries/],
      ['many.json', /100,?000/],
      ['huge.json', /large|MB|bytes/],
    ] as const) {
      const r = runCli(['scan', '.', '--baseline', name], t.root);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, why, name);
      assert.equal(r.stdout, '', `${name}: no report when the baseline can't be used`);
    }
  } finally {
    t.cleanup();
  }
});

test('a hostile baseline can only match keys: __proto__ and extra fields do nothing', () => {
  const text = `{"version": 1, "__proto__": {"polluted": true}, "entries": [{"key": "${KEY}", "__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}]}`;
  const baseline = readBaseline('b.json', text);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(baseline.has(KEY), true);
  assert.equal(baseline.has('__proto__'), false);
  assert.equal(baseline.has('constructor'), false);
  assert.throws(() => readBaseline('b.json', '[]'), BaselineError);
  assert.throws(() => readBaseline('b.json', '{"version": 1}'), /entries/);
});

const SHARED_MODULE = `
variable "internet" {
  type = string
}
resource "aws_sagemaker_notebook_instance" "this" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/r"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0123456789abcdef0"
  direct_internet_access = var.internet
}
`;
const callerOf = (internet: string) => `module "nb" {\n  source   = "../../modules/nb"\n  internet = "${internet}"\n}\n`;

test('attack: one baseline entry for a shared module does not cover a new root that calls it (one key stood for every caller)', () => {
  const t = makeTree({ '.git/HEAD': 'x', 'modules/nb/main.tf': SHARED_MODULE, 'envs/dev/main.tf': callerOf('Enabled') });
  try {
    assert.equal(runCli(['scan', 'envs', '--create-baseline', 'baseline.json'], t.root).code, 1);
    // A new environment deploys the same module open.
    mkdirSync(join(t.root, 'envs', 'prod'));
    writeFileSync(join(t.root, 'envs', 'prod', 'main.tf'), callerOf('Enabled'));
    const r = scanJson(['envs', '--baseline', 'baseline.json'], t.root);
    assert.equal(r.code, 1, JSON.stringify(r.report.summary));
    const findings = r.report.findings as { resource: { root?: string }; suppressed: boolean; message: string }[];
    const byRoot = Object.fromEntries(findings.map((f) => [f.resource.root, f.suppressed]));
    assert.deepEqual(byRoot, { 'envs/dev': true, 'envs/prod': false });
    // Each finding says which root it is, in every format (the message).
    assert.ok(findings.some((f) => /root module envs\/prod/.test(f.message)));
  } finally {
    t.cleanup();
  }
});

/** A notebook in a subnet whose DirectInternetAccess is the parameter `Internet`, declared as given. */
function notebookOnParameter(declaration: string): string {
  return [
    'Parameters:',
    `  Internet: ${declaration}`,
    'Resources:',
    '  Nb:',
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    '      InstanceType: ml.t3.medium',
    '      RoleArn: arn:aws:iam::123456789012:role/r',
    '      SubnetId: subnet-0123456789abcdef0',
    '      DirectInternetAccess: !Ref Internet',
    '',
  ].join('\n');
}

test('attack: one baseline entry for a nested stack child does not cover another parent that deploys it', () => {
  const child = notebookOnParameter('{ Type: String }');
  const parent = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Resources:',
    '  Child:',
    '    Type: AWS::CloudFormation::Stack',
    '    Properties:',
    '      TemplateURL: ./child.yaml',
    '      Parameters: { Internet: Enabled }',
    '',
  ].join('\n');
  const t = makeTree({ '.git/HEAD': 'x', 'child.yaml': child, 'dev.yaml': parent });
  try {
    assert.equal(runCli(['scan', '.', '--create-baseline', 'baseline.json'], t.root).code, 1);
    writeFileSync(join(t.root, 'prod.yaml'), parent);
    const r = scanJson(['.', '--baseline', 'baseline.json'], t.root);
    assert.equal(r.code, 1, JSON.stringify(r.report.findings, null, 1));
    const findings = r.report.findings as { resource: { id: string; root?: string }; suppressed: boolean; result: string }[];
    const nested = findings.filter((f) => f.resource.id === 'Child/Nb');
    assert.deepEqual(Object.fromEntries(nested.map((f) => [f.resource.root, f.suppressed])), { 'dev.yaml': true, 'prod.yaml': false });
  } finally {
    t.cleanup();
  }
});

test('a baselined unknown that becomes a failure is new: the verdict got worse', () => {
  const unknownNb = notebookOnParameter('{ Type: String, AllowedValues: [Enabled, Disabled] }');
  const t = makeTree({ 't.yaml': unknownNb });
  try {
    runCli(['scan', '.', '--create-baseline', 'baseline.json'], t.root);
    const entries = JSON.parse(readFileSync(join(t.root, 'baseline.json'), 'utf8')).entries;
    assert.deepEqual(entries.map((e: { result: string }) => e.result), ['unknown']);
    assert.equal(scanJson(['.', '--baseline', 'baseline.json', '--fail-on-unknown'], t.root).code, 0);
    writeFileSync(join(t.root, 't.yaml'), unknownNb.replace('!Ref Internet', 'Enabled'));
    const worse = scanJson(['.', '--baseline', 'baseline.json'], t.root);
    assert.equal(worse.code, 1);
    assert.equal((worse.report.findings as { suppressed: boolean }[])[0]!.suppressed, false);
  } finally {
    t.cleanup();
  }
});

test("red team: roots are named from the repository, not the working directory (each environment's job scanning '.' shared one key)", () => {
  const t = makeTree({ '.git/HEAD': 'x', 'modules/nb/main.tf': SHARED_MODULE, 'envs/dev/main.tf': callerOf('Enabled'), 'envs/prod/main.tf': callerOf('Enabled') });
  try {
    const prod = join(t.root, 'envs', 'prod');
    const dev = join(t.root, 'envs', 'dev');
    assert.equal(runCli(['scan', '.', '--create-baseline', join(t.root, 'baseline.json')], prod).code, 1);
    const entries = JSON.parse(readFileSync(join(t.root, 'baseline.json'), 'utf8')).entries;
    assert.deepEqual(entries.map((e: { root?: string }) => e.root), ['envs/prod']);
    assert.equal(scanJson(['.', '--baseline', join(t.root, 'baseline.json')], prod).code, 0);
    const other = scanJson(['.', '--baseline', join(t.root, 'baseline.json')], dev);
    assert.equal(other.code, 1, 'dev is not prod');
    // A trailing slash or ./ changes nothing, and the root module's own resources get no root.
    for (const spelling of ['envs/prod/', './envs//prod']) {
      const r = scanJson([spelling], t.root);
      assert.deepEqual(r.report.findings.map((f: { resource: { root?: string } }) => f.resource.root), ['envs/prod'], spelling);
    }
  } finally {
    t.cleanup();
  }
});
