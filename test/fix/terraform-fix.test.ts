// Every Terraform example of the fixable rules, plus module and count/for_each fixtures, through
// the real scan -> fixTerraform -> write -> re-scan loop: what was fixed passes, what needs a
// person is exactly what the fixer said, fixed files still parse, and a second pass has nothing to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../../src/engine/scan';
import { emptyConfig } from '../../src/engine/config';
import type { Finding } from '../../src/model/report';
import { findRule } from '../../src/rules/index';
import type { FixInputs, FixResult, FixTarget } from '../../src/remediation/iac/fixer';
import { fixTerraform } from '../../src/sources/terraform/fixer';
import { fix } from '../../src/remediation/iac/fix';
import { FORMAT_FIXERS } from '../../src/remediation/iac/format-fixers';
import { parseHcl } from '../../src/sources/terraform/hcl/parser';
import { parseTerraformJson } from '../../src/sources/terraform/json-syntax';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `manual`: resources with a ManualDecision; they still fail unless in `fixedDespiteManual` (a note that goes with the edits). */
const CASES: { name: string; dir: string; manual: { withoutInputs: string[]; withInputs: string[] }; fixedDespiteManual?: string[] }[] = [
  {
    name: 'SageMaker-004 terraform example',
    dir: 'src/rules/sagemaker-004/examples/terraform',
    manual: {
      withoutInputs: ['aws_sagemaker_notebook_instance.fail_lowercase', 'aws_sagemaker_notebook_instance.team["beta"]'],
      withInputs: ['aws_sagemaker_notebook_instance.fail_lowercase', 'aws_sagemaker_notebook_instance.team["beta"]'],
    },
  },
  { name: 'SageMaker-004 terraform-json example', dir: 'src/rules/sagemaker-004/examples/terraform-json', manual: { withoutInputs: [], withInputs: [] } },
  { name: 'SageMaker-005 terraform example', dir: 'src/rules/sagemaker-005/examples/terraform', manual: { withoutInputs: [], withInputs: [] } },
  { name: 'SageMaker-005 terraform-json example', dir: 'src/rules/sagemaker-005/examples/terraform-json', manual: { withoutInputs: [], withInputs: [] } },
  {
    name: 'modules called once',
    dir: 'test/fixtures/fix/terraform/module-once',
    // Without inputs the studio module gets new variables its caller must pass: the domain is
    // fixed (VpcOnly passes the rule) but the call site needs a person.
    manual: { withoutInputs: ['module.studio.aws_sagemaker_domain.this'], withInputs: [] },
    fixedDespiteManual: ['module.studio.aws_sagemaker_domain.this'],
  },
  { name: 'count and for_each instances', dir: 'test/fixtures/fix/terraform/instances', manual: { withoutInputs: [], withInputs: [] } },
];

const INPUTS: FixInputs = { 'subnet-id': 'subnet-0f1x', 'subnet-ids': ['subnet-0f1x'], 'security-group-ids': ['sg-0f1x'], 'vpc-id': 'vpc-0f1x' };

/** Values the user gives the variables the fixer adds when there are no inputs. */
const NEW_VARIABLE_VALUES = {
  notebook_subnet_id: 'subnet-0f1x',
  notebook_security_group_ids: '["sg-0f1x"]',
  domain_vpc_id: 'vpc-0f1x',
  domain_subnet_ids: '["subnet-0f1x"]',
  domain_security_group_ids: '["sg-0f1x"]',
};

async function findings(dir: string, vars: Record<string, string> = {}): Promise<Finding[]> {
  const report = await scan([dir], { config: emptyConfig(), jobs: 1, vars });
  assert.deepEqual(report.errors, [], `scan errors in ${dir}`);
  return report.findings;
}

function targetsOf(found: Finding[]): FixTarget[] {
  return found
    .filter((f) => f.result === 'fail')
    .flatMap((f) => {
      const desired = findRule(f.ruleId)?.desired;
      return desired ? [{ ruleId: f.ruleId, resourceType: f.resource.type, resourceId: f.resource.id, file: f.location.file, line: f.location.line, desired }] : [];
    });
}

function runFix(targets: FixTarget[], inputs: FixInputs): FixResult {
  return fixTerraform(targets, inputs, (p) => readFileSync(p, 'utf8'), (d) => readdirSync(d));
}

function write(result: FixResult): void {
  for (const [path, text] of result.files) writeFileSync(path, text);
}

