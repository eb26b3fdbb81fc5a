import { ALL_RULES } from '../rules/index';
import { isAbsolute, relative } from 'node:path';
import { FILE_SOURCES, scanTerraformDirectories } from '../sources/index';
import type { SourceResult } from '../sources/source';
import type { GivenParameters } from '../sources/cloudformation/parameters';
import type { TerraformInputs } from '../sources/terraform/variables';
import type { ConfigException } from './config';
import { ExceptionMatcher } from './config';
import { RuleRunner } from './evaluate';
import { readTextFile, type ReadLimits } from './files';
import type { UnitResult } from './report';

/** A piece of scan work: one file, or Terraform directories that call each other as modules. */
export type ScanUnit =
  /** `named`: the user named this file (not found in a directory), so one that is not a template is said. */
  | { kind: 'file'; path: string; named?: boolean }
  /** Content already read: standard input, or a pipe named on the command line. */
  | { kind: 'text'; path: string; text: string }
  | { kind: 'terraform'; dirs: string[] };

/** Everything a unit needs, serialisable so worker threads can receive it. */
export interface ScanUnitContext {
  ruleIds: string[];
  exceptions: ConfigException[];
  /** The config's directory: exceptions' path globs are relative to it. */
  exceptionsDir?: string;
  readLimits: ReadLimits;
  /** Variables, environment and workspace for Terraform configurations. */
  terraform: TerraformInputs;
  /** Parameter values given for every template (`--parameter`, `--parameters-file`). */
  /** `nestedRoots`: real paths of the scanned directories (a file's own directory); nested stacks' templates are read only inside them. */
  cloudFormation: { parameters: GivenParameters; nestedRoots?: string[] };
  /** Directories the user named: the units record which of them held a template (UnitResult.templatesIn). */
  namedDirs?: string[];
  /** Set when the user gave `--var`, `--var-file` or `--parameter`: the names to look for (UnitResult.declaredInputs). */
  givenInputs?: { variables: string[]; parameters: string[] };
}

const NOT_A_TEMPLATE = 'not a CloudFormation template, Terraform configuration or plan';


/** Prepares the rule runner once per thread and scans units with it. */
export class UnitScanner {
  private readonly runner: RuleRunner;

  constructor(private readonly context: ScanUnitContext) {
    const wanted = new Set(context.ruleIds);
    this.runner = new RuleRunner(
      ALL_RULES.filter((r) => wanted.has(r.meta.id)),
      new ExceptionMatcher(context.exceptions, new Date(), context.exceptionsDir),
    );
  }

  scan(unit: ScanUnit, into: UnitResult): void {
    try {
      if (unit.kind === 'file') this.scanFile(unit.path, into, unit.named === true);
      else if (unit.kind === 'text') this.scanText(unit.path, unit.text, into, 'stream');
      else this.scanTerraform(unit.dirs, into);
    } catch (e) {
      // Sources report their own errors; this is the last guard so one input never stops the scan.
      const file = unit.kind === 'terraform' ? unit.dirs[0] ?? '.' : unit.path;
      into.errors.push({ file, message: `internal error while scanning: ${(e as Error)?.message ?? String(e)}` });
    }
    if (this.runner.matched.size > 0) into.matchedExceptions = mergeIndices(into.matchedExceptions, this.runner.matched);
  }

  private scanFile(path: string, into: UnitResult, named: boolean): void {
    const read = readTextFile(path, this.context.readLimits);
    if (!read.ok) {
      into.errors.push({ file: path, message: read.reason });
      return;
    }
    this.scanText(path, read.text, into, named ? 'file' : undefined);
  }

  /**
   * `named`: the user named this input, so content of no known format is said, not skipped: a
   * warning for a file (CloudFormation would refuse what detection refuses: a template is a mapping
   * with Resources, see detect.ts), an error for a stream (it may be a piped `.tf`, never read).
   */
  private scanText(path: string, text: string, into: UnitResult, named?: 'file' | 'stream'): void {
    const source = FILE_SOURCES.find((s) => s.detect(text, path));
    if (!source) {
      if (named === 'stream') {
        into.errors.push({
          file: path,
          message: 'not a CloudFormation template or Terraform plan JSON (a Terraform configuration is read from its directory, not from a stream)',
        });
      } else if (named === 'file') {
        const hint = /\.tfvars(\.json)?$/.test(path) ? ' (a variable file: give it with --var-file)' : '';
        (into.warnings ??= []).push({ file: path, message: NOT_A_TEMPLATE + hint });
      }
      return;
    }
    into.filesScanned++;
    (into.files ??= []).push(path);
    this.recordTemplateIn([path], into);
    const { parameters, nestedRoots } = this.context.cloudFormation;
    const result = source.scanFile(path, text, {
      cloudFormationParameters: parameters,
      ...(nestedRoots ? { nestedStacks: { roots: nestedRoots, readLimits: this.context.readLimits } } : {}),
    });
    const firstFinding = into.findings.length;
    const firstError = into.errors.length;
    const firstNote = into.notes?.length ?? 0;
    into.errors.push(...structuredClone(result.errors));
    if (result.notes?.length) (into.notes ??= []).push(...structuredClone(result.notes));
    for (const resource of result.resources) {
      into.resources++;
      this.runner.evaluate(resource, into.findings, into.errors);
    }
    if (result.secrets) maskSecrets(result.secrets, into, firstFinding, firstError, firstNote);
    if (source.kind === 'cloudformation') this.recordInputs(result.inputs, 'parameters', into);
  }

