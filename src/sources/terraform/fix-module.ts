// What the Terraform fixer needs to know about the modules around a resource: their files,
// where a variable's value comes from (default, tfvars, the one module call). Reads only through
// the `readFile` / `listDir` the engine gives; fix-callers.ts finds the module calls.
import { join } from 'node:path';
import { parseTree, type JSONPath, type Node } from 'jsonc-parser';
import { HclSyntaxError, type BlockNode, type ConfigFile, type Expr } from './hcl/ast';
import { parseHcl } from './hcl/parser';
import { parseTerraformJson } from './json-syntax';
import { isTerraformFile } from './file-names';
import { isOverrideFileName } from './module-loader';
import { renderExpr } from './render';
import { lineAt, type ValueSite } from './fix-edits';
import { describeCall, type ModuleCallFinder } from './fix-callers';

/** One configuration or tfvars file, parsed (or why not). */
export interface ConfigEntry {
  path: string;
  text: string;
  format: 'hcl' | 'json';
  /** The syntax tree (JSON files: converted to the HCL tree, as the scan reads them). */
  config?: ConfigFile;
  /** JSON files: jsonc-parser's tree, for edits by path. */
  json?: Node;
  error?: { message: string; line: number };
}

export interface ModuleFiles {
  dir: string;
  /** `.tf` and `.tf.json` files, in name order. */
  files: ConfigEntry[];
  /** Every name in the directory. */
  names: string[];
}

export function isJsonConfigPath(path: string): boolean {
  return path.endsWith('.json');
}

export class TerraformWorkspace {
  private readonly files = new Map<string, ConfigEntry>();
  private readonly modules = new Map<string, ModuleFiles>();

  constructor(
    private readonly readFile: (path: string) => string,
    private readonly listDir: (dir: string) => string[],
  ) {}

  /** A file read and parsed once; never throws. */
  file(path: string, kind: 'config' | 'tfvars' = 'config'): ConfigEntry {
    const cached = this.files.get(path);
    if (cached) return cached;
    const format = isJsonConfigPath(path) ? 'json' : 'hcl';
    let entry: ConfigEntry;
    try {
      const text = this.readFile(path);
      entry = { path, text, format };
      try {
        if (format === 'json') {
          const root = parseTree(text, [], { disallowComments: true });
          entry.json = root;
          // tfvars.json is a plain object of values; only configuration files go through the converter.
          if (kind === 'config') entry.config = parseTerraformJson(text);
          else if (!root || root.type !== 'object') entry.error = { message: 'a tfvars JSON file must hold an object', line: 1 };
        } else {
          entry.config = parseHcl(text);
        }
      } catch (e) {
        entry.error =
          e instanceof HclSyntaxError
            ? { message: e.message, line: e.position.line }
            : { message: e instanceof Error ? e.message : String(e), line: 1 };
      }
    } catch (e) {
      entry = { path, text: '', format, error: { message: `can't read file: ${e instanceof Error ? e.message : String(e)}`, line: 1 } };
    }
    this.files.set(path, entry);
    return entry;
  }

  module(dir: string): ModuleFiles {
    const cached = this.modules.get(dir);
    if (cached) return cached;
    let names: string[] = [];
    try {
      names = [...this.listDir(dir)].sort();
    } catch {
      // An unreadable directory has no files to consider.
    }
    // The files Terraform reads: never a hidden or editor file, which no scan finding comes from.
    const files = names.filter(isTerraformFile).map((n) => this.file(join(dir, n)));
    const module = { dir, files, names };
    this.modules.set(dir, module);
    return module;
  }
}

/** The module's override files (`override.tf`, `*_override.tf`), which Terraform merges over other files. */
export function overrideFiles(module: ModuleFiles): ConfigEntry[] {
  return module.files.filter((f) => isOverrideFileName(f.path.split(/[\\/]/).pop() ?? ''));
}

/** Each file's blocks by type and labels, indexed on first use: a scan per lookup was quadratic in a file of thousands of resources. */
const BLOCKS = new WeakMap<ConfigFile, Map<string, BlockNode>>();

