// `fix` writes only what it read, only inside the paths it was given: attacks from a hostile tree
// (links out of it, a link planted at a temporary name, a file changed while fix runs, read-only
// and hard-linked files) through the real engine and fixers.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyConfig } from '../../src/engine/config';
import { fix, type FormatFixers } from '../../src/remediation/iac/fix';
import { emptyFixResult } from '../../src/remediation/iac/fixer';
import { FORMAT_FIXERS } from '../../src/remediation/iac/format-fixers';

const OPEN_NOTEBOOK = `Resources:
  Open:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
      SubnetId: subnet-0abc1234
      SecurityGroupIds: [sg-0abc1234]
`;
const FIXED = OPEN_NOTEBOOK.replace('Enabled', 'Disabled');
const options = (dryRun = false) => ({ config: emptyConfig(), inputs: {}, dryRun });
/** The scan follows links out of the tree (`--follow-external-symlinks`): fix must still not write there. */
const following = (dryRun = false) => ({ ...options(dryRun), followExternalSymlinks: true });

let root: string;
let tree: string;
let outside: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cc-fix-safety-'));
  tree = join(root, 'tree');
  outside = join(root, 'outside');
  mkdirSync(tree);
  mkdirSync(outside);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('fix never writes outside the paths it was given', () => {
  it('a symlinked template whose target is outside the tree is a decision naming the target, not an edit', async () => {
    const victim = join(outside, 'victim.yaml');
    writeFileSync(victim, OPEN_NOTEBOOK);
    symlinkSync(victim, join(tree, 'open.yaml'));
    const outcome = await fix([tree], following(), FORMAT_FIXERS);
    assert.equal(readFileSync(victim, 'utf8'), OPEN_NOTEBOOK, 'the file outside the tree is untouched');
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, [], 'nothing reported as changed');
    assert.equal(outcome.manual.length, 1, JSON.stringify(outcome.manual));
    assert.equal(outcome.manual[0]!.resourceId, 'Open');
    assert.match(outcome.manual[0]!.message, /outside the paths fix was given/);
    assert.ok(outcome.manual[0]!.message.includes(victim), outcome.manual[0]!.message);
  });

  it('the same holds on a dry run: the decision is announced, the diff still shown', async () => {
    const victim = join(outside, 'victim.yaml');
    writeFileSync(victim, OPEN_NOTEBOOK);
    symlinkSync(victim, join(tree, 'open.yaml'));
    const outcome = await fix([tree], following(true), FORMAT_FIXERS);
    assert.deepEqual(outcome.changes, []);
    assert.match(outcome.manual[0]!.message, /outside the paths fix was given/);
    assert.equal(outcome.diffs.length, 1);
  });

  it('a directory symlinked out of the tree: nothing under it is written', async () => {
    mkdirSync(join(outside, 'dir'));
    const victim = join(outside, 'dir', 'victim.yaml');
    writeFileSync(victim, OPEN_NOTEBOOK);
    symlinkSync(join(outside, 'dir'), join(tree, 'linked'), 'dir');
    const outcome = await fix([tree], following(), FORMAT_FIXERS);
    assert.equal(readFileSync(victim, 'utf8'), OPEN_NOTEBOOK);
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
  });

  it('a symlink whose target is inside the tree is written through, and stays a link', async () => {
    mkdirSync(join(tree, 'real'));
    const real = join(tree, 'real', 'open.yaml');
    writeFileSync(real, OPEN_NOTEBOOK);
    chmodSync(real, 0o640);
    mkdirSync(join(tree, 'scanned'));
    const link = join(tree, 'scanned', 'open.yaml');
    symlinkSync(real, link);
    // Only the link's directory is scanned at first: its target is outside that path.
    const narrow = await fix([join(tree, 'scanned')], options(), FORMAT_FIXERS);
    assert.deepEqual(narrow.written, []);
    assert.equal(readFileSync(real, 'utf8'), OPEN_NOTEBOOK);
    // The whole tree holds the target: the target is written once, through either name.
    const outcome = await fix([join(tree, 'scanned'), join(tree, 'real')], options(), FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.equal(readFileSync(real, 'utf8'), FIXED);
    assert.equal(outcome.written.length, 1, JSON.stringify(outcome.written));
    assert.ok(statSync(link, { throwIfNoEntry: true }).isFile());
    assert.equal(statSync(real).mode & 0o777, 0o640, 'the mode is kept');
    assert.deepEqual(readdirSync(join(tree, 'real')), ['open.yaml'], 'no temporary or lock file left behind');
    assert.deepEqual(outcome.remaining, []);
  });

  it('a Terraform module whose source is outside the tree is a decision naming the module file', async () => {
    mkdirSync(join(outside, 'nb'));
    const moduleMain = join(outside, 'nb', 'main.tf');
    const moduleText = `resource "aws_sagemaker_notebook_instance" "this" {
  name                   = "nb"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = "subnet-0abc1234"
  security_groups        = ["sg-0abc1234"]
  direct_internet_access = "Enabled"
}
`;
    writeFileSync(moduleMain, moduleText);
    writeFileSync(join(tree, 'main.tf'), 'module "nb" {\n  source = "../outside/nb"\n}\n');
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.equal(readFileSync(moduleMain, 'utf8'), moduleText, 'the module outside the tree is untouched');
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
    assert.equal(outcome.manual.length, 1, JSON.stringify(outcome.manual));
    assert.equal(outcome.manual[0]!.resourceId, 'module.nb.aws_sagemaker_notebook_instance.this');
    assert.ok(outcome.manual[0]!.message.includes(moduleMain), outcome.manual[0]!.message);
  });

  it('a fix that spans files is all or nothing: one file outside the tree stops the files inside it too', async () => {
    writeFileSync(join(tree, 'open.yaml'), OPEN_NOTEBOOK);
    const elsewhere = join(outside, 'params.yaml');
    writeFileSync(elsewhere, 'x: 1\n');
    const fixers: FormatFixers = {
      cloudFormation(file, text, targets, _inputs, readFile) {
        const result = emptyFixResult();
        readFile(elsewhere);
        result.files.set(file, text.replace('Enabled', 'Disabled'));
        result.files.set(elsewhere, 'x: 2\n');
        for (const t of targets) {
          result.changes.push({ file, line: 7, ruleId: t.ruleId, resourceId: t.resourceId, description: 'DirectInternetAccess: Enabled -> Disabled' });
          result.changes.push({ file: elsewhere, line: 1, ruleId: t.ruleId, resourceId: t.resourceId, description: 'x: 1 -> 2' });
        }
        return result;
      },
      terraform: () => emptyFixResult(),
    };
    const outcome = await fix([tree], options(), fixers);
    assert.equal(readFileSync(join(tree, 'open.yaml'), 'utf8'), OPEN_NOTEBOOK);
    assert.equal(readFileSync(elsewhere, 'utf8'), 'x: 1\n');
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
    assert.equal(outcome.manual.length, 2);
    assert.ok(outcome.manual.every((m) => m.message.includes(elsewhere)), JSON.stringify(outcome.manual));
  });

  it('a file no reader of this run read is never written', async () => {
    writeFileSync(join(tree, 'open.yaml'), OPEN_NOTEBOOK);
    const unread = join(tree, 'unread.yaml');
    writeFileSync(unread, 'x: 1\n');
    const fixers: FormatFixers = {
      cloudFormation(file, text, targets) {
        const result = emptyFixResult();
        result.files.set(unread, 'x: 2\n');
        for (const t of targets) result.changes.push({ file: unread, line: 1, ruleId: t.ruleId, resourceId: t.resourceId, description: 'x' });
        return result;
      },
      terraform: () => emptyFixResult(),
    };
    const outcome = await fix([join(tree, 'open.yaml')], options(), fixers);
    assert.equal(readFileSync(unread, 'utf8'), 'x: 1\n');
    assert.deepEqual(outcome.written, []);
    assert.equal(outcome.manual.length, 1);
  });
});

