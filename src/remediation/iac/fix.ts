// `cloudconform fix`: scans, hands every failing resource whose rule has a desired state to its
// format's fixer, writes (or diffs) what the fixers changed, then scans again to prove it.
import { compareStrings } from '../../model/report';
import { readdirSync } from 'node:fs';
import type { Config } from '../../engine/config';
import type { Finding, ScanReport } from '../../model/report';
import { scan } from '../../engine/scan';
import { findRule } from '../../rules/index';
import type { GivenParameters } from '../../sources/cloudformation/parameters';
import type { TerraformInputs } from '../../sources/terraform/variables';
import type { ScanError } from '../../sources/source';
import { FixFiles } from './fix-files';
import { emptyFixResult, type FixChange, type FixInputs, type FixResult, type FixTarget, type ManualDecision, type ReadFile } from './fixer';
import { newLineMapper, oldLineMapper, unifiedDiff } from './patch';

/** Each format's fixer (src/sources/<format>/fixer.ts), passed in so the engine depends on none. */
export interface FormatFixers {
  /**
   * `readFile`: how the fixer reads any other file it edits (only files read this way are written).
   * `decisionLines`: which text the decisions' lines (and lines their messages name) are of: `read`
   * on a dry run (the file stays as it is), `written` otherwise.
   */
  cloudFormation(file: string, text: string, targets: FixTarget[], inputs: FixInputs, readFile: ReadFile, decisionLines?: 'read' | 'written'): FixResult;
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
  /** The scans follow links out of the paths given; fix still writes nothing outside them. */
  followExternalSymlinks?: boolean;
  /** `--skip-path` globs: files and directories fix leaves alone (as scan's skipPaths). */
  skipPaths?: string[];
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
  /** Files written (empty on a dry run). `changes` are those made in these files (on a dry run: in the files fix would write). */
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

  // Each file is read once: the fixers edit, the diffs compare against, and the writes check
  // against the same text; only files read here may be written.
  const files = new FixFiles(paths);
  const readText: ReadFile = (path) => files.read(path);

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
  // Which template each CloudFormation change fixes a resource of: logical ids are per template.
  const templateOf = new Map<FixChange, string>();
  for (const [file, fileTargets] of byFile) {
    let text: string;
    try {
      text = readText(file);
    } catch (e) {
      errors.push({ file, message: `could not read the template to fix it: ${(e as Error).message}` });
      continue;
    }
    const part = guard(fileTargets, () => fixers.cloudFormation(file, text, fileTargets, options.inputs, readText, options.dryRun ? 'read' : 'written'));
    for (const change of part.changes) templateOf.set(change, file);
    merge(result, part);
  }
  // Terraform's decisions cite lines of the files as read (CloudFormation's follow decisionLines).
  const readLineDecisions = new Set<ManualDecision>();
  if (terraform.length > 0) {
    const listDir = (dir: string) => readdirSync(dir);
    const part = guard(terraform, () => fixers.terraform(terraform, options.inputs, readText, listDir, paths));
    for (const d of part.manual) readLineDecisions.add(d);
    merge(result, part);
  }

  const diffs: FileDiff[] = [];
  const changed: { path: string; text: string }[] = [];
  /** Per changed file, a line of its new text to the line on disk now (what a file not written shows). */
  const toDisk = new Map<string, (line: number) => number>();
  for (const [file, after] of [...result.files].sort(([a], [b]) => compareStrings(a, b))) {
    let before: string | undefined;
    try {
      before = readText(file);
    } catch {
      // not read by this run (a fixer's bug): refused below, shown as a new file
    }
    if (before === after) continue;
    const edits = result.edits?.get(file);
    diffs.push({ file, patch: unifiedDiff(file, before ?? '', after, edits) });
    changed.push({ path: file, text: after });
    toDisk.set(file, oldLineMapper(before ?? '', after, edits));
  }
  const { written, notWritten } = writeChanges(files, changed, result.changes, templateOf, options.dryRun, errors);

