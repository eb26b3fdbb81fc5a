import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { readTextFile, type ReadLimits } from '../read-file';
import type { ScanError } from '../source';
import { HclSyntaxError, type Expr } from './hcl/ast';
import { parseHcl } from './hcl/parser';
import { LineTable } from './text-positions';
import { getKey, isObjectValue, UnknownValue, valueFromJson, type Value } from './values';
import { isInsideAny } from '../paths';

/** A value given to a root module variable from outside the configuration. */
/** Key of the input every variable without a later value takes: set by a variable file that could not be read. */
export const ANY_VARIABLE = '\u0000any variable';

export type VariableInput =
  | { kind: 'expression'; expr: Expr }
  | { kind: 'value'; value: Value }
  /**
   * `--var name=value` or `TF_VAR_name` (`from` says which): the text as it is for string-like
   * variables, an HCL expression for variables of complex type (Terraform's VariableParsingMode).
   */
  | { kind: 'cli'; text: string; from: string };

/** A `--var` or `--var-file`, kept in command-line order: Terraform applies them in that order. */
export type VariableArg = { kind: 'var'; name: string; text: string } | { kind: 'file'; path: string };

/**
 * What Terraform takes from outside the configuration. Serialisable: it goes to worker threads.
 */
export interface TerraformInputs {
  /** `--var` and `--var-file`, in command-line order. */
  args?: VariableArg[];
  /** `TF_VAR_name` environment variables: name -> text. */
  env?: Record<string, string>;
  /** `--workspace`, else `TF_WORKSPACE`; when absent, each root's `.terraform/environment`, else `default`. */
  workspace?: string;
  /** The paths the user named: a module among them called only from beneath it is a root too. */
  namedPaths?: string[];
  /**
   * Real paths of the scanned paths. A `terraform.tfvars` or `*.auto.tfvars` that links outside
   * them gives its variables unknown values: a planted link to a credentials file must not put
   * its values into a report. Absent (or `--follow-external-symlinks`): not checked.
   */
  scanRoots?: string[];
}

/** `TF_VAR_name=value` entries of an environment, as Terraform collects them. */
export function terraformVariablesFromEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const vars: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(env)) if (key.startsWith('TF_VAR_') && value !== undefined) vars[key.slice('TF_VAR_'.length)] = value;
  return vars;
}

/**
 * Reads variable definition files once per scan (a `--var-file` serves every root) and puts
 * together each root's inputs in Terraform's order of precedence, later winning (see
 * arguments.Vars.CollectValues): `TF_VAR_` environment variables, `terraform.tfvars`,
 * `terraform.tfvars.json`, `*.auto.tfvars(.json)` by name, then `--var-file`s and `--var`s in
 * command-line order. Only declared variables use them: others are never looked up.
 */
export class VariableInputs {
  private readonly files = new Map<string, Map<string, VariableInput>>();
  private readonly envVars = new Map<string, VariableInput>();
  /** Variable files read, whether or not they parsed. */
  readonly filesRead: string[] = [];

  constructor(
    private readonly args: readonly VariableArg[],
    env: Readonly<Record<string, string>>,
    private readonly limits: ReadLimits,
    private readonly errors: ScanError[],
    private readonly scanRoots?: readonly string[],
  ) {
    for (const [name, text] of Object.entries(env)) this.envVars.set(name, { kind: 'cli', text, from: `TF_VAR_${name}` });
  }

  forRoot(dir: string): Map<string, VariableInput> {
    const inputs = new Map(this.envVars);
    const merge = (from: Map<string, VariableInput>) => {
      const unreadable = from.get(ANY_VARIABLE);
      // A file that could not be read may set any variable: what earlier sources gave is unknown too.
      if (unreadable) for (const k of inputs.keys()) inputs.set(k, unreadable);
      for (const [k, v] of from) inputs.set(k, v);
    };
    for (const name of ['terraform.tfvars', 'terraform.tfvars.json']) {
      const path = join(dir, name);
      if (existsSync(path)) merge(this.file(path, true));
    }
    for (const name of autoVarFiles(dir)) merge(this.file(join(dir, name), true));
    for (const arg of this.args) {
      if (arg.kind === 'file') merge(this.file(arg.path));
      else inputs.set(arg.name, { kind: 'cli', text: arg.text, from: `--var ${arg.name}` });
    }
    return inputs;
  }

