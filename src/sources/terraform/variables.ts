import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { readTextFile, type ReadLimits } from '../../engine/files';
import type { ScanError } from '../source';
import { HclSyntaxError, type Expr } from './hcl/ast';
import { parseHcl } from './hcl/parser';
import { LineTable } from './text-positions';
import { getKey, isObjectValue, valueFromJson, type Value } from './values';

/** A value given to a root module variable from outside the configuration. */
export type VariableInput =
  | { kind: 'expression'; expr: Expr }
  | { kind: 'value'; value: Value }
  /** `--var name=value`: a string, or an HCL expression for variables of complex type. */
  | { kind: 'cli'; text: string };

/**
 * Reads variable definition files once per scan (a `--var-file` serves every root) and puts
 * together each root's inputs in Terraform's order of precedence, later winning:
 * `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` by name, `--var-file`s,
 * then `--var`s.
 */
export class VariableInputs {
  private readonly files = new Map<string, Map<string, VariableInput>>();
  private readonly cliVars = new Map<string, VariableInput>();
  /** Variable files read, whether or not they parsed. */
  filesRead = 0;

  constructor(
    private readonly varFiles: readonly string[],
    vars: Readonly<Record<string, string>>,
    private readonly limits: ReadLimits,
    private readonly errors: ScanError[],
  ) {
    for (const name of Object.keys(vars)) this.cliVars.set(name, { kind: 'cli', text: vars[name] as string });
  }

  forRoot(dir: string): Map<string, VariableInput> {
    const inputs = new Map<string, VariableInput>();
    const merge = (from: Map<string, VariableInput>) => {
      for (const [k, v] of from) inputs.set(k, v);
    };
    for (const name of ['terraform.tfvars', 'terraform.tfvars.json']) {
      const path = join(dir, name);
      if (existsSync(path)) merge(this.file(path));
    }
    for (const name of autoVarFiles(dir)) merge(this.file(join(dir, name)));
    for (const path of this.varFiles) merge(this.file(path));
    merge(this.cliVars);
    return inputs;
  }

  private file(path: string): Map<string, VariableInput> {
    let values = this.files.get(path);
    if (!values) {
      const read = readTextFile(path, this.limits);
      if (read.ok) {
        this.filesRead++;
        values = readVariableFile(path, read.text, this.errors);
      } else {
        this.errors.push({ file: path, message: `can't read variable file: ${read.reason}` });
        values = new Map();
      }
      this.files.set(path, values);
    }
    return values;
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