describe('fix writes through no name it did not create, and only the file it read', () => {
  it('a symlink planted at the temporary name fix used to use is not written through', async () => {
    const file = join(tree, 'open.yaml');
    writeFileSync(file, OPEN_NOTEBOOK);
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    chmodSync(victim, 0o600);
    // The old, predictable name: `.<name>.cloudconform-fix-<pid>` beside the target.
    symlinkSync(victim, join(tree, `.open.yaml.cloudconform-fix-${process.pid}`));
    const outcome = await fix([file], options(), FORMAT_FIXERS);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the link target is untouched');
    assert.equal(statSync(victim).mode & 0o777, 0o600, 'and keeps its mode');
    assert.equal(readFileSync(file, 'utf8'), FIXED);
    assert.deepEqual(outcome.written, [file]);
  });

  it('a file changed after fix read it is not replaced; the report says why and nothing is claimed', async () => {
    const file = join(tree, 'open.yaml');
    writeFileSync(file, OPEN_NOTEBOOK);
    const someoneElse = OPEN_NOTEBOOK.replace('InstanceType: ml.t3.medium', 'InstanceType: ml.t3.large');
    const fixers: FormatFixers = {
      cloudFormation(path, text, targets, inputs, readFile) {
        const result = FORMAT_FIXERS.cloudFormation(path, text, targets, inputs, readFile);
        writeFileSync(file, someoneElse); // another editor saves while fix is working
        return result;
      },
      terraform: () => emptyFixResult(),
    };
    const outcome = await fix([tree], options(), fixers);
    assert.equal(readFileSync(file, 'utf8'), someoneElse, "the other editor's work is kept");
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
    assert.equal(outcome.errors.length, 1, JSON.stringify(outcome.errors));
    assert.match(outcome.errors[0]!.message, /changed since fix read it/);
  });

  it('a link planted at the lock name is not written through: the file is an error, nothing written', async () => {
    const file = join(tree, 'open.yaml');
    writeFileSync(file, OPEN_NOTEBOOK);
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(tree, '.open.yaml.cloudconform-lock'));
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(readFileSync(file, 'utf8'), OPEN_NOTEBOOK);
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
    assert.match(outcome.errors[0]!.message, /in the way of fix's lock/);
  });

  it('a lock held by a live process stops the write; a lock left by a dead one is taken', async () => {
    const file = join(tree, 'open.yaml');
    const lockFile = join(tree, '.open.yaml.cloudconform-lock');
    writeFileSync(file, OPEN_NOTEBOOK);
    writeFileSync(lockFile, `${process.pid}\n`); // alive: this very process
    const held = await fix([tree], options(), FORMAT_FIXERS);
    assert.deepEqual(held.written, []);
    assert.match(held.errors[0]!.message, new RegExp(`another cloudconform fix \\(pid ${process.pid}\\) is writing it`));
    assert.equal(readFileSync(file, 'utf8'), OPEN_NOTEBOOK);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited by now
    writeFileSync(lockFile, `${dead}\n`);
    const taken = await fix([tree], options(), FORMAT_FIXERS);
    assert.deepEqual(taken.errors, []);
    assert.deepEqual(taken.written, [file]);
    assert.equal(readFileSync(file, 'utf8'), FIXED);
    assert.deepEqual(readdirSync(tree), ['open.yaml'], 'the stale lock is gone and ours released');
  });

  it('a read-only file is not replaced: a decision with the reason', async () => {
    const file = join(tree, 'open.yaml');
    writeFileSync(file, OPEN_NOTEBOOK);
    chmodSync(file, 0o444);
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.equal(readFileSync(file, 'utf8'), OPEN_NOTEBOOK);
    assert.equal(statSync(file).mode & 0o777, 0o444);
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
    assert.equal(outcome.manual.length, 1);
    assert.match(outcome.manual[0]!.message, /read-only/);
  });

  it('a hard-linked file keeps its link: a decision, nothing written through either name', async () => {
    const file = join(tree, 'open.yaml');
    writeFileSync(file, OPEN_NOTEBOOK);
    const other = join(outside, 'other-name.yaml');
    linkSync(file, other);
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.equal(readFileSync(file, 'utf8'), OPEN_NOTEBOOK);
    assert.equal(statSync(file).ino, statSync(other).ino, 'still one file');
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
    assert.equal(outcome.manual.length, 1);
    assert.match(outcome.manual[0]!.message, /hard links/);
  });
});

