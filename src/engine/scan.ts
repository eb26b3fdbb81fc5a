import { readFileSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import type { ScanError, ScanNote } from '../sources/source';
import type { Risk } from '../rules/rule';
import { configDir, pathGlobMatcher, unusedExceptionNotes, type Config } from './config';
import type { GivenParameters } from '../sources/cloudformation/parameters';
import type { TerraformInputs, VariableArg } from '../sources/terraform/variables';
import { DEFAULT_READ_LIMITS, readNamedStream, STDIN_NAME, STDIN_PATH } from './files';
import type { FailOn, RunScope, ScanReport } from '../model/report';
import { repositoryRootOf } from '../sources/paths';
import { buildReport, emptyUnitResult, selectRules, type DeclaredInputs, type UnitResult } from './report';
import { mergeIndices, UnitScanner, type ScanUnit, type ScanUnitContext } from './scan-unit';
import { groupTerraformDirectories } from './terraform-groups';
import { walkScanPaths } from './walk';

export interface ScanOptions {
  config: Config;
  /** `--verbose`: a note for each config exception that matched no finding. */
  noteUnusedExceptions?: boolean;
  /** Rule ids to run (after the config's include/exclude); all when absent. */
  ruleIds?: string[];
  failOn?: FailOn;
  jobs?: number;
  maxFileBytes?: number;
  /** Terraform's variables (`--var`, `--var-file` in command-line order, `TF_VAR_`), environment and workspace. */
  terraform?: TerraformInputs;
  /** Shorthand for API callers: these files, then these variables, after `terraform.args`. */
  varFiles?: string[];
  vars?: Record<string, string>;
  /** CloudFormation parameter values for every template that declares them (see parameters.ts). */
  cloudFormationParameters?: GivenParameters;
  /** Names given with `--parameter`: one no scanned template declares is a warning. */
  givenParameterNames?: string[];
  onProgress?: (done: number, total: number) => void;
  /** Fewest inputs for which worker threads are used (default MIN_UNITS_FOR_WORKERS). */
  workerThreshold?: number;
  /** Follow symbolic links that lead outside the scanned paths (off: they are noted, not followed). */
  followExternalSymlinks?: boolean;
  /** `--skip-path` globs, relative to the working directory; one without `/` matches a name at any depth. */
  skipPaths?: string[];
}

/** What one `exclude` or `--skip-path` left out: how many paths, and the first few (a note names no more). */
class LeftOut {
  count = 0;
  readonly first: string[] = [];
  add(path: string): true {
    if (this.count++ < 5) this.first.push(path);
    return true;
  }
  /** `3 paths left out by --skip-path: a, b, c` */
  note(by: string): ScanNote {
    const more = this.count > this.first.length ? `, and ${this.count - this.first.length} more` : '';
    return { message: `${this.count} path${this.count === 1 ? '' : 's'} left out by ${by}: ${this.first.join(', ')}${more}` };
  }
}

/**
 * Paths inside the working directory are reported relative to it (as code-scanning services and
 * path globs in exceptions expect); others stay as given.
 */
function displayPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * Below this many units a worker pool costs more than it saves: a worker needs ~150 ms to start
 * and warm up its JIT, and on 2 cores 600 templates scanned faster on one thread than on two
 * (0.85 s against 1.03 s; 1,000 templates broke even).
 */
const MIN_UNITS_FOR_WORKERS = 800;
const BATCH_SIZE = 16;


export async function scan(paths: string[], options: ScanOptions): Promise<ScanReport> {
  const startedAt = new Date();
  const rules = selectRules(options.config, options.ruleIds);
  const readLimits = { ...DEFAULT_READ_LIMITS, ...(options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}) };
  const excluded = pathGlobMatcher(options.config.exclude ?? [], configDir(options.config));
  const skipped = pathGlobMatcher(options.skipPaths ?? [], process.cwd(), { basename: true });
  const shown = (paths.length ? paths : ['.']).map(displayPath);
  // What was left out is said: a repository's own configuration could otherwise hide a template
  // from the scan without a word.
  const leftOut = { config: new LeftOut(), skipPath: new LeftOut() };
  const walk = walkScanPaths(shown, {
    skip: (path) => (excluded(path) ? leftOut.config.add(path) : skipped(path) ? leftOut.skipPath.add(path) : false),
    followExternalSymlinks: options.followExternalSymlinks,
  });
  const named = namedPaths(shown);
  const total = emptyUnitResult();
  total.errors.push(...walk.errors);
  if (walk.notes.length) (total.notes ??= []).push(...walk.notes);
  if (leftOut.config.count) (total.notes ??= []).push(leftOut.config.note(`the exclude of ${options.config.file ?? 'the configuration'}`));
  if (leftOut.skipPath.count) (total.notes ??= []).push(leftOut.skipPath.note('--skip-path'));
  const units: ScanUnit[] = [
    ...groupTerraformDirectories(walk.terraformDirs, readLimits).map((dirs): ScanUnit => ({ kind: 'terraform', dirs })),
    ...walk.candidateFiles.map((path): ScanUnit => (named.files.has(normalize(path)) ? { kind: 'file', path, named: true } : { kind: 'file', path })),
  ];
  for (const path of walk.streams) {
    const name = path === STDIN_PATH ? STDIN_NAME : path;
    const read = await readNamedStream(path, readLimits);
    if (read.ok) units.push({ kind: 'text', path: name, text: read.text });
    else total.errors.push({ file: name, message: `can't read: ${read.reason}` });
  }
  const context: ScanUnitContext = {
    ruleIds: rules.map((r) => r.meta.id),
    exceptions: options.config.exceptions,
    exceptionsDir: configDir(options.config),
    readLimits,
    terraform: {
      ...options.terraform,
      args: [
        ...(options.terraform?.args ?? []),
        ...(options.varFiles ?? []).map((path): VariableArg => ({ kind: 'file', path })),
        ...Object.entries(options.vars ?? {}).map(([name, text]): VariableArg => ({ kind: 'var', name, text })),
      ],
      namedPaths: paths.length ? paths : ['.'],
      ...(options.followExternalSymlinks ? {} : { scanRoots: scannedDirectories(paths.length ? paths : ['.']) }),
    },
    cloudFormation: { parameters: options.cloudFormationParameters ?? {}, nestedRoots: scannedDirectories(paths.length ? paths : ['.']) },
    namedDirs: named.dirs,
  };
  const given = givenInputs(context.terraform.args ?? [], options.givenParameterNames ?? []);
  if (given.variables.length + given.varFiles.length + given.parameters.length > 0) {
    context.givenInputs = { variables: given.variables, parameters: given.parameters };
  }
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  if (jobs === 1 || units.length < (options.workerThreshold ?? MIN_UNITS_FOR_WORKERS)) {
    const scanner = new UnitScanner(context);
    units.forEach((unit, i) => {
      scanner.scan(unit, total);
      options.onProgress?.(i + 1, units.length);
    });
  } else {
    await scanInWorkers(units, context, jobs, total, options.onProgress);
  }
  (total.warnings ??= []).push(...undeclaredInputWarnings(given, total.declaredInputs), ...noTemplateWarnings(named.dirs, total));
  if (options.noteUnusedExceptions) (total.notes ??= []).push(...unusedExceptionNotes(options.config, total.matchedExceptions ?? []));
  return buildReport(rules, total, options.failOn ?? options.config.failOn ?? 'Low', total.notes?.length ? total.notes : undefined, {
    command: 'scan',
    startedAt,
    scope: scanScope(paths),
    evaluated: { files: total.files ?? [], roots: named.dirs },
  });
}

