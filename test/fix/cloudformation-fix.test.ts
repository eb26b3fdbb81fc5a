// The CloudFormation fixer end to end: every rule example and fixture template is scanned with the
// real engine, fixed (with and without the user's network inputs), written out and scanned again;
// then cfn-lint (pinned, in .venv) checks that what fix wrote is a valid template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { diffLines } from 'diff';
import { scan } from '../../src/engine/scan';
import { emptyConfig } from '../../src/engine/config';
import type { Finding } from '../../src/model/report';
import { findRule } from '../../src/rules/index';
import type { FixInputs, FixResult, FixTarget } from '../../src/remediation/iac/fixer';
import { fixCloudFormationTemplate } from '../../src/sources/cloudformation/fixer';
import { ensureVenv, PROJECT_ROOT, venvBin } from '../aws/venv';

interface Case {
  source: string;
  /** Resources the fixer must leave to a person (a value from a condition, an Fn::Sub...). */
  decided: string[];
}

const CASES: Case[] = [
  { source: 'src/rules/sagemaker-004/examples/cloudformation.yaml', decided: ['FailNoValue'] },
  { source: 'src/rules/sagemaker-004/examples/cloudformation.json', decided: ['FailSubEnabled'] },
  { source: 'src/rules/sagemaker-005/examples/cloudformation.yaml', decided: [] },
  { source: 'src/rules/sagemaker-005/examples/cloudformation.json', decided: [] },
  // NotebookAccess is a parameter whose AllowedValues lack Disabled; the mapping leaf is read once.
  { source: 'test/fixtures/fix/cloudformation/notebooks-commented.yaml', decided: [] },
  { source: 'test/fixtures/fix/cloudformation/studio.json', decided: [] },
];

const NETWORK: FixInputs = {
  'subnet-id': 'subnet-0fedcba9876543210',
  'subnet-ids': ['subnet-0fedcba9876543210', 'subnet-0fedcba9876543211'],
  'security-group-ids': ['sg-0fedcba9876543210'],
  'vpc-id': 'vpc-0fedcba9876543210',
};

async function findingsOf(path: string): Promise<Finding[]> {
  const report = await scan([path], { config: emptyConfig(), jobs: 1 });
  assert.deepEqual(report.errors, [], `${path} scans without errors`);
  return report.findings;
}

/** What `fix` passes a fixer: each failing finding of a rule that has a desired state. */
function targetsOf(findings: Finding[]): FixTarget[] {
  const targets: FixTarget[] = [];
  for (const finding of findings) {
    const desired = findRule(finding.ruleId)?.desired;
    if (finding.result !== 'fail' || !desired) continue;
    targets.push({
      ruleId: finding.ruleId,
      resourceType: finding.resource.type,
      resourceId: finding.resource.id,
      file: finding.location.file,
      line: finding.location.line,
      desired,
    });
  }
  return targets;
}

/** `after` is `before` with text inserted (a comma, an entry added to a one-line mapping): nothing removed. */
function isInsertionInto(before: string, after: string): boolean {
  if (after.length <= before.length) return false;
  let i = 0;
  for (let j = 0; j < after.length && i < before.length; j++) if (after[j] === before[i]) i++;
  return i === before.length;
}

/**
 * Every line the fix removed comes back either with only its value replaced (a reported
 * `old -> new` change) or with text inserted into it; no other line moved or changed.
 */
function assertOnlyNeededLinesChanged(before: string, after: string, result: FixResult, label: string): void {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const partLines = part.value.replace(/\n$/, '').split('\n');
    if (part.removed) removed.push(...partLines);
    else if (part.added) added.push(...partLines);
  }
  const afterLines = after.split('\n');
  const replaced = new Map<string, string>(); // old line -> new line, per reported replacement
  for (const change of result.changes.filter((c) => / -> /.test(c.description))) {
    const [, oldValue, newValue] = /: (\S+) -> (\S+?)(?: \(|$)/.exec(change.description) ?? [];
    assert.ok(oldValue && newValue, `${label}: change described as old -> new: ${change.description}`);
    const newLine = afterLines[change.line - 1]!;
    assert.ok(newLine.includes(newValue), `${label}: line ${change.line} holds ${newValue}: ${newLine}`);
    replaced.set(newLine.replace(newValue, oldValue), newLine);
  }
  const unused = [...added];
  for (const old of removed) {
    const index = unused.findIndex((line) => replaced.get(old) === line || isInsertionInto(old, line));
    assert.ok(index >= 0, `${label}: line changed beyond what the fix needs: ${old}`);
    unused.splice(index, 1);
  }
  assert.equal(replaced.size, [...replaced.keys()].filter((old) => removed.includes(old)).length, `${label}: each replaced value's line is one removed line`);
}

interface LintMessage {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] | null; Start: { LineNumber: number } };
}