export function findBlock(config: ConfigFile, type: string, labels: string[]): BlockNode | undefined {
  let index = BLOCKS.get(config);
  if (!index) {
    index = new Map();
    for (const b of config.body.blocks) {
      const key = JSON.stringify([b.type, ...b.labels]);
      if (!index.has(key)) index.set(key, b); // the first, as a scan finds it
    }
    BLOCKS.set(config, index);
  }
  return index.get(JSON.stringify([type, ...labels]));
}

/** A string written as a plain literal (no interpolation), or undefined. */
export function hclLiteralString(expr: Expr): string | undefined {
  if (expr.kind !== 'template' || expr.heredoc) return undefined;
  if (!expr.parts.every((p) => p.kind === 'text')) return undefined;
  return expr.parts.map((p) => (p.kind === 'text' ? p.value : '')).join('');
}

/** `var.x` or `"${var.x}"`: the variable's name. */
export function variableReference(expr: Expr): string | undefined {
  let e = expr;
  if (e.kind === 'template' && !e.heredoc && e.parts.length === 1 && e.parts[0]!.kind === 'interpolation') e = e.parts[0]!.expr;
  if (e.kind === 'traversal' && e.root === 'var' && e.steps.length === 1 && e.steps[0]!.kind === 'attr') return e.steps[0]!.name;
  return undefined;
}

/** The path of a block in a JSON configuration (`resource.type.name`), through arrays of objects. */
export function findJsonBlock(root: Node | undefined, keys: readonly string[]): { path: JSONPath; node: Node } | undefined {
  if (!root) return undefined;
  const walk = (node: Node, at: number, path: JSONPath): { path: JSONPath; node: Node } | undefined => {
    if (at === keys.length) return node.type === 'object' ? { path, node } : undefined;
    if (node.type === 'array') {
      const items = node.children ?? [];
      for (let i = 0; i < items.length; i++) {
        const found = walk(items[i]!, at, [...path, i]);
        if (found) return found;
      }
      return undefined;
    }
    const value = jsonProperty(node, keys[at]!);
    return value ? walk(value, at + 1, [...path, keys[at]!]) : undefined;
  };
  return walk(root, 0, []);
}

export function jsonProperty(node: Node, key: string): Node | undefined {
  if (node.type !== 'object') return undefined;
  for (const prop of node.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (k?.value === key && v) return v;
  }
  return undefined;
}

export function hclSite(file: string, expr: { range: { start: { line: number; offset: number }; end: { offset: number } } }): ValueSite {
  return { format: 'hcl', file, line: expr.range.start.line, start: expr.range.start.offset, end: expr.range.end.offset };
}

export function jsonSite(entry: ConfigEntry, path: JSONPath, node: Node): ValueSite {
  return { format: 'json', file: entry.path, line: lineAt(entry.text, node.parent?.offset ?? node.offset), path };
}

/** Where `var.name` is used in a module, its own declaration aside. */
export function variableUses(module: ModuleFiles, name: string): { file: string; line: number }[] {
  const uses: { file: string; line: number }[] = [];
  for (const entry of module.files) {
    if (!entry.config) continue;
    for (const block of entry.config.body.blocks) {
      if (block.type === 'variable' && block.labels[0] === name) continue;
      collectVariableUses(block, name, (line) => uses.push({ file: entry.path, line }));
    }
  }
  return uses;
}

function collectVariableUses(tree: unknown, name: string, found: (line: number) => void): void {
  const stack: unknown[] = [tree];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const node = v as { kind?: string; root?: string; steps?: { kind: string; name?: string }[]; range?: { start: { line: number } } };
    if (node.kind === 'traversal' && node.root === 'var' && node.steps?.[0]?.kind === 'attr' && node.steps[0].name === name) {
      found(node.range?.start.line ?? 1);
    }
    for (const [k, child] of Object.entries(v)) if (k !== 'range' && !k.endsWith('Range')) stack.push(child);
  }
}

export type VariableValue =
  | { kind: 'site'; site: ValueSite; current: unknown; where: string }
  | { kind: 'manual'; file: string; line: number; message: string };