  private scanTerraform(dirs: string[], into: UnitResult): void {
    const result = scanTerraformDirectories(dirs, { ...this.context.terraform, readLimits: this.context.readLimits });
    const files = result.files ?? [];
    into.filesScanned += files.length;
    if (files.length) {
      (into.files ??= []).push(...files);
      this.recordTemplateIn(dirs, into);
    }
    this.recordInputs(result.inputs, 'variables', into);
    const firstFinding = into.findings.length;
    const firstError = into.errors.length;
    const firstNote = into.notes?.length ?? 0;
    into.errors.push(...structuredClone(result.errors));
    if (result.notes?.length) (into.notes ??= []).push(...structuredClone(result.notes));
    const reported = result.errors.length;
    for (const resource of result.resources) {
      into.resources++;
      this.runner.evaluate(resource, into.findings, into.errors);
    }
    // Properties are evaluated as rules read them: an evaluation budget spent then adds its error.
    into.errors.push(...structuredClone(result.errors.slice(reported)));
    // NoEcho values of templates aws_cloudformation_stack deploys.
    if (result.secrets) maskSecrets(result.secrets, into, firstFinding, firstError, firstNote);
  }

  /** Notes which named directories hold these recognised inputs (files, or a Terraform unit's directories). */
  private recordTemplateIn(paths: string[], into: UnitResult): void {
    const dirs = this.context.namedDirs;
    if (!dirs?.length || (into.templatesIn?.length ?? 0) === dirs.length) return;
    const found = (into.templatesIn ??= []);
    dirs.forEach((dir, i) => {
      if (!found.includes(i) && paths.some((p) => isWithin(dir, p))) found.push(i);
    });
  }

  /**
   * Of the names the user gave, those this unit declares (each once, so the list stays as short as
   * the command line), and what each `--var-file` sets: scan.ts warns of the rest.
   */
  private recordInputs(inputs: SourceResult['inputs'], kind: 'variables' | 'parameters', into: UnitResult): void {
    const given = this.context.givenInputs;
    if (!given || !inputs) return;
    const declared = (into.declaredInputs ??= { variables: [], parameters: [], varFiles: Object.create(null) as Record<string, string[]> });
    for (const [path, names] of Object.entries(inputs.varFiles ?? {})) declared.varFiles[path] ??= names;
    const wanted = new Set(kind === 'variables' ? [...given.variables, ...Object.values(declared.varFiles).flat()] : given.parameters);
    for (const name of inputs.declared) if (wanted.has(name) && !declared[kind].includes(name)) declared[kind].push(name);
  }
}

/** Is `path` in directory `dir` (both as walked: `dir` joined with what is below it)? */
export function isWithin(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** CloudFormation's own mask for NoEcho values. */
const MASK = '****';

/**
 * Replaces secret values in the messages of the findings, errors and notes from `firstFinding`,
 * `firstError` and `firstNote` on: a rule may quote a value (e.g. an invalid one), and a NoEcho
 * value must never be shown. Longer secrets first, so one that contains another is masked whole.
 */
function maskSecrets(secrets: readonly string[], into: UnitResult, firstFinding: number, firstError: number, firstNote: number): void {
  const ordered = [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return;
  const mask = (text: string) => ordered.reduce((masked, secret) => masked.split(secret).join(MASK), text);
  for (let i = firstFinding; i < into.findings.length; i++) {
    const finding = into.findings[i]!;
    finding.message = mask(finding.message);
    if (finding.suppression) finding.suppression.reason = mask(finding.suppression.reason);
  }
  for (let i = firstError; i < into.errors.length; i++) into.errors[i]!.message = mask(into.errors[i]!.message);
  const notes = into.notes ?? [];
  for (let i = firstNote; i < notes.length; i++) notes[i]!.message = mask(notes[i]!.message);
}

/** The union of two sets of exception indices, as a list (sent between threads). */
export function mergeIndices(into: number[] | undefined, more: Iterable<number>): number[] {
  return [...new Set([...(into ?? []), ...more])];
}