  // "Changed" means written: the changes in a file not written are dropped, and where a person
  // must act (a refusal), each resource's changes there become one decision.
  const wrote = new Set(written);
  // Fixers place changes on the new text's lines; a file left as it is (a dry run, a refusal) is
  // cited at its lines on disk.
  for (const change of result.changes) {
    if (!wrote.has(change.file)) change.line = toDisk.get(change.file)?.(change.line) ?? change.line;
  }
  const refusedChanges = new Map<string, { change: FixChange; message: string; descriptions: string[] }>();
  const kept: FixChange[] = [];
  for (const change of result.changes) {
    const why = notWritten.get(change.file);
    if (why === undefined) {
      if (options.dryRun || wrote.has(change.file)) kept.push(change);
      continue;
    }
    if (!why.decision) continue;
    const key = `${change.file}\0${change.ruleId}\0${change.resourceId}`;
    const seen = refusedChanges.get(key);
    if (seen) seen.descriptions.push(change.description);
    else refusedChanges.set(key, { change, message: why.message, descriptions: [change.description] });
  }
  for (const { change, message, descriptions } of refusedChanges.values()) {
    const { file, line, ruleId, resourceId } = change;
    result.manual.push({ file, line, ruleId, resourceId, message: `not written: ${message}; make the change by hand: ${descriptions.join('; ')}` });
  }
  result.changes = kept;
  // A decision citing lines as read, in a file now written, is cited where those lines are now;
  // so are the `FILE:LINE` its message names in written files.
  if (wrote.size > 0) {
    const toWritten = new Map<string, (line: number) => number>();
    for (const file of written) {
      const text = result.files.get(file);
      if (text !== undefined) toWritten.set(file, newLineMapper(readText(file), text, result.edits?.get(file)));
    }
    const names = [...toWritten.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    const reference = names.length > 0 ? new RegExp(`(?<![\\w./-])(${names.join('|')}):(\\d+)\\b`, 'g') : undefined;
    for (const d of result.manual) {
      if (!readLineDecisions.has(d)) continue;
      d.line = toWritten.get(d.file)?.(d.line) ?? d.line;
      if (reference) d.message = d.message.replace(reference, (_, file: string, line: string) => `${file}:${toWritten.get(file)!(Number(line))}`);
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function scanFor(paths: string[], options: FixOptions): Promise<ScanReport> {
  return scan(paths, {
    config: options.config,
    ruleIds: options.ruleIds,
    terraform: options.terraform,
    varFiles: options.varFiles,
    vars: options.vars,
    cloudFormationParameters: options.cloudFormationParameters,
    ...(options.followExternalSymlinks ? { followExternalSymlinks: true } : {}),
    ...(options.skipPaths?.length ? { skipPaths: options.skipPaths } : {}),
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
  for (const [file, edits] of part.edits ?? []) (into.edits ??= new Map()).set(file, edits);
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
  return items.sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line);
}

/**
 * Writes the changed files. A fix spanning files (changes of one resource in several) is all or
 * nothing: when one file is refused (outside the paths given, read-only, hard-linked) or can't be
 * written (changed since read, locked by another run), its partners are not written either.
 * Refusals are decisions for a person; failures are errors. A dry run only decides.
 */
function writeChanges(
  files: FixFiles,
  changed: { path: string; text: string }[],
  changes: FixChange[],
  templateOf: ReadonlyMap<FixChange, string>,
  dryRun: boolean,
  errors: ScanError[],
): { written: string[]; notWritten: Map<string, { message: string; decision: boolean }> } {
  const written: string[] = [];
  const notWritten = new Map<string, { message: string; decision: boolean }>();
  // Two names of one file (a link and its target, both scanned): written once.
  const distinct: { path: string; text: string }[] = [];
  for (const file of changed) {
    const first = distinct.find((d) => files.sameFile(d.path, file.path));
    if (!first) distinct.push(file);
    else if (first.text === file.text) notWritten.set(file.path, { message: `it is ${first.path}`, decision: false });
    else {
      const message = `${file.path} is the same file as ${first.path} (a link), which fix changes differently: not written`;
      notWritten.set(file.path, { message, decision: false });
      errors.push({ file: file.path, message });
    }
  }
  for (const group of groupsOf(distinct, changes, templateOf)) {
    const refused = group.map((f) => [f.path, files.refusal(f.path)] as const).find(([, why]) => why !== undefined);
    if (refused) {
      const [path, why] = refused;
      for (const f of group) notWritten.set(f.path, { message: f.path === path ? why! : `the same fix also changes ${path}, which is not written (${why})`, decision: true });
      continue;
    }
    if (dryRun) continue;
    const failed = files.writeTogether(group);
    for (const f of group) {
      const why = failed.get(f.path);
      if (why === undefined) written.push(f.path);
      else {
        notWritten.set(f.path, { message: why, decision: false });
        errors.push({ file: f.path, message: why });
      }
    }
  }
  return { written: written.sort((a, b) => compareStrings(a, b)), notWritten };
}

/**
 * Files joined by a resource changed in each of them (union-find over the changes' resources).
 * A CloudFormation logical id means something only in its template (`templateOf`): two templates
 * with a `Notebook` each are not one fix.
 */
function groupsOf(files: { path: string; text: string }[], changes: FixChange[], templateOf: ReadonlyMap<FixChange, string>): { path: string; text: string }[][] {
  const parent = new Map<string, string>(files.map((f) => [f.path, f.path]));
  const find = (p: string): string => {
    let root = p;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(p, root);
    return root;
  };
  const firstFileOf = new Map<string, string>();
  for (const c of changes) {
    if (!parent.has(c.file)) continue;
    const key = `${templateOf.get(c) ?? ''}\0${c.ruleId}\0${c.resourceId}`;
    const other = firstFileOf.get(key);
    if (other === undefined) firstFileOf.set(key, c.file);
    else parent.set(find(c.file), find(other));
  }
  const groups = new Map<string, { path: string; text: string }[]>();
  for (const f of files) {
    const root = find(f.path);
    groups.set(root, [...(groups.get(root) ?? []), f]);
  }
  return [...groups.values()];
}
