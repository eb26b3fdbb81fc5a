import type { ReadLimits } from '../read-file';
import type { ScanError, ScanNote } from '../source';
import { EvalBudget } from './budget';
import type { TemplatePart } from './hcl/ast';
import { loadModuleDirectory, type ModuleDefinition } from './module-loader';
import type { UnknownValue } from './values';

/** State shared by every root of one scan: parsed modules, errors (each reported once), file reads. */
export class TerraformScanContext {
  readonly errors: ScanError[] = [];
  /** What was not evaluated (remote modules not downloaded...), each noted once. */
  readonly notes: ScanNote[] = [];
  readonly fileCache = new Map<string, string | UnknownValue | TemplatePart[]>();
  /** NoEcho values of CloudFormation templates deployed by aws_cloudformation_stack: kept out of outputs. */
  readonly secrets: string[] = [];
  /** CloudFormation templates evaluated for stacks (bounded: see cloudformation-stack.ts). */
  stackTemplates = 0;
  /** The unit's evaluation budget: when it runs out, one error entry says so (exit code 2). */
  readonly budget = new EvalBudget(undefined, (e) => this.report({ file: e.site?.file ?? '.', ...(e.site?.line ? { line: e.site.line } : {}), message: e.message }));
  private readonly definitions = new Map<string, ModuleDefinition>();
  private readonly reported = new Set<string>();

  /**
   * `scanRoots`: real paths of the scanned directories, when links leading outside them must not be
   * followed (see loadModuleDirectory); undefined with --follow-external-symlinks.
   */
  constructor(
    readonly limits: ReadLimits,
    readonly scanRoots?: readonly string[],
  ) {}

  /** A module directory parsed once, however many roots and calls use it. */
  definition(dir: string, realDir: string): ModuleDefinition {
    let def = this.definitions.get(realDir);
    if (!def) {
      def = loadModuleDirectory(dir, realDir, this.limits, this.scanRoots);
      this.definitions.set(realDir, def);
      for (const e of def.errors) this.report(e);
    }
    return def;
  }

  /** Configuration files read by every module directory loaded. */
  get files(): string[] {
    return [...this.definitions.values()].flatMap((def) => def.filesRead);
  }

  /** Adds a note unless the same one was made already. */
  note(note: ScanNote): void {
    const key = `note\u0000${note.file ?? ''}\u0000${note.line ?? ''}\u0000${note.message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.notes.push(note);
  }

  /** Adds an error unless the same one was reported already (a module called many times). */
  report(error: ScanError): void {
    const key = `${error.file}\u0000${error.line ?? ''}\u0000${error.message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.errors.push(error);
  }
}