export interface VariableQuery {
  module: ModuleFiles;
  /** True when the resource is in a module another one calls (its address has `module.`). */
  isChildModule: boolean;
  name: string;
  /** Where the resource refers to the variable. */
  reference: { file: string; line: number };
  /** The attribute and the value it must get, for messages. */
  attribute: string;
  desired: string;
}

const AUTO_TFVARS = /^(terraform\.tfvars(\.json)?|.*\.auto\.tfvars(\.json)?)$/;

/**
 * The one place to write a value a resource takes from `var.name`, or why a person must decide:
 * the variable is used elsewhere too, set in several places or by an expression, or its module
 * is called more than once.
 */
export function resolveVariable(ws: TerraformWorkspace, callers: ModuleCallFinder, q: VariableQuery): VariableValue {
  const manual = (at: { file: string; line: number }, message: string): VariableValue => ({ kind: 'manual', file: at.file, line: at.line, message });
  const want = `${q.attribute} = "${q.desired}"`;
  const declared = q.module.files.flatMap((entry) => {
    const block = entry.config && findBlock(entry.config, 'variable', [q.name]);
    return block ? [{ entry, block }] : [];
  });
  const decl = declared[0];
  if (!decl) return manual(q.reference, `${q.attribute} comes from var.${q.name}, which this module does not declare: decide where ${want} should come from`);
  const uses = variableUses(q.module, q.name);
  if (uses.length > 1) {
    const elsewhere = uses.filter((u) => !(u.file === q.reference.file && u.line === q.reference.line)).map((u) => `${u.file}:${u.line}`);
    return manual(
      q.reference,
      `${q.attribute} comes from var.${q.name}, which is also used at ${elsewhere.join(', ')}: changing the variable changes those too; ` +
        `decide whether all its uses should get "${q.desired}" or give this resource its own ${want}`,
    );
  }

  if (q.isChildModule) {
    const { calls, where, complete } = callers.find(q.module.dir);
    if (calls.length === 0) {
      return manual(q.reference, `${q.attribute} comes from var.${q.name}, an input of module ${q.module.dir}; no module block calling it was found ${where}: pass ${q.name} = "${q.desired}" where the module is called`);
    }
    if (calls.length > 1) {
      return manual(q.reference, `${q.attribute} comes from var.${q.name}, an input of module ${q.module.dir}, which is called from ${calls.map(describeCall).join(', ')} (searched ${where}): decide which calls should pass ${q.name} = "${q.desired}"`);
    }
    if (!complete) {
      // One call found is no proof there is only one: editing it could leave other calls wrong.
      return manual(q.reference, `${q.attribute} comes from var.${q.name}, an input of module ${q.module.dir}, called from ${describeCall(calls[0]!)}, searched ${where}: check every call passes ${q.name} = "${q.desired}"`);
    }
    const call = calls[0]!;
    const arg = call.block.body.attributes.find((a) => a.name === q.name);
    if (arg) {
      const value = literalValue(arg.expr);
      if (!value.literal) {
        return manual(
          { file: call.entry.path, line: arg.range.start.line },
          `${describeCall(call)} passes ${q.name} = ${renderExpr(arg.expr)}, which is not a plain value: make it "${q.desired}" so that ${want}`,
        );
      }
      if (call.entry.format === 'json') {
        const block = findJsonBlock(call.entry.json, ['module', call.block.labels[0] ?? '']);
        const node = block && jsonProperty(block.node, q.name);
        if (!block || !node) return manual({ file: call.entry.path, line: arg.range.start.line }, `can't locate argument ${q.name} of ${describeCall(call)}`);
        return { kind: 'site', site: jsonSite(call.entry, [...block.path, q.name], node), current: value.value, where: `argument ${q.name} of ${describeCall(call)}` };
      }
      return { kind: 'site', site: hclSite(call.entry.path, arg.expr), current: value.value, where: `argument ${q.name} of ${describeCall(call)}` };
    }
  } else {
    const settings = tfvarsSettings(ws, q.module, q.name);
    const broken = settings.find((s) => s.kind === 'error');
    if (broken) return manual(broken, `${q.attribute} comes from var.${q.name}, and ${broken.file} can't be read: ${broken.message}`);
    if (settings.length > 1 || settings.some((s) => !AUTO_TFVARS.test(s.file.split(/[\\/]/).pop() ?? ''))) {
      return manual(
        settings[0] as { file: string; line: number },
        `${q.attribute} comes from var.${q.name}, which is set in ${settings.map((s) => `${s.file}:${s.line}`).join(', ')}; ` +
          `which of them apply depends on how Terraform is run (-var-file): set it to "${q.desired}" where it applies`,
      );
    }
    const setting = settings[0];
    if (setting?.kind === 'value') {
      if (!setting.literal) return manual(setting, `${q.attribute} comes from var.${q.name}, set in ${setting.file} to an expression: make it "${q.desired}"`);
      return { kind: 'site', site: setting.site, current: setting.value, where: `${q.name} in ${setting.file}` };
    }
  }

  const def = decl.block.body.attributes.find((a) => a.name === 'default');
  if (!def) {
    return manual(
      { file: decl.entry.path, line: decl.block.range.start.line },
      q.isChildModule
        ? `${q.attribute} comes from var.${q.name}, which has no default and is not passed by the module call: pass ${q.name} = "${q.desired}"`
        : `${q.attribute} comes from var.${q.name}, which has no default and no value in an auto-loaded tfvars file: it is given when Terraform runs (-var, -var-file, TF_VAR_${q.name}); give it "${q.desired}" there`,
    );
  }
  const value = literalValue(def.expr);
  if (!value.literal || (value.value !== null && typeof value.value !== 'string')) {
    return manual({ file: decl.entry.path, line: def.range.start.line }, `${q.attribute} comes from var.${q.name}, whose default is not a plain string: decide how ${want}`);
  }
  const where = `default of variable "${q.name}"`;
  if (decl.entry.format === 'json') {
    const block = findJsonBlock(decl.entry.json, ['variable', q.name]);
    const node = block && jsonProperty(block.node, 'default');
    if (!block || !node) return manual({ file: decl.entry.path, line: def.range.start.line }, `can't locate the default of var.${q.name}`);
    return { kind: 'site', site: jsonSite(decl.entry, [...block.path, 'default'], node), current: value.value, where };
  }
  return { kind: 'site', site: hclSite(decl.entry.path, def.expr), current: value.value, where };
}