describe('fix keeps a template\'s encoding', () => {
  it('a JSON template with a UTF-8 byte-order mark is fixed and keeps the mark', async () => {
    const file = join(tree, 'open.json');
    const template = {
      Resources: {
        Open: {
          Type: 'AWS::SageMaker::NotebookInstance',
          Properties: { InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::111122223333:role/nb', DirectInternetAccess: 'Enabled', SubnetId: 'subnet-0abc1234', SecurityGroupIds: ['sg-0abc1234'] },
        },
      },
    };
    writeFileSync(file, `\uFEFF${JSON.stringify(template, null, 2)}\n`);
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.manual, []);
    assert.deepEqual(outcome.written, [file]);
    const bytes = readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the byte-order mark is kept');
    assert.equal(bytes.subarray(3).toString('utf8').includes('"Disabled"'), true);
    assert.equal(bytes.subarray(3).toString('utf8').includes('\uFEFF'), false, 'one mark, not two');
    assert.deepEqual(outcome.remaining, []);
  });

  it('a UTF-16 LE JSON template (PowerShell\'s default) is fixed and written back as UTF-16 LE with its mark', async () => {
    const file = join(tree, 'open.json');
    const template = {
      Resources: {
        Open: {
          Type: 'AWS::SageMaker::NotebookInstance',
          Properties: { InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::111122223333:role/nb', DirectInternetAccess: 'Enabled', SubnetId: 'subnet-0abc1234', SecurityGroupIds: ['sg-0abc1234'] },
        },
      },
    };
    writeFileSync(file, Buffer.from(`\uFEFF${JSON.stringify(template, null, 2)}\r\n`, 'utf16le'));
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.written, [file]);
    const bytes = readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
    const text = bytes.subarray(2).toString('utf16le');
    assert.equal(text, `${JSON.stringify({ ...template, Resources: { Open: { ...template.Resources.Open, Properties: { ...template.Resources.Open.Properties, DirectInternetAccess: 'Disabled' } } } }, null, 2)}\r\n`);
    assert.deepEqual(outcome.remaining, []);
  });
});