for (const c of CASES) {
  for (const withInputs of [false, true]) {
    test(`fix ${c.name} ${withInputs ? 'with' : 'without'} inputs: fixed resources pass, the rest are the manual decisions`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'cloudconform-tf-fix-'));
      try {
        const dir = join(root, 'cfg');
        cpSync(join(REPO, c.dir), dir, { recursive: true });
        const targets = targetsOf(await findings(dir));
        assert.ok(targets.length > 0, 'the case has failing resources');
        const inputs = withInputs ? INPUTS : {};
        const result = runFix(targets, inputs);
        const manualIds = [...new Set(result.manual.map((m) => m.resourceId))].sort();
        assert.deepEqual(manualIds, [...(withInputs ? c.manual.withInputs : c.manual.withoutInputs)].sort());
        for (const m of result.manual) assert.ok(m.line > 0 && m.message.length > 0);
        for (const change of result.changes) assert.ok(result.files.has(change.file), `change in an unchanged file: ${change.file}`);
        write(result);

        for (const [path, text] of result.files) {
          if (path.endsWith('.json')) parseTerraformJson(text);
          else parseHcl(text);
        }

        const vars = withInputs ? {} : NEW_VARIABLE_VALUES;
        const after = await findings(dir, vars);
        for (const target of targets) {
          const verdicts = after.filter((f) => f.resource.id === target.resourceId && f.ruleId === target.ruleId).map((f) => f.result);
          const stillFailing = manualIds.includes(target.resourceId) && !(c.fixedDespiteManual ?? []).includes(target.resourceId);
          const expected = stillFailing ? 'fail' : 'pass';
          assert.deepEqual(verdicts, [expected], `${target.resourceId} after the fix`);
        }

        const second = runFix(targetsOf(after), inputs);
        assert.equal(second.files.size, 0, `second pass changed ${[...second.files.keys()].join(', ')}`);
        const stillFailing = manualIds.filter((id) => !(c.fixedDespiteManual ?? []).includes(id));
        assert.deepEqual([...new Set(second.manual.map((m) => m.resourceId))].sort(), stillFailing);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
}

// A module's callers anywhere under the scanned paths, through the engine (`fix` with the real
// fixers): the scan, the fixer given the scan's paths, the write and the re-scan.

/** A copy of a fixture in a temporary directory, removed after `run`. */
async function inCopy(fixture: string, run: (dir: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'cloudconform-tf-callers-'));
  try {
    const dir = join(root, 'cfg');
    cpSync(join(REPO, fixture), dir, { recursive: true });
    await run(dir);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A module call the walk must not read: were it read, the module would have two callers. */
const STRAY_CALL = 'module "ml" {\n  source = "../../modules/notebook"\n  access = "Enabled"\n}\n';

test('fix: a module called from a sibling tree (envs/prod -> ../../modules/notebook) is fixed at its call site', async () => {
  await inCopy('test/fixtures/fix/terraform/sibling-envs', async (dir) => {
    // Dependencies, tool caches and linked directories hold no callers of the user's modules.
    for (const stray of ['node_modules/stale', '.terraform/old']) {
      mkdirSync(join(dir, stray), { recursive: true });
      writeFileSync(join(dir, stray, 'main.tf'), STRAY_CALL);
    }
    symlinkSync(join(dir, 'envs', 'prod'), join(dir, 'envs', 'prod-link'), 'dir');
    const prodMain = join(dir, 'envs', 'prod', 'main.tf');
    const before = readFileSync(prodMain, 'utf8');

    const outcome = await fix([dir], { config: emptyConfig(), inputs: {}, dryRun: false }, FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.targets.map((t) => t.resourceId), ['module.ml.aws_sagemaker_notebook_instance.this']);
    assert.deepEqual(outcome.manual, []);
    assert.deepEqual(outcome.written, [prodMain]);
    assert.deepEqual(
      outcome.changes.map((c) => [c.file, c.line, c.description]),
      [[prodMain, 5, `DirectInternetAccess: argument access of module "ml" at ${prodMain}:2: "Enabled" -> "Disabled"`]],
    );
    assert.equal(readFileSync(prodMain, 'utf8'), before.replace('access             = "Enabled"', 'access             = "Disabled"'));
    assert.deepEqual(outcome.remaining, []);
  });
});

test('fix: a module called from two environments is a decision naming both call sites, and nothing changes', async () => {
  await inCopy('test/fixtures/fix/terraform/two-envs', async (dir) => {
    const outcome = await fix([dir], { config: emptyConfig(), inputs: {}, dryRun: false }, FORMAT_FIXERS);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(outcome.changes, []);
    assert.equal(outcome.manual.length, 1);
    const [decision] = outcome.manual;
    const moduleMain = join(dir, 'modules', 'notebook', 'main.tf');
    assert.equal(decision!.file, moduleMain);
    assert.equal(readFileSync(moduleMain, 'utf8').split('\n')[decision!.line - 1]!.trim(), 'direct_internet_access = var.access');
    const dev = join(dir, 'envs', 'dev', 'main.tf');
    const prod = join(dir, 'envs', 'prod', 'main.tf');
    assert.ok(
      decision!.message.includes(`called from module "ml" at ${dev}:2, module "ml" at ${prod}:2 (searched under the scanned paths ${dir} (`),
      decision!.message,
    );
    assert.deepEqual(outcome.remaining?.map((f) => f.resource.id).sort(), ['module.ml.aws_sagemaker_notebook_instance.this', 'module.ml.aws_sagemaker_notebook_instance.this']);
  });
});
