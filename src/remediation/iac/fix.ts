// `cloudconform fix`: scans, hands every failing resource whose rule has a desired state to its
// format's fixer, writes (or diffs) what the fixers changed, then scans again to prove it.
import { chmodSync, readFileSync, readdirSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Config } from '../../engine/config';
import type { Finding, ScanReport } from '../../engine/report';
import { scan } from '../../engine/scan';
import { findRule } from '../../rules/index';
import type { GivenParameters } from '../../sources/cloudformation/parameters';
import type { TerraformInputs } from '../../sources/terraform/variables';
import type { ScanError } from '../../sources/source';
import { emptyFixResult, type FixChange, type FixInputs, type FixResult, type FixTarget, type ManualDecision, type ReadFile } from './fixer';

/** Each format's fixer (src/sources/<format>/fixer.ts), passed in so the engine depends on none. */
export interface FormatFixers {
  cloudFormation(file: string, text: string, targets: FixTarget[], inputs: FixInputs): FixResult;
  /** `searchRoots`: the paths scanned, where a child module's callers are looked for. */
  terraform(targets: FixTarget[], inputs: FixInputs, readFile: ReadFile, listDir: (dir: string) => string[], searchRoots: string[]): FixResult;
}

export interface FixOptions {
  config: Config;
  ruleIds?: string[];
  inputs: FixInputs;
  /** Compute and return the diffs; write nothing. */
  dryRun: boolean;
  /** Terraform's variables, environment and workspace the scans use. */
  terraform?: TerraformInputs;
  /** Shorthand for API callers: these files, then these variables, after `terraform.args`. */
  varFiles?: string[];
  vars?: Record<string, string>;
  /** CloudFormation parameter values the scans use (`--parameter`, `--parameters-file`). */
  cloudFormationParameters?: GivenParameters;
}

export interface FileDiff {
  file: string;
  /** Unified diff, `a/FILE` -> `b/FILE`. */
  patch: string;
}

export interface FixOutcome {
  /** Failing resources a rule knows how to fix, before fixing. */
  targets: FixTarget[];
  changes: FixChange[];
  manual: ManualDecision[];
  diffs: FileDiff[];
  /** Files written (empty on a dry run). */
  written: string[];
  /** The scan's errors (unreadable or broken files), and files that could not be written. */
  errors: ScanError[];
  /** After writing: the findings that still fail (a re-scan). Absent on a dry run. */
  remaining?: Finding[];
  /**
   * After writing: fixed resources whose verdict is now unknown, typically because a parameter or
   * variable the fix added has no value yet (a Terraform variable without default may be null).
   */
  unknownAfter?: Finding[];
}

/** Fixes every failing resource it can under `paths`. Never throws for a broken input file: it is an error entry. */
export async function fix(paths: string[], options: FixOptions, fixers: FormatFixers): Promise<FixOutcome> {
  const report = await scanFor(paths, options);
  const targets = fixTargets(report);
  const result = emptyFixResult();
  const errors: ScanError[] = [...report.errors];

  // Each file is read once: the fixers edit, and the diffs compare against, the same text.
  const texts = new Map<string, string>();
  const readText: ReadFile = (path) => {
    let text = texts.get(path);
    if (text === undefined) {
      text = readFileSync(path, 'utf8');
      texts.set(path, text);
    }
    return text;
  };

  const byFile = new Map<string, FixTarget[]>();
  const terraform: FixTarget[] = [];
  for (const { target, source } of targets) {
    if (source === 'cloudformation') byFile.set(target.file, [...(byFile.get(target.file) ?? []), target]);
    else if (source === 'terraform') terraform.push(target);
    else {
      result.manual.push({
        ...where(target),
        message: 'a plan is generated from Terraform configuration: fix the configuration that produced it (run fix on its directory), then plan again',
      });
    }
  }
  for (const [file, fileTargets] of byFile) {
    let text: string;
    try {
      text = readText(file);
    } catch (e) {
      errors.push({ file, message: `could not read the template to fix it: ${(e as Error).message}` });
      continue;
    }
    merge(result, guard(fileTargets, () => fixers.cloudFormation(file, text, fileTargets, options.inputs)));
  }
  if (terraform.length > 0) {
    const listDir = (dir: string) => readdirSync(dir);
    merge(result, guard(terraform, () => fixers.terraform(terraform, options.inputs, readText, listDir, paths)));
  }

  const diffs: FileDiff[] = [];
  const written: string[] = [];
  for (const [file, after] of [...result.files].sort(([a], [b]) => a.localeCompare(b))) {
    let before = '';
    try {
      before = readText(file);
    } catch {
      // a file the fixer creates (none today) has no "before"
    }
    if (before === after) continue;
    diffs.push({ file, patch: createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 }) });
    if (options.dryRun) continue;
    try {
      writeAtomically(file, after);
      written.push(file);
    } catch (e) {
      errors.push({ file, message: `could not write the fixed file: ${(e as Error).message}` });
    }
  }

  const outcome: FixOutcome = {
    targets: targets.map((t) => t.target),
    changes: sortByPlace(result.changes),
    manual: sortByPlace(mergeSameDecisions(result.manual)),
    diffs,
    written,
    errors,
  };
  if (!options.dryRun) {
    const after = await scanFor(paths, options);
    outcome.remaining = after.findings.filter(isFixableFailure);
    const fixed = new Set(outcome.targets.map((t) => `${t.ruleId}\0${t.resourceId}`));
    outcome.unknownAfter = after.findings.filter((f) => f.result === 'unknown' && !f.suppressed && fixed.has(`${f.ruleId}\0${f.resource.id}`));
  }
  return outcome;
}

