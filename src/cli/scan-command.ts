import { readFileSync } from 'node:fs';
import { scan } from '../engine/scan';
import { collectGivenParameters, ParameterInputError, type GivenParameters } from '../sources/cloudformation/parameters';
import { runReportCommand, UsageError, type ReportCommandOptions } from './report-command';

export interface ScanCommandOptions extends ReportCommandOptions {
  var: string[];
  varFile: string[];
  parameter: string[];
  parametersFile: string[];
  jobs?: number;
  maxFileSize?: number;
}

/** Runs `cloudconform scan` and returns the exit code: 0 nothing failed, 1 failures, 2 incomplete or bad usage. */
export async function runScanCommand(paths: string[], opts: ScanCommandOptions): Promise<number> {
  return runReportCommand(opts, ({ config, failOn, ruleIds, progress }) =>
    scan(paths, {
      config,
      ruleIds,
      failOn,
      jobs: opts.jobs,
      maxFileBytes: opts.maxFileSize,
      varFiles: opts.varFile,
      vars: parseVars(opts.var),
      cloudFormationParameters: readGivenParameters(opts),
      onProgress: (done, total) => progress.update(`Scanning: ${done}/${total} inputs`),
    }),
  );
}

export function parseVars(specs: string[]): Record<string, string> {
  const vars: Record<string, string> = Object.create(null);
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new UsageError(`--var '${spec}': expected NAME=VALUE`);
    vars[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  return vars;
}

/** `--parameters-file` (in order), then `--parameter`; a bad file or spec is a usage error. */
export function readGivenParameters(opts: { parameter?: string[]; parametersFile?: string[] }): GivenParameters {
  try {
    return collectGivenParameters(opts.parametersFile ?? [], opts.parameter ?? [], (file) => readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof ParameterInputError) throw new UsageError(e.message);
    throw e;
  }
}