function cfnLint(files: string[]): LintMessage[] {
  const run = spawnSync(venvBin('cfn-lint'), ['--format', 'json', '--', ...files], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 300_000 });
  // cfn-lint exits non-zero when it finds anything: its JSON says what.
  try {
    return JSON.parse(run.stdout) as LintMessage[];
  } catch {
    throw new Error(`cfn-lint gave no JSON (exit ${run.status ?? run.signal}): ${run.stderr || run.error?.message}`);
  }
}

test('every example template: fixed resources pass on a re-scan, a second fix changes nothing, and cfn-lint finds no error', async (t) => {
  const workDir = mkdtempSync(join(tmpdir(), 'cloudconform-fix-'));
  const venv = ensureVenv(); // installs cfn-lint on a fresh machine while the fixes run
  try {
    const linted: { original: string; fixed: string; label: string }[] = [];
    for (const { source, decided } of CASES) {
      for (const [variant, inputs] of [['parameters', {}], ['inputs', NETWORK]] as const) {
        const label = `${source} (${variant})`;
        const dir = mkdtempSync(join(workDir, `${variant}-`));
        const path = join(dir, basename(source));
        copyFileSync(join(PROJECT_ROOT, source), path);
        const before = readFileSync(path, 'utf8');
        const targets = targetsOf(await findingsOf(path));
        assert.ok(targets.length > 0, `${label} has failing resources to fix`);

        const result = fixCloudFormationTemplate(path, before, targets, inputs);
        const after = result.files.get(path);
        assert.ok(after !== undefined, `${label}: the template changed`);
        assert.deepEqual([...result.files.keys()], [path]);
        assert.deepEqual([...new Set(result.manual.map((m) => m.resourceId))].sort(), [...decided].sort(), `${label}: decisions`);
        for (const m of result.manual) assert.ok(m.line >= 1 && m.file === path);
        assertOnlyNeededLinesChanged(before, after, result, label);
        writeFileSync(path, after);

        // Re-scan: every finding of a changed resource passes, unless a person must decide, or the
        // network comes from a parameter the fixer added (its value is given at deploy time).
        const changed = new Set(result.changes.map((c) => c.resourceId));
        const addedParameters = result.changes.map((c) => /^added parameter (\w+)/.exec(c.description)?.[1]).filter((p) => p !== undefined);
        const findings = await findingsOf(path);
        for (const finding of findings.filter((f) => changed.has(f.resource.id) && !decided.includes(f.resource.id))) {
          const where = `${label}: ${finding.resource.id} ${finding.ruleId}`;
          if (finding.result === 'pass') continue;
          assert.equal(variant, 'parameters', `${where} is ${finding.result}: ${finding.message}`);
          assert.equal(finding.result, 'unknown', `${where}: ${finding.message}`);
          assert.ok(addedParameters.some((p) => finding.message.includes(`parameter ${p} has no Default`)), `${where}: ${finding.message}`);
        }
        if (variant === 'inputs') {
          for (const id of changed) assert.ok(decided.includes(id) || findings.some((f) => f.resource.id === id && f.result === 'pass'), `${label}: ${id} passes`);
        }

        // Idempotent: the re-scan's targets are only the decided ones, and they change nothing.
        const again = targetsOf(findings);
        assert.deepEqual([...new Set(again.map((target) => target.resourceId))].sort(), [...decided].sort(), `${label}: left to fix`);
        const second = fixCloudFormationTemplate(path, after, again, inputs);
        assert.deepEqual(second.files, new Map(), `${label}: a second fix changes nothing`);
        assert.deepEqual(second.changes, []);
        linted.push({ original: join(PROJECT_ROOT, source), fixed: path, label });
      }
    }

    await venv;
    const messages = cfnLint([...new Set(linted.flatMap((l) => [l.original, l.fixed]))]);
    const key = (m: LintMessage) => `${m.Rule.Id} ${(m.Location.Path ?? []).join('/')}`;
    for (const { original, fixed, label } of linted) {
      const ofFixed = messages.filter((m) => m.Filename === fixed);
      const errors = ofFixed.filter((m) => m.Level === 'Error');
      assert.deepEqual(errors.map((m) => `${m.Rule.Id} line ${m.Location.Start.LineNumber}: ${m.Message}`), [], `${label}: cfn-lint errors`);
      const warnings = ofFixed.filter((m) => m.Level === 'Warning');
      for (const w of warnings) t.diagnostic(`${label}: cfn-lint ${w.Rule.Id} line ${w.Location.Start.LineNumber}: ${w.Message}`);
      // A warning the original did not have comes from the fix.
      const known = new Set(messages.filter((m) => m.Filename === original).map(key));
      assert.deepEqual(warnings.filter((w) => !known.has(key(w))).map((w) => `${w.Rule.Id}: ${w.Message}`), [], `${label}: warnings the fix brought`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});
