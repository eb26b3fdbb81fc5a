import { realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { dirname, isAbsolute, relative } from 'node:path';
import type { Risk } from '../rules/rule';
import { configDir, pathGlobMatcher, unusedExceptionNotes, type Config } from './config';
import type { GivenParameters } from '../sources/cloudformation/parameters';
import type { TerraformInputs, VariableArg } from '../sources/terraform/variables';
import { DEFAULT_READ_LIMITS, readNamedStream, STDIN_NAME, STDIN_PATH } from './files';
import { buildReport, emptyUnitResult, selectRules, type FailOn, type ScanReport, type UnitResult } from './report';
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
  onProgress?: (done: number, total: number) => void;
  /** Fewest inputs for which worker threads are used (default MIN_UNITS_FOR_WORKERS). */
  workerThreshold?: number;
  /** Follow symbolic links that lead outside the scanned paths (off: they are noted, not followed). */
  followExternalSymlinks?: boolean;
  /** `--skip-path` globs, relative to the working directory; one without `/` matches a name at any depth. */
  skipPaths?: string[];
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
  const rules = selectRules(options.config, options.ruleIds);
  const readLimits = { ...DEFAULT_READ_LIMITS, ...(options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}) };
  const excluded = pathGlobMatcher(options.config.exclude ?? [], configDir(options.config));
  const skipped = pathGlobMatcher(options.skipPaths ?? [], process.cwd(), { basename: true });
  const walk = walkScanPaths((paths.length ? paths : ['.']).map(displayPath), {
    skip: (path) => excluded(path) || skipped(path),
    followExternalSymlinks: options.followExternalSymlinks,
  });
  const total = emptyUnitResult();
  total.errors.push(...walk.errors);
  if (walk.notes.length) (total.notes ??= []).push(...walk.notes);
  const units: ScanUnit[] = [
    ...groupTerraformDirectories(walk.terraformDirs, readLimits).map((dirs): ScanUnit => ({ kind: 'terraform', dirs })),
    ...walk.candidateFiles.map((path): ScanUnit => ({ kind: 'file', path })),
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
  };
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
  if (options.noteUnusedExceptions) (total.notes ??= []).push(...unusedExceptionNotes(options.config, total.matchedExceptions ?? []));
  return buildReport(rules, total, options.failOn ?? options.config.failOn ?? 'Low', total.notes?.length ? total.notes : undefined);
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

function mergeInto(total: UnitResult, part: UnitResult): void {
  for (const f of part.findings) total.findings.push(f);
  for (const e of part.errors) total.errors.push(e);
  total.filesScanned += part.filesScanned;
  total.resources += part.resources;
  if (part.notes?.length) (total.notes ??= []).push(...part.notes);
  if (part.matchedExceptions?.length) total.matchedExceptions = mergeIndices(total.matchedExceptions, part.matchedExceptions);
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
