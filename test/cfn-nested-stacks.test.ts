// Nested stacks: a child template is evaluated as each parent deploys it (with the parameters the
// parent passes), besides on its own; remote, escaping, cyclic or unresolvable children are notes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

/** A child whose notebook is safe with its own defaults; the parent decides its access and subnet. */
const CHILD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Access: { Type: String, Default: Disabled, AllowedValues: [Enabled, Disabled] }
  Subnet: { Type: String, Default: subnet-0123456789abcdef0 }
Resources:
  ChildNotebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: !Ref Access
      SubnetId: !Ref Subnet
`;

const parent = (stacks: string, extra = '') => `AWSTemplateFormatVersion: '2010-09-09'
${extra}Resources:
${stacks}`;

const stack = (id: string, url: string, parameters = '{ Access: Enabled }', more = '') => `  ${id}:
    Type: AWS::CloudFormation::Stack
${more}    Properties:
      TemplateURL: ${url}
      Parameters: ${parameters}
`;

interface Outcome {
  findings: { id: string; result: string; message: string; file: string; line: number }[];
  notes: { message: string; file?: string; line?: number }[];
  errors: { file: string; message: string }[];
  root: string;
}

async function scanTree(files: Record<string, string>, paths?: (root: string) => string[], setup?: (root: string) => void): Promise<Outcome> {
  const t = makeTree(files);
  try {
    setup?.(t.root);
    const report = await scan(paths ? paths(t.root) : [t.root], { config: emptyConfig(), jobs: 1 });
    return {
      findings: report.findings.map((f) => ({ id: f.resource.id, result: f.result, message: f.message, file: f.location.file.slice(t.root.length + 1), line: f.location.line })),
      notes: (report.notes ?? []).map((n) => ({ ...n, ...(n.file ? { file: n.file.slice(t.root.length + 1) } : {}) })),
      errors: report.errors,
      root: t.root,
    };
  } finally {
    t.cleanup();
  }
}

describe('nested stacks', () => {
  test('the child is evaluated with the parameters the parent passes: one result per parent instance', async () => {
    const out = await scanTree({
      'parent.yaml': parent(stack('NotebookStack', 'child.yaml') + stack('SafeStack', './child.yaml', '{ Access: Disabled }')),
      'child.yaml': CHILD,
    });
    assert.deepEqual(out.errors, []);
    const byId = new Map(out.findings.map((f) => [f.id, f]));
    assert.equal(byId.get('ChildNotebook')?.result, 'pass', 'standalone, with its defaults');
    const open = byId.get('NotebookStack/ChildNotebook');
    assert.equal(open?.result, 'fail', 'as NotebookStack deploys it');
    assert.equal(open!.file, 'child.yaml');
    assert.match(open!.message, /NotebookStack/);
    assert.match(open!.message, /parent\.yaml:3\b/);
    assert.equal(byId.get('SafeStack/ChildNotebook')?.result, 'pass');
  });

  test('a parameter the parent passes that cannot be resolved offline is unknown in the child', async () => {
    const out = await scanTree({
      'parent.yaml': parent(stack('S', 'child.yaml', '{ Access: !ImportValue shared-access }')),
      'child.yaml': CHILD,
    });
    const f = out.findings.find((x) => x.id === 'S/ChildNotebook');
    assert.equal(f?.result, 'unknown');
    assert.match(f!.message, /shared-access/);
  });

  test("the parent's own parameters and conditions decide what it passes", async () => {
    const out = await scanTree({
      'parent.yaml': parent(
        stack('S', 'child.yaml', '{ Access: !Ref Mode, Subnet: !Ref ParentSubnet }', '    Condition: Wanted\n'),
        `Parameters:\n  Mode: { Type: String, Default: Enabled }\n  ParentSubnet: { Type: 'AWS::EC2::Subnet::Id' }\n  Env: { Type: String }\nConditions:\n  Wanted: !Equals [!Ref Env, prod]\n`,
      ),
      'child.yaml': CHILD,
    });
    const f = out.findings.find((x) => x.id === 'S/ChildNotebook');
    assert.equal(f?.result, 'fail');
    assert.match(f!.message, /Condition Wanted/);
  });

  test('text the parent builds from a deploy-time value stays unknown in the child, also inside an Fn::If', async () => {
    const child = `Parameters:
  Access: { Type: String, Default: closed }