/** A literal value (string, number, bool, null), or not. */
export function literalValue(expr: Expr): { literal: true; value: unknown } | { literal: false } {
  const text = hclLiteralString(expr);
  if (text !== undefined) return { literal: true, value: text };
  if (expr.kind === 'literal') return { literal: true, value: expr.value };
  return { literal: false };
}

type TfvarsSetting =
  | { kind: 'value'; file: string; line: number; literal: boolean; value: unknown; site: ValueSite }
  | { kind: 'error'; file: string; line: number; message: string };

/** Every `*.tfvars` / `*.tfvars.json` of the module's directory that sets the variable. */
function tfvarsSettings(ws: TerraformWorkspace, module: ModuleFiles, name: string): TfvarsSetting[] {
  const out: TfvarsSetting[] = [];
  for (const fileName of module.names) {
    if (!fileName.endsWith('.tfvars') && !fileName.endsWith('.tfvars.json')) continue;
    const entry = ws.file(join(module.dir, fileName), 'tfvars');
    if (entry.error) {
      out.push({ kind: 'error', file: entry.path, line: entry.error.line, message: entry.error.message });
      continue;
    }
    if (entry.format === 'json') {
      const node = entry.json && jsonProperty(entry.json, name);
      if (!node) continue;
      const literal = node.type === 'string' || node.type === 'number' || node.type === 'boolean' || node.type === 'null';
      out.push({ kind: 'value', file: entry.path, line: lineAt(entry.text, node.offset), literal, value: node.value, site: jsonSite(entry, [name], node) });
      continue;
    }
    const attr = entry.config?.body.attributes.find((a) => a.name === name);
    if (!attr) continue;
    const value = literalValue(attr.expr);
    out.push({
      kind: 'value',
      file: entry.path,
      line: attr.range.start.line,
      literal: value.literal,
      value: value.literal ? value.value : undefined,
      site: hclSite(entry.path, attr.expr),
    });
  }
  return out;
}