function scanFor(paths: string[], options: FixOptions): Promise<ScanReport> {
  return scan(paths, {
    config: options.config,
    ruleIds: options.ruleIds,
    terraform: options.terraform,
    varFiles: options.varFiles,
    vars: options.vars,
    cloudFormationParameters: options.cloudFormationParameters,
  });
}

/** A failure `fix` is for: not suppressed, and its rule has a desired state. */
function isFixableFailure(f: Finding): boolean {
  return f.result === 'fail' && !f.suppressed && findRule(f.ruleId)?.desired !== undefined;
}

/** One target per fixable failure (a finding is one rule on one resource). */
function fixTargets(report: ScanReport): { target: FixTarget; source: string }[] {
  const out: { target: FixTarget; source: string }[] = [];
  for (const f of report.findings) {
    if (!isFixableFailure(f)) continue;
    const desired = findRule(f.ruleId)!.desired!;
    out.push({
      source: f.resource.source,
      target: { ruleId: f.ruleId, resourceType: f.resource.type, resourceId: f.resource.id, file: f.location.file, line: f.location.line, desired },
    });
  }
  return out;
}

function where(t: FixTarget): Pick<ManualDecision, 'file' | 'line' | 'ruleId' | 'resourceId'> {
  return { file: t.file, line: t.line, ruleId: t.ruleId, resourceId: t.resourceId };
}

/** A fixer that throws loses its own targets only: each becomes a decision for a person, with the reason. */
function guard(targets: FixTarget[], run: () => FixResult): FixResult {
  try {
    return run();
  } catch (e) {
    const result = emptyFixResult();
    for (const t of targets) result.manual.push({ ...where(t), message: `not fixed automatically: ${(e as Error)?.message ?? String(e)}` });
    return result;
  }
}

function merge(into: FixResult, part: FixResult): void {
  for (const [file, text] of part.files) into.files.set(file, text);
  into.changes.push(...part.changes);
  into.manual.push(...part.manual);
}

/** Instances of one block (`count`, `for_each`) share its decisions: one entry, naming them all. */
function mergeSameDecisions(decisions: ManualDecision[]): ManualDecision[] {
  const byPlace = new Map<string, ManualDecision>();
  for (const d of decisions) {
    const key = `${d.file}\0${d.line}\0${d.ruleId}\0${d.message}`;
    const seen = byPlace.get(key);
    if (!seen) byPlace.set(key, { ...d });
    else if (!seen.resourceId.split(', ').includes(d.resourceId)) seen.resourceId = `${seen.resourceId}, ${d.resourceId}`;
  }
  return [...byPlace.values()];
}

function sortByPlace<T extends { file: string; line: number }>(items: T[]): T[] {
  return items.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/**
 * Writes through a symlink to its target, via a temporary file in the same directory and a
 * rename, so a crash never leaves a half-written template; the file's mode is kept.
 */
function writeAtomically(file: string, text: string): void {
  const real = realpathSync(file);
  const mode = statSync(real).mode & 0o7777;
  const temp = join(dirname(real), `.${basename(real)}.cloudconform-fix-${process.pid}`);
  writeFileSync(temp, text, { mode });
  chmodSync(temp, mode);
  renameSync(temp, real);
}