/** The worker: dist/scan-worker.js beside the bundle, or from source (tests) through tsx's loader. */
export function createWorker(context: ScanUnitContext): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: context });
  const source = new URL('./scan-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: context });
}

async function scanInWorkers(
  units: ScanUnit[],
  context: ScanUnitContext,
  jobs: number,
  total: UnitResult,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const batches: ScanUnit[][] = [];
  for (let i = 0; i < units.length; i += BATCH_SIZE) batches.push(units.slice(i, i + BATCH_SIZE));
  let next = 0;
  let done = 0;
  const runWorker = () =>
    new Promise<void>((resolvePromise, reject) => {
      const worker = createWorker(context);
      let current: ScanUnit[] | undefined;
      const feed = () => {
        current = batches[next++];
        if (current) worker.postMessage(current);
        else void worker.terminate().then(() => resolvePromise());
      };
      worker.on('message', (result: UnitResult) => {
        mergeInto(total, result);
        done += current?.length ?? 0;
        onProgress?.(done, units.length);
        feed();
      });
      worker.on('error', (e) => {
        // A crashed worker loses only its current batch, which is reported file by file.
        for (const unit of current ?? []) {
          total.errors.push({ file: unit.kind === 'terraform' ? unit.dirs[0]! : unit.path, message: `scan worker failed: ${e.message}` });
        }
        reject(e);
      });
      feed();
    });
  // The main thread scans too, between workers' messages: it starts at once while workers boot,
  // so a pool of `jobs` threads costs only `jobs - 1` worker start-ups.
  const runMainThread = async () => {
    const scanner = new UnitScanner(context);
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      for (const unit of batch) scanner.scan(unit, total);
      done += batch.length;
      onProgress?.(done, units.length);
      await new Promise((r) => setImmediate(r));
    }
  };
  const workerCount = Math.min(jobs - 1, batches.length - 1);
  const results = await Promise.allSettled([runMainThread(), ...Array.from({ length: workerCount }, runWorker)]);
  // Whatever a crashed worker never took is scanned here, so nothing is lost.
  if (results.some((r) => r.status === 'rejected') && next < batches.length) await runMainThread();
}