Conditions:
  IsOpen: !Equals [!Ref Access, open]
Resources:
  ChildNotebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !If [IsOpen, Enabled, Disabled]
      SubnetId: subnet-0123456789abcdef0
`;
    const out = await scanTree({
      'parent.yaml': parent(
        stack('Sub', 'child.yaml', "{ Access: !Sub '${Mode}' }") + stack('IfSub', 'child.yaml', "!If [Always, { Access: !Sub '${Mode}' }, {}]"),
        'Parameters:\n  Mode: { Type: String }\nConditions:\n  Always: !Equals [a, a]\n',
      ),
      'child.yaml': child,
    });
    for (const id of ['Sub/ChildNotebook', 'IfSub/ChildNotebook']) {
      assert.equal(out.findings.find((f) => f.id === id)?.result, 'unknown', `${id}: ${JSON.stringify(out.findings)}`);
    }
  });

  test('nesting follows grandchildren, addressed Outer/Inner/Resource', async () => {
    const out = await scanTree({
      'top.yaml': parent(stack('Outer', 'mid/mid.yaml', '{ Access: Enabled }')),
      'mid/mid.yaml': parent(stack('Inner', '../child.yaml', '{ Access: !Ref Access }'), 'Parameters:\n  Access: { Type: String, Default: Disabled }\n'),
      'child.yaml': CHILD,
    });
    const ids = out.findings.map((f) => `${f.id}:${f.result}`).sort();
    assert.deepEqual(ids, ['ChildNotebook:pass', 'Inner/ChildNotebook:pass', 'Outer/Inner/ChildNotebook:fail']);
  });

  test('a remote TemplateURL is a note saying the child was not evaluated', async () => {
    const out = await scanTree({
      'parent.yaml': parent(
        stack('Remote', 'https://s3.amazonaws.com/bucket/child.yaml') +
          stack('S3', 's3://bucket/child.yaml') +
          stack('Cdk', "!Join ['', ['https://s3.', !Ref AWS::Region, '.amazonaws.com/cdk-assets/0123.json']]"),
      ),
    });
    assert.deepEqual(out.errors, []);
    assert.equal(out.notes.length, 3);
    assert.match(out.notes.find((n) => /Cdk/.test(n.message))!.message, /known only at deploy time/);
    for (const note of out.notes) {
      assert.equal(note.file, 'parent.yaml');
      assert.match(note.message, /not evaluated/);
    }
  });

  test('a TemplateURL leaving the scanned tree is never read: a note instead', async () => {
    const out = await scanTree(
      {
        'scanned/parent.yaml': parent(
          stack('Up', '../outside/child.yaml') + stack('Abs', '/etc/passwd') + stack('Link', 'link.yaml') + stack('Passwd', '../../../../../../../../etc/passwd'),
        ),
        'outside/child.yaml': CHILD,
      },
      (root) => [join(root, 'scanned')],
      (root) => symlinkSync(join(root, 'outside', 'child.yaml'), join(root, 'scanned', 'link.yaml')),
    );
    assert.equal(out.findings.filter((f) => f.id.includes('/')).length, 0, JSON.stringify(out.findings));
    assert.equal(out.notes.filter((n) => /^nested stack .*outside the scanned paths/.test(n.message)).length, 4, JSON.stringify(out.notes));
    assert.ok(!JSON.stringify(out).includes('root:x:0'), 'nothing of /etc/passwd is shown');
  });

  test('a child that is a FIFO, a directory or too large is a note, never a hang', async () => {
    const out = await scanTree(
      { 'parent.yaml': parent(stack('Fifo', 'pipe.yaml') + stack('Dir', 'sub') + stack('Big', 'big.yaml')), 'sub/x.txt': 'x', 'big.yaml': CHILD + '#'.repeat(9 * 1024 * 1024) },
      undefined,
      (root) => execFileSync('mkfifo', [join(root, 'pipe.yaml')]),
    );
    const messages = out.notes.map((n) => n.message).join('\n');
    for (const id of ['Fifo', 'Dir', 'Big']) assert.match(messages, new RegExp(`nested stack ${id} was not evaluated`));
  });

  test('NoEcho values never show: a TemplateURL built from one, a value passed to the child', async () => {
    const out = await scanTree({
      'parent.yaml': parent(
        stack('Remote', '!Sub "https://example.com/${Token}/child.yaml"', '{}') + stack('Passed', 'child.yaml', '{ Access: !Ref Token }'),
        'Parameters:\n  Token: { Type: String, NoEcho: true, Default: TopSecretTokenValue0123456789TopSecretTokenValue0123456789TopSecretTokenValue }\n',
      ),
      'child.yaml': CHILD,
    });
    const all = JSON.stringify(out);
    assert.ok(!all.includes('TopSecret'), all);
    assert.ok(out.notes.some((n) => /Remote was not evaluated/.test(n.message)));
    assert.ok(out.findings.some((f) => f.id === 'Passed/ChildNotebook'));
  });

  test('cycles end with a note (A nests B nests A), as does a template nesting itself', async () => {
    const out = await scanTree({
      'a.yaml': parent(stack('B', 'b.yaml', '{}')) + CHILD.split('Resources:\n')[1],
      'b.yaml': parent(stack('A', 'a.yaml', '{}')),
      'self.yaml': parent(stack('Me', 'self.yaml', '{}')),
    });
    assert.ok(out.notes.some((n) => /cycle/.test(n.message)), JSON.stringify(out.notes));
    assert.ok(out.findings.length < 10);
  });

  test('fan-out and depth are bounded: a wide, deep nesting ends quickly with an error entry (the scan is incomplete)', async () => {
    const files: Record<string, string> = {};
    const levels = 12;
    for (let level = 0; level < levels; level++) {
      let stacks = '';
      for (let i = 0; i < 10; i++) stacks += stack(`S${i}`, `l${level + 1}.yaml`, '{}');
      files[`l${level}.yaml`] = parent(stacks) + CHILD.split('Resources:\n')[1];
    }
    files[`l${levels}.yaml`] = CHILD;
    const started = Date.now();
    const out = await scanTree(files);
    assert.ok(Date.now() - started < 20_000);
    assert.ok(out.findings.length < 5_000, `${out.findings.length} findings`);
    assert.ok(out.errors.some((e) => /limit|deep/.test(e.message)), JSON.stringify(out.errors.slice(0, 3)));
    assert.ok(!out.notes.some((n) => /limit|deep/.test(n.message)), 'a limit is an error, not a note');
  });

  test('attack: 200 harmless stacks, then one deploying the child open: the scan cannot pass (exit 2)', () => {
    let stacks = '';
    for (let i = 0; i < 200; i++) stacks += stack(`D${i}`, 'empty.yaml', '{}');
    stacks += stack('Open', 'child.yaml');
    const empty = "Resources:\n  Topic: { Type: AWS::SNS::Topic }\n";
    const t = makeTree({ 'parent.yaml': parent(stacks), 'child.yaml': CHILD, 'empty.yaml': empty });
    try {
      const r = spawnSync(process.execPath, [CLI, 'scan', t.root, '--format', 'json'], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout);
      assert.ok(report.errors.some((e: { message: string }) => /nested stack Open and the ones after it were not evaluated/.test(e.message)), r.stdout);
    } finally {
      t.cleanup();
    }
  });

  test('attack: a child nested deeper than the limit, deployed open from the top: an error entry, not a note', async () => {
    const files: Record<string, string> = {};
    const levels = 8;
    for (let level = 0; level < levels; level++) {
      files[`l${level}.yaml`] = `Parameters:\n  Access: { Type: String, Default: ${level === 0 ? 'Enabled' : 'Disabled'} }\n` + parent(stack('S', `l${level + 1}.yaml`, '{ Access: !Ref Access }'));
    }
    files[`l${levels}.yaml`] = CHILD;
    const out = await scanTree(files);
    assert.ok(out.errors.some((e) => /deeper than/.test(e.message)), JSON.stringify(out.errors));
  });

  test('an AWS::Serverless::Application with a local Location is followed too', async () => {
    const out = await scanTree({
      'sam.yaml': `Transform: AWS::Serverless-2016-10-31\nResources:\n  App:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: child.yaml\n      Parameters: { Access: Enabled }\n  Sar:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: { ApplicationId: 'arn:aws:serverlessrepo:us-east-1:1:applications/x', SemanticVersion: 1.0.0 }\n`,
      'child.yaml': CHILD,
    });
    assert.equal(out.findings.find((f) => f.id === 'App/ChildNotebook')?.result, 'fail');
    assert.ok(out.notes.some((n) => /Sar/.test(n.message) && /not evaluated/.test(n.message)));
  });

  test("a scanned file alone: a child in the file's directory is evaluated as the parent deploys it; one in another directory is a note", async () => {
    const out = await scanTree(
      { 'infra/parent.yaml': parent(stack('S', 'child.yaml') + stack('Up', '../other/child.yaml')), 'infra/child.yaml': CHILD, 'other/child.yaml': CHILD },
      (root) => [join(root, 'infra', 'parent.yaml')],
    );
    assert.equal(out.findings.find((f) => f.id === 'S/ChildNotebook')?.result, 'fail', JSON.stringify(out));
    assert.ok(!out.findings.some((f) => f.id.startsWith('Up/')));
    assert.ok(out.notes.some((n) => /nested stack Up .*outside the scanned paths/.test(n.message)), JSON.stringify(out.notes));
  });

  test('attack: a stack set deploys its inline TemplateBody with its Parameters: judged as deployed, at the stack set', async () => {
    const body = CHILD.split('\n').map((l) => `        ${l}`).join('\n');
    const set = (id: string, parameters: string, extra = '') => `  ${id}:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: ${id}
      PermissionModel: SELF_MANAGED
      Parameters: ${parameters}