  /** The variables each `--var-file` read so far sets. */
  namesInVarFiles(): Record<string, string[]> {
    const out: Record<string, string[]> = Object.create(null);
    for (const arg of this.args) {
      if (arg.kind !== 'file') continue;
      const values = this.files.get(arg.path);
      if (values) out[arg.path] = [...values.keys()].filter((k) => k !== ANY_VARIABLE);
    }
    return out;
  }

  /** `found`: found in the root module, not named by the user (who may name any file). */
  private file(path: string, found = false): Map<string, VariableInput> {
    const outside = found ? this.outsideScanRoots(path) : undefined;
    const key = outside === undefined ? path : `outside:${path}`;
    let values = this.files.get(key);
    if (!values) {
      const read = readTextFile(path, this.limits);
      const errorsBefore = this.errors.length;
      if (read.ok) {
        this.filesRead.push(path);
        values = outside === undefined ? readVariableFile(path, read.text, this.errors) : this.unknownValues(path, outside, read.text);
      } else {
        this.errors.push({ file: path, message: `can't read variable file: ${read.reason}` });
        values = new Map();
      }
      // Terraform would read it (or refuse to plan): every variable it may set is unknown, so a
      // variable whose default passes never passes because its file was unreadable or malformed.
      if (this.errors.length > errorsBefore) {
        values.set(ANY_VARIABLE, { kind: 'value', value: new UnknownValue(`${path} could not be read as a variable file, and may set it`) });
      }
      this.files.set(key, values);
    }
    return values;
  }

  /** The real path of a variable file if it leads outside the scanned paths. */
  private outsideScanRoots(path: string): string | undefined {
    if (!this.scanRoots) return undefined;
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      return undefined; // reported when read
    }
    return isInsideAny(real, this.scanRoots) ? undefined : real;
  }

  /** The variables a file outside the scanned paths sets, each unknown; nothing of the file is quoted. */
  private unknownValues(path: string, real: string, text: string): Map<string, VariableInput> {
    const parseErrors: ScanError[] = [];
    const names = [...readVariableFile(path, text, parseErrors).keys()];
    const why = `${path} links to ${real}, outside the scanned paths`;
    if (parseErrors.length) this.errors.push({ file: path, message: `${why}, and is not a valid variable file; its values are unknown` });
    const value = new UnknownValue(`${why}: its values are not used (--follow-external-symlinks uses them)`);
    return new Map(names.map((name): [string, VariableInput] => [name, { kind: 'value', value }]));
  }
}

function autoVarFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.auto.tfvars') || n.endsWith('.auto.tfvars.json'))
      .sort();
  } catch {
    return [];
  }
}

function readVariableFile(path: string, text: string, errors: ScanError[]): Map<string, VariableInput> {
  const values = new Map<string, VariableInput>();
  if (path.endsWith('.json')) {
    const parseErrors: ParseError[] = [];
    const tree = parseTree(text, parseErrors, { disallowComments: true });
    const first = parseErrors[0];
    if (first) {
      const line = new LineTable(text).position(first.offset).line;
      errors.push({ file: path, line, message: `invalid JSON: ${printParseErrorCode(first.error)}` });
      return values;
    }
    if (tree?.type !== 'object') {
      errors.push({ file: path, message: 'a variable file must hold an object' });
      return values;
    }
    const json = valueFromJson(JSON.parse(text));
    for (const prop of tree.children ?? []) {
      const name = String(prop.children?.[0]?.value);
      values.set(name, { kind: 'value', value: isObjectValue(json) ? (getKey(json, name) ?? null) : null });
    }
    return values;
  }
  try {
    for (const attr of parseHcl(text).body.attributes) values.set(attr.name, { kind: 'expression', expr: attr.expr });
  } catch (e) {
    if (e instanceof HclSyntaxError) errors.push({ file: path, line: e.position.line, message: `syntax error: ${e.message}` });
    else errors.push({ file: path, message: `can't parse variable file: ${e instanceof Error ? e.message : String(e)}` });
  }
  return values;
}
