import { ALL_RULES } from '../rules/index';
import { FILE_SOURCES, scanTerraformDirectories } from '../sources/index';
import type { GivenParameters } from '../sources/cloudformation/parameters';
import type { TerraformInputs } from '../sources/terraform/variables';
import type { ConfigException } from './config';
import { ExceptionMatcher } from './config';
import { RuleRunner } from './evaluate';
import { readTextFile, type ReadLimits } from './files';
import type { UnitResult } from './report';

/** A piece of scan work: one file, or Terraform directories that call each other as modules. */
export type ScanUnit =
  | { kind: 'file'; path: string }
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
}


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
      if (unit.kind === 'file') this.scanFile(unit.path, into);
      else if (unit.kind === 'text') this.scanText(unit.path, unit.text, into, true);
      else this.scanTerraform(unit.dirs, into);
    } catch (e) {
      // Sources report their own errors; this is the last guard so one input never stops the scan.
      const file = unit.kind === 'terraform' ? unit.dirs[0] ?? '.' : unit.path;
      into.errors.push({ file, message: `internal error while scanning: ${(e as Error)?.message ?? String(e)}` });
    }
    if (this.runner.matched.size > 0) into.matchedExceptions = mergeIndices(into.matchedExceptions, this.runner.matched);
  }

  private scanFile(path: string, into: UnitResult): void {
    const read = readTextFile(path, this.context.readLimits);
    if (!read.ok) {
      into.errors.push({ file: path, message: read.reason });
      return;
    }
    this.scanText(path, read.text, into, false);
  }

  /** `named`: the user named this input, so content of no known format is an error, not skipped. */
  private scanText(path: string, text: string, into: UnitResult, named: boolean): void {
    const source = FILE_SOURCES.find((s) => s.detect(text, path));
    if (!source) {
      if (named) {
        into.errors.push({
          file: path,
          message: 'not a CloudFormation template or Terraform plan JSON (a Terraform configuration is read from its directory, not from a stream)',
        });
      }
      return;
    }
    into.filesScanned++;
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
  }

  private scanTerraform(dirs: string[], into: UnitResult): void {
    const result = scanTerraformDirectories(dirs, { ...this.context.terraform, readLimits: this.context.readLimits });
    into.filesScanned += result.filesScanned ?? 0;
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
