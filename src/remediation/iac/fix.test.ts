// The fix engine with stand-in fixers: how it picks targets, guards against a fixer that throws,
// writes atomically (through symlinks inside the scanned paths, keeping the mode), and proves the result by re-scanning.
// The real fixers are tested in src/sources/*/fixer*.test.ts and end to end in test/fix/.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyConfig } from '../../engine/config';
import { fix, type FormatFixers } from './fix';
import { emptyFixResult, type FixTarget } from './fixer';

const OPEN_NOTEBOOK = `Resources:
  Open:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
`;
const PRIVATE_NOTEBOOK = `Resources:
  Private:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Disabled
      SubnetId: subnet-0abc1234
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cc-fix-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A CloudFormation "fixer" that rewrites `Enabled` to `Disabled` and adds a literal subnet: enough to exercise the engine. */
function replacingFixer(calls: FixTarget[][] = []): FormatFixers {
  return {
    cloudFormation(file, text, targets) {
      calls.push(targets);
      const result = emptyFixResult();
      result.files.set(file, text.replace('DirectInternetAccess: Enabled', 'DirectInternetAccess: Disabled\n      SubnetId: subnet-0def5678'));
      for (const t of targets) result.changes.push({ file, line: 7, ruleId: t.ruleId, resourceId: t.resourceId, description: 'DirectInternetAccess: Enabled -> Disabled' });
      return result;
    },
    terraform: () => emptyFixResult(),
  };
}

const options = (dryRun: boolean) => ({ config: emptyConfig(), inputs: {}, dryRun });

describe('fix engine', () => {
  it('targets failing resources only, with the rule\'s desired state and the finding\'s place', async () => {
    writeFileSync(join(dir, 'open.yaml'), OPEN_NOTEBOOK);
    writeFileSync(join(dir, 'private.yaml'), PRIVATE_NOTEBOOK);
    const calls: FixTarget[][] = [];
    const outcome = await fix([dir], options(true), replacingFixer(calls));
    assert.equal(calls.length, 1);
    const [target] = calls[0]!;
    assert.equal(target!.resourceId, 'Open');
    assert.equal(target!.ruleId, 'SageMaker-004');
    assert.equal(target!.line, 7, 'the deciding property\'s line');
    assert.deepEqual(target!.desired.set, [{ property: 'DirectInternetAccess', value: 'Disabled' }]);
    assert.equal(outcome.targets.length, 1);
  });

  it('a dry run returns a unified diff and writes nothing', async () => {
    const file = join(dir, 'open.yaml');
    writeFileSync(file, OPEN_NOTEBOOK);
    const outcome = await fix([dir], options(true), replacingFixer());
    assert.equal(readFileSync(file, 'utf8'), OPEN_NOTEBOOK);
    assert.deepEqual(outcome.written, []);
    assert.equal(outcome.remaining, undefined);
    assert.equal(outcome.diffs.length, 1);
    assert.match(outcome.diffs[0]!.patch, /^-\s+DirectInternetAccess: Enabled$/m);
    assert.match(outcome.diffs[0]!.patch, /^\+\s+DirectInternetAccess: Disabled$/m);
    assert.match(outcome.diffs[0]!.patch, /^\+\s+SubnetId: subnet-0def5678$/m);
  });

  it('writes atomically, keeps the file mode, writes through a symlink to its target inside the scanned paths, then re-scans', async () => {
    mkdirSync(join(dir, 'real'));
    const real = join(dir, 'real', 'open.yaml');
    writeFileSync(real, OPEN_NOTEBOOK);
    chmodSync(real, 0o640);
    const scanned = join(dir, 'scanned');
    mkdirSync(scanned);
    symlinkSync(real, join(scanned, 'open.yaml'));
    const outcome = await fix([scanned, join(dir, 'real')], options(false), replacingFixer());
    assert.match(readFileSync(real, 'utf8'), /DirectInternetAccess: Disabled/);
    assert.equal(statSync(real).mode & 0o777, 0o640);
    assert.ok(statSync(join(scanned, 'open.yaml'), { throwIfNoEntry: true }).isFile());
    assert.deepEqual(readdirSync(join(dir, 'real')), ['open.yaml'], 'no temporary file left behind');
    assert.deepEqual(outcome.remaining, [], 'the re-scan finds nothing failing');
  });

  it('a fixer that throws loses only its own targets, each a decision for a person with the reason', async () => {
    writeFileSync(join(dir, 'a.yaml'), OPEN_NOTEBOOK);
    writeFileSync(join(dir, 'b.yaml'), OPEN_NOTEBOOK.replace('Open:', 'Other:'));
    const fixers = replacingFixer();
    const real = fixers.cloudFormation;
    fixers.cloudFormation = (file, text, targets, inputs, readFile) => {
      if (file.endsWith('a.yaml')) throw new Error('unexpected node at 3:5');
      return real(file, text, targets, inputs, readFile);
    };
    const outcome = await fix([dir], options(false), fixers);
    assert.deepEqual(outcome.manual.map((m) => [m.resourceId, m.message]), [['Open', 'not fixed automatically: unexpected node at 3:5']]);
    assert.equal(outcome.written.length, 1);
    assert.deepEqual(outcome.remaining!.map((f) => f.resource.id), ['Open'], 'the re-scan shows what is still failing');
  });

  it('one decision shared by several instances of a block is reported once, naming them all', async () => {
    writeFileSync(join(dir, 'a.yaml'), OPEN_NOTEBOOK);
    writeFileSync(join(dir, 'b.yaml'), OPEN_NOTEBOOK.replace('Open:', 'Other:'));
    const fixers: FormatFixers = {
      cloudFormation(_file, _text, targets) {
        const result = emptyFixResult();
        for (const t of targets) result.manual.push({ file: 'shared.tf', line: 3, ruleId: t.ruleId, resourceId: t.resourceId, message: 'decide' });
        return result;
      },
      terraform: () => emptyFixResult(),
    };
    const outcome = await fix([dir], options(true), fixers);
    assert.deepEqual(outcome.manual.map((m) => [m.file, m.line, m.resourceId]), [['shared.tf', 3, 'Open, Other']]);
  });

  it('plan files are never edited: the configuration that produced them is the place to fix', async () => {
    const plan = {
      format_version: '1.2',
      terraform_version: '1.9.5',
      resource_changes: [
        {
          address: 'aws_sagemaker_notebook_instance.nb',
          mode: 'managed',
          type: 'aws_sagemaker_notebook_instance',
          name: 'nb',
          provider_name: 'registry.terraform.io/hashicorp/aws',
          change: { actions: ['create'], before: null, after: { name: 'nb', direct_internet_access: 'Enabled' }, after_unknown: {} },
        },
      ],
    };
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
    const outcome = await fix([dir], options(false), replacingFixer());
    assert.equal(outcome.manual.length, 1);
    assert.match(outcome.manual[0]!.message, /fix the configuration that produced it/);
    assert.deepEqual(outcome.written, []);
  });

  it('a broken template is an error entry; the others are still fixed', async () => {
    writeFileSync(join(dir, 'open.yaml'), OPEN_NOTEBOOK);
    writeFileSync(join(dir, 'broken.yaml'), 'Resources:\n  X:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties: [unclosed\n');
    const outcome = await fix([dir], options(false), replacingFixer());
    assert.ok(outcome.errors.some((e) => e.file.endsWith('broken.yaml')), JSON.stringify(outcome.errors));
    assert.equal(outcome.written.length, 1);
  });
});