${extra}      TemplateBody: |
${body}
`;
    const out = await scanTree({
      'sets.yaml': parent(
        set('Open', '[{ ParameterKey: Access, ParameterValue: Enabled }]') +
          set('Closed', '[]') +
          set('Overridden', '[]', '      StackInstancesGroup:\n        - Regions: [eu-west-1]\n          DeploymentTargets: { Accounts: ["111122223333"] }\n          ParameterOverrides: [{ ParameterKey: Access, ParameterValue: Enabled }]\n'),
      ),
    });
    const byId = Object.fromEntries(out.findings.map((f) => [f.id, f]));
    assert.equal(byId['Open/ChildNotebook']?.result, 'fail', JSON.stringify(out));
    assert.match(byId['Open/ChildNotebook']!.message, /stack set Open of .*sets\.yaml:\d+ \(its TemplateBody\)/);
    assert.equal(byId['Open/ChildNotebook']!.file, 'sets.yaml');
    assert.equal(byId['Closed/ChildNotebook']?.result, 'pass');
    assert.equal(byId['Overridden/ChildNotebook']?.result, 'unknown');
    assert.equal(byId['Open/ChildNotebook']!.line, 3, 'located at the stack set, not at a line of its body');
  });

  test('CLI: a failing parent instance fails the scan although the child passes on its own', () => {
    const t = makeTree({ 'parent.yaml': parent(stack('NotebookStack', 'child.yaml')), 'child.yaml': CHILD });
    try {
      writeFileSync(join(t.root, 'README.md'), 'not a template');
      const r = spawnSync(process.execPath, [CLI, 'scan', t.root], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /NotebookStack\/ChildNotebook/);
    } finally {
      t.cleanup();
    }
  });
});