describe('fix keeps what the file was', () => {
  it('setuid and setgid bits are kept when the file is replaced (root: chown after chmod cleared them)', async () => {
    const suid = join(tree, 'suid.yaml');
    const sgid = join(tree, 'sgid.yaml');
    writeFileSync(suid, OPEN_NOTEBOOK.replace('Notebook:', 'Suid:'));
    writeFileSync(sgid, OPEN_NOTEBOOK.replace('Notebook:', 'Sgid:'));
    chmodSync(suid, 0o4755);
    chmodSync(sgid, 0o2755);
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.written.length, 2, JSON.stringify(outcome));
    assert.equal(statSync(suid).mode & 0o7777, 0o4755);
    assert.equal(statSync(sgid).mode & 0o7777, 0o2755);
  });
});

describe('fix leaves tool folders alone', () => {
  it('a downloaded registry module under .terraform/modules is a decision, never edited (terraform init overwrites it)', async () => {
    const copy = join(tree, '.terraform', 'modules', 'm');
    mkdirSync(copy, { recursive: true });
    writeFileSync(join(tree, 'main.tf'), 'module "m" {\n  source  = "terraform-aws-modules/sagemaker/aws"\n  version = "1.0.0"\n}\n');
    writeFileSync(
      join(tree, '.terraform', 'modules', 'modules.json'),
      JSON.stringify({ Modules: [{ Key: '', Source: '', Dir: '.' }, { Key: 'm', Source: 'registry.terraform.io/terraform-aws-modules/sagemaker/aws', Version: '1.0.0', Dir: '.terraform/modules/m' }] }),
    );
    const module = 'resource "aws_sagemaker_notebook_instance" "this" {\n  name = "x"\n  direct_internet_access = "Enabled"\n  subnet_id = "subnet-0abc1234"\n  security_groups = ["sg-0abc1234"]\n}\n';
    writeFileSync(join(copy, 'main.tf'), module);
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.equal(readFileSync(join(copy, 'main.tf'), 'utf8'), module, 'the downloaded copy is untouched');
    assert.deepEqual(outcome.written, []);
    assert.ok((outcome.remaining?.length ?? 0) > 0 || outcome.errors.length > 0, JSON.stringify(outcome));
  });
});

describe('fix groups only what belongs together', () => {
  it('two templates that each hold a resource named Notebook are separate fixes: a read-only one blocks only itself', async () => {
    writeFileSync(join(tree, 'a.yaml'), OPEN_NOTEBOOK);
    writeFileSync(join(tree, 'b.yaml'), OPEN_NOTEBOOK);
    chmodSync(join(tree, 'b.yaml'), 0o444);
    const outcome = await fix([tree], options(), FORMAT_FIXERS);
    assert.deepEqual(outcome.written, [join(tree, 'a.yaml')], JSON.stringify(outcome));
    assert.equal(readFileSync(join(tree, 'a.yaml'), 'utf8'), FIXED);
    assert.equal(readFileSync(join(tree, 'b.yaml'), 'utf8'), OPEN_NOTEBOOK);
  });
});
