import { readTextFile } from '../engine/files';
import { scan } from '../engine/scan';
import { collectGivenParameters, ParameterInputError, type GivenParameters } from '../sources/cloudformation/parameters';
import { terraformVariablesFromEnvironment, type TerraformInputs, type VariableArg } from '../sources/terraform/variables';
import { isValidWorkspaceName } from '../sources/terraform/workspace';
import { runReportCommand, UsageError, type ReportCommandOptions } from './report-command';
import { writeError } from './terminal';

export interface ScanCommandOptions extends ReportCommandOptions {
  var: OrderedOption[];
  varFile: OrderedOption[];
  workspace?: string;
  parameter: string[];
  parametersFile: string[];
  jobs?: number;
  maxFileSize?: number;
  followExternalSymlinks?: boolean;
  skipPath?: string[];
}

/** Runs `cloudconform scan` and returns the exit code: 0 nothing failed, 1 failures, 2 incomplete or bad usage. */
export async function runScanCommand(paths: string[], opts: ScanCommandOptions): Promise<number> {
  if (opts.notifyTag?.length) {
    // As for exceptions by tag: a template's tags are not all the deployed resource gets (stack tags, default_tags).
    writeError("--notify-tag: a scan's findings have no known tags (a template's are not all the deployed resource gets: stack tags, provider default_tags); use it with audit or handle-event");
    return 2;
  }
  return runReportCommand(opts, ({ config, failOn, ruleIds, progress }) =>
    scan(paths, {
      config,
      ruleIds,
      failOn,
      jobs: opts.jobs,
      maxFileBytes: opts.maxFileSize,
      followExternalSymlinks: opts.followExternalSymlinks,
      skipPaths: opts.skipPath ?? [],
      noteUnusedExceptions: opts.verbose === true,
      terraform: terraformInputs(opts),
      cloudFormationParameters: readGivenParameters(opts),
      givenParameterNames: (opts.parameter ?? []).map((spec) => spec.slice(0, spec.indexOf('='))),
      onProgress: (done, total) => progress.update(`Scanning: ${done}/${total} inputs`),
    }),
    [],
    paths.length ? paths : ['.'],
  );
}

/** A `--var` or `--var-file` value and its place on the command line. */
export interface OrderedOption {
  value: string;
  order: number;
}

/**
 * Terraform's inputs as `terraform plan` run here would take them: `--var` and `--var-file` in
 * command-line order, `TF_VAR_` variables, and the workspace (`--workspace`, else `TF_WORKSPACE`).
 * A workspace name Terraform refuses is a usage error, as it is for Terraform.
 */
export function terraformInputs(
  opts: { var: OrderedOption[]; varFile: OrderedOption[]; workspace?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): TerraformInputs {
  const args = [
    ...opts.var.map((o) => ({ order: o.order, arg: parseVar(o.value) })),
    ...opts.varFile.map((o) => ({ order: o.order, arg: { kind: 'file', path: o.value } as VariableArg })),
  ]
    .sort((a, b) => a.order - b.order)
    .map((o) => o.arg);
  let workspace: string | undefined;
  if (opts.workspace !== undefined) workspace = checkedWorkspace(opts.workspace, '--workspace');
  else if (env.TF_WORKSPACE) workspace = checkedWorkspace(env.TF_WORKSPACE, 'TF_WORKSPACE');
  return { args, env: terraformVariablesFromEnvironment(env), ...(workspace !== undefined ? { workspace } : {}) };
}

function parseVar(spec: string): VariableArg {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new UsageError(`--var '${spec}': expected NAME=VALUE`);
  return { kind: 'var', name: spec.slice(0, eq), text: spec.slice(eq + 1) };
}

function checkedWorkspace(name: string, from: string): string {
  if (isValidWorkspaceName(name)) return name;
  throw new UsageError(`${from} '${name}' is not a valid workspace name: Terraform allows only letters, digits and -._~$&+:=@`);
}

/** `--parameters-file` (in order), then `--parameter`; a bad file or spec is a usage error. */
export function readGivenParameters(opts: { parameter?: string[]; parametersFile?: string[] }): GivenParameters {
  try {
    return collectGivenParameters(opts.parametersFile ?? [], opts.parameter ?? [], (file) => {
      const read = readTextFile(file);
      if (!read.ok) throw new Error(read.reason);
      return read.text;
    });
  } catch (e) {
    if (e instanceof ParameterInputError) throw new UsageError(e.message);
    throw e;
  }
}