/** Adds a worker's result for a batch to the total (exported for tests). */
export function mergeInto(total: UnitResult, part: UnitResult): void {
  for (const f of part.findings) total.findings.push(f);
  for (const e of part.errors) total.errors.push(e);
  total.filesScanned += part.filesScanned;
  if (part.files?.length) (total.files ??= []).push(...part.files);
  total.resources += part.resources;
  if (part.notes?.length) (total.notes ??= []).push(...part.notes);
  if (part.warnings?.length) (total.warnings ??= []).push(...part.warnings);
  if (part.matchedExceptions?.length) total.matchedExceptions = mergeIndices(total.matchedExceptions, part.matchedExceptions);
  if (part.templatesIn?.length) total.templatesIn = [...new Set([...(total.templatesIn ?? []), ...part.templatesIn])];
  if (part.declaredInputs) {
    const into = (total.declaredInputs ??= { variables: [], parameters: [], varFiles: Object.create(null) as Record<string, string[]> });
    into.variables = [...new Set([...into.variables, ...part.declaredInputs.variables])];
    into.parameters = [...new Set([...into.parameters, ...part.declaredInputs.parameters])];
    for (const [path, names] of Object.entries(part.declaredInputs.varFiles)) into.varFiles[path] ??= names;
  }
}

/** The named paths, as the walk shows them: directories (each says when it held no template) and files. */
function namedPaths(shown: string[]): { dirs: string[]; files: Set<string> } {
  const dirs: string[] = [];
  const files = new Set<string>();
  for (const path of new Set(shown)) {
    if (path === STDIN_PATH) continue;
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // the walk reports a path that can't be read
    }
    if (isDir) dirs.push(path);
    else files.add(normalize(path));
  }
  return { dirs, files };
}

const NO_TEMPLATES = 'no templates found (no CloudFormation template, Terraform configuration or plan)';

/** A named directory in which no template was found: said, so an empty or mistyped path is not a silent pass. */
function noTemplateWarnings(dirs: string[], total: UnitResult): ScanError[] {
  const found = new Set(total.templatesIn ?? []);
  // A directory that could not be read has its error already.
  return dirs.filter((dir, i) => !found.has(i) && !total.errors.some((e) => e.file === dir)).map((dir) => ({ file: dir, message: NO_TEMPLATES }));
}

interface GivenInputNames {
  variables: string[];
  varFiles: string[];
  parameters: string[];
}

function givenInputs(args: readonly VariableArg[], parameters: readonly string[]): GivenInputNames {
  const unique = (xs: string[]) => [...new Set(xs)];
  return {
    variables: unique(args.flatMap((a) => (a.kind === 'var' ? [a.name] : []))),
    varFiles: unique(args.flatMap((a) => (a.kind === 'file' ? [a.path] : []))),
    parameters: unique([...parameters]),
  };
}

/**
 * Inputs the user gave that no scanned configuration declares: a typo would otherwise leave the
 * variable at its default, unnoticed. `--var` counts only Terraform root modules' variables and
 * `--parameter` only templates' parameters. (Terraform itself refuses an undeclared `-var` and
 * warns of undeclared variables in a `-var-file`; here both are warnings: the scan may cover
 * only some of the configurations the values are meant for.)
 */
function undeclaredInputWarnings(given: GivenInputNames, declared: DeclaredInputs | undefined): ScanError[] {
  const variables = new Set(declared?.variables);
  const parameters = new Set(declared?.parameters);
  const warnings: ScanError[] = [];
  const undeclared = 'no scanned configuration declares it';
  for (const name of given.variables) if (!variables.has(name)) warnings.push({ file: `--var ${name}`, message: undeclared });
  for (const name of given.parameters) if (!parameters.has(name)) warnings.push({ file: `--parameter ${name}`, message: undeclared });
  for (const path of given.varFiles) {
    const sets = declared?.varFiles[path];
    if (sets === undefined) {
      warnings.push({ file: path, message: '--var-file: no scanned Terraform configuration reads it' });
      continue;
    }
    const missing = sets.filter((name) => !variables.has(name));
    if (missing.length === 0) continue;
    const listed = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ` and ${missing.length - 10} more` : '');
    warnings.push({ file: path, message: `--var-file sets ${listed}, which no scanned configuration declares` });
  }
  return warnings;
}

/** Real paths of the scan paths that exist (symbolic links resolved): the tree nested templates may come from. */
/** Real paths of the scanned paths, a file's directory for a file (a `.tf` stands for its directory). */
function scannedDirectories(paths: string[]): string[] {
  return realPaths(paths).map((real) => {
    try {
      return statSync(real).isDirectory() ? real : dirname(real);
    } catch {
      return real;
    }
  });
}

function realPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    try {
      out.push(realpathSync(path));
    } catch {
      // a path that can't be read is reported by the walk
    }
  }
  return out;
}

/**
 * A scan's scope: the repository its first path is in (the directory holding `.git`, else the
 * working directory) — by its `origin` remote when it has one, so clones at different places
 * compare, else by its absolute path — and, when the scan runs below the repository's root, that
 * directory: findings' files are spelled from where the scan runs, so runs from two directories
 * must not be compared (red team: `scan nb.yaml` at the root and `scan .` in `infra/` spelled two
 * files `nb.yaml`, and one resolved the other; two repositories both named `infra` shared a key
 * when it was the directory's name).
 */
export function scanScope(paths: readonly string[]): RunScope {
  const first = paths.find((p) => p !== STDIN_PATH);
  const cwd = process.cwd();
  const root = (first !== undefined ? repositoryRootOf(resolve(first)) : undefined) ?? repositoryRootOf(cwd) ?? cwd;
  const identity = originRemote(root) ?? root.split(sep).join('/');
  // Absolute paths are spelled the same from anywhere; relative ones from where the scan runs.
  const rel = relative(root, cwd).split(sep).join('/');
  const from = paths.length > 0 && paths.every((p) => p !== STDIN_PATH && isAbsolute(p)) ? '' : rel === '..' || rel.startsWith('../') ? cwd.split(sep).join('/') : rel;
  return { key: `scan:${identity}${from ? `@${from}` : ''}`, label: paths.length ? paths.join(' ') : '.' };
}

/**
 * The `origin` remote's URL in the repository's own `.git/config` (not the repository's content:
 * a clone writes it), without scheme, credentials or `.git`: `github.com/org/infra`.
 */
function originRemote(root: string): string | undefined {
  let text: string;
  try {
    const config = join(root, '.git', 'config');
    if (!statSync(config).isFile() || statSync(config).size > 256 * 1024) return undefined;
    text = readFileSync(config, 'utf8');
  } catch {
    return undefined;
  }
  const section = /^\s*\[remote\s+"origin"\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(text)?.[1];
  const url = section !== undefined ? /^\s*url\s*=\s*(\S+)\s*$/m.exec(section)?.[1] : undefined;
  if (url === undefined) return undefined;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url); // git@github.com:org/repo.git
  const plain = scp ? `${scp[1]}/${scp[2]}` : url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '');
  return plain.replace(/\.git\/?$/, '').replace(/\/+$/, '') || undefined;
}
