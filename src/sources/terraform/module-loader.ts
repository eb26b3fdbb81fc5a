import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_READ_LIMITS, describeFsError, readTextFile, type ReadLimits } from '../read-file';
import { isTerraformFile } from './file-names';
import type { ScanError } from '../source';
import { HclSyntaxError, type AttributeNode, type BlockNode, type Body, type ConfigFile, type Expr } from './hcl/ast';
import { parseHcl } from './hcl/parser';
import { parseTerraformJson } from './json-syntax';
import { isInsideAny } from '../paths';
import { resourceTypeByTerraformName } from '../../model/resource-types';
import { STACK_RESOURCE_TYPES } from './cloudformation-stack';

/** One configuration file of a module, parsed. */
export interface LoadedFile {
  path: string;
  text: string;
  config: ConfigFile;
}

/** A declaration and the file it is written in. */
export interface Declared<T> {
  node: T;
  file: LoadedFile;
}

/** The declarations of one module directory, independent of any call to it. */
export interface ModuleDefinition {
  dir: string;
  realDir: string;
  files: LoadedFile[];
  variables: Map<string, Declared<BlockNode>>;
  locals: Map<string, Declared<AttributeNode>>;
  outputs: Map<string, Declared<BlockNode>>;
  /** Managed resources, in file order. */
  resources: Declared<BlockNode>[];
  /** Every managed resource (`type.name`) and data source (`data.type.name`) by address. */
  declaredResources: Map<string, Declared<BlockNode>>;
  /** Addresses declared more than once, and where the second declaration is: references to them are unknown. */
  duplicateResources: Map<string, { file: string; line: number }>;
  moduleCalls: Map<string, Declared<BlockNode>>;
  /** The file that wrote a node merged in from an override file (else the declaration's). */
  overrideFiles: WeakMap<object, LoadedFile>;
  /** Files read, whether or not they parsed. */
  filesRead: string[];
  errors: ScanError[];
}

/** `override.tf`, `*_override.tf` (and `.tf.json`): merged into the primary files' declarations. */
export function isOverrideFileName(name: string): boolean {
  return /(^|_)override\.tf(\.json)?$/.test(name);
}

/** Go sorts directory entries by bytes; JavaScript's default sort by UTF-16 units differs above U+FFFF. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Reads and parses the `.tf` and `.tf.json` files of a directory that Terraform reads (not hidden
 * or editor files), primary files first and override files after them, each in name order. A file
 * that can't be read or parsed is reported and the others are still used.
 */
export function loadModuleDirectory(
  dir: string,
  realDir: string,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
  scanRoots?: readonly string[],
): ModuleDefinition {
  const def: ModuleDefinition = {
    dir,
    realDir,
    files: [],
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    resources: [],
    declaredResources: new Map(),
    duplicateResources: new Map(),
    moduleCalls: new Map(),
    overrideFiles: new WeakMap(),
    filesRead: [],
    errors: [],
  };
  let names: string[];
  try {
    names = readdirSync(dir).filter(isTerraformFile).sort(byteOrder);
  } catch (e) {
    def.errors.push({ file: dir, message: `can't read module directory: ${describeFsError(e)}` });
    return def;
  }
  const overrides: LoadedFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      // Terraform skips directories only: it would read (and wait on) a FIFO, so readTextFile reports it.
      if (statSync(path).isDirectory()) continue;
    } catch (e) {
      def.errors.push({ file: path, message: `can't read file: ${describeFsError(e)}` });
      continue;
    }
    // A file of a module inside the scanned paths that links outside them is not read: its content
    // would come from a tree the user did not give (and be quoted in messages). Terraform would
    // read it, so the configuration is incomplete: an error entry, not silence. (A module whose
    // own directory is outside, `source = "../../modules/x"`, is the caller's choice and is read.)
    const outside = scanRoots && isInsideAny(realDir, scanRoots) ? linkOutside(path, scanRoots) : undefined;
    if (outside !== undefined) {
      def.errors.push({ file: path, message: `links to ${outside}, outside the scanned paths: not read, so this module is incomplete (--follow-external-symlinks reads it)` });
      continue;
    }
    const read = readTextFile(path, limits);
    if (!read.ok) {
      def.errors.push({ file: path, message: `can't read file: ${read.reason}` });
      continue;
    }
    def.filesRead.push(path);
    const file = parseConfigFile(path, read.text, def.errors);
    if (!file) continue;
    if (isOverrideFileName(name)) overrides.push(file);
    else addDeclarations(def, file);
  }
  // Terraform merges override files only once every primary file is loaded (configs.NewModule).
  for (const file of overrides) applyOverride(def, file);
  def.errors.push(...findLocalCycles(def));
  return def;
}

/** The real path of a file that is a symbolic link leading outside `roots`, else undefined. */
function linkOutside(path: string, roots: readonly string[]): string | undefined {
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
    const real = realpathSync(path);
    return isInsideAny(real, roots) ? undefined : real;
  } catch {
    return undefined; // a dangling link is reported when read
  }
}

/** Parses a `.tf` or `.tf.json` file; a syntax error is added to `errors`. */
function parseConfigFile(path: string, text: string, errors: ScanError[]): LoadedFile | undefined {
  try {
    const config = path.endsWith('.json') ? parseTerraformJson(text) : parseHcl(text);
    return { path, text, config };
  } catch (e) {
    if (e instanceof HclSyntaxError) {
      errors.push({ file: path, message: `syntax error: ${e.message}`, line: e.position.line });
    } else {
      errors.push({ file: path, message: `can't parse file: ${e instanceof Error ? e.message : String(e)}` });
    }
    return undefined;
  }
}

function addDeclarations(def: ModuleDefinition, file: LoadedFile): void {
  def.files.push(file);
  const duplicate = (what: string, block: { range: { start: { line: number } } }, resourceType?: string) =>
    def.errors.push({
      file: file.path,
      line: block.range.start.line,
      message: `duplicate ${what}; the first declaration is used`,
      ...(resourceType !== undefined ? { resourceType } : {}),
    });
  for (const block of file.config.body.blocks) {
    const [first, second] = block.labels;
    switch (block.type) {
      case 'variable':
      case 'output':
      case 'module': {
        if (first === undefined) break;
        const map = block.type === 'variable' ? def.variables : block.type === 'output' ? def.outputs : def.moduleCalls;
        if (map.has(first)) duplicate(`${block.type} "${first}"`, block);
        else map.set(first, { node: block, file });
        break;
      }
      case 'locals':
        for (const attr of block.body.attributes) {
          if (def.locals.has(attr.name)) duplicate(`local value "${attr.name}"`, attr);
          else def.locals.set(attr.name, { node: attr, file });
        }
        break;
      case 'resource':
      case 'data': {
        if (first === undefined || second === undefined) break;
        const key = `${block.type === 'data' ? 'data.' : ''}${first}.${second}`;
        if (def.declaredResources.has(key)) {
          // Terraform refuses the whole module, yet the duplicate can't change a checked resource's
          // verdict unless one depends on it, and then the reference is unknown and an error of
          // its own (ModuleInstance.resourceReference): so it is a warning when no rule checks its type.
          duplicate(`${block.type === 'data' ? 'data source' : 'resource'} ${key}`, block, block.type === 'resource' ? blockResourceType(first) : undefined);
          if (!def.duplicateResources.has(key)) def.duplicateResources.set(key, { file: file.path, line: block.range.start.line });
          break;
        }
        const decl = { node: block, file };
        def.declaredResources.set(key, decl);
        if (block.type === 'resource') def.resources.push(decl);
        break;
      }
    }
  }
}

/**
 * Override files (`override.tf`, `*_override.tf`) change existing declarations as Terraform's
 * Module.mergeFile does: each attribute by name, nested blocks by type (mergeBody). Overriding
 * something no primary file declares is an error in Terraform, so it is reported, not applied.
 */
function applyOverride(def: ModuleDefinition, file: LoadedFile): void {
  def.files.push(file);
  const missing = (node: { range: { start: { line: number } } }, what: string, resourceType?: string) =>
    def.errors.push({
      file: file.path,
      line: node.range.start.line,
      message: `there is no ${what}: an override file can only change what a primary file declares`,
      ...(resourceType !== undefined ? { resourceType } : {}),
    });
  const mergeInto = (target: Declared<BlockNode> | undefined, override: BlockNode, what: string, resourceType?: string) => {
    // Not applied: an override of a resource that doesn't exist changes nothing else.
    if (!target) missing(override, what, resourceType);
    else target.node = { ...target.node, body: mergeBodies(target.node.body, override.body, def, file) };
  };
  for (const block of file.config.body.blocks) {
    const [first, second] = block.labels;
    switch (block.type) {
      case 'variable':
      case 'output':
      case 'module': {
        if (first === undefined) break;
        const map = block.type === 'variable' ? def.variables : block.type === 'output' ? def.outputs : def.moduleCalls;
        mergeInto(map.get(first), block, `${block.type === 'module' ? 'module call' : block.type} named "${first}"`);
        break;
      }
      case 'resource':
      case 'data':
        if (first === undefined || second === undefined) break;
        mergeInto(
          def.declaredResources.get(`${block.type === 'data' ? 'data.' : ''}${first}.${second}`),
          block,
          `${first} ${block.type === 'data' ? 'data source' : 'resource'} named "${second}"`,
          block.type === 'resource' ? blockResourceType(first) : undefined,
        );
        break;
      case 'locals':
        for (const attr of block.body.attributes) {
          if (def.locals.has(attr.name)) def.locals.set(attr.name, { node: attr, file });
          else missing(attr, `local value named "${attr.name}"`);
        }
        break;
    }
  }
}

/**
 * The `resourceType` of an error about one resource block alone (see ScanError): its
 * CloudFormation name when it has one here, else the Terraform type. None for a CloudFormation
 * stack: the template it deploys may hold resources rules check.
 */
function blockResourceType(type: string): string | undefined {
  if (STACK_RESOURCE_TYPES.has(type)) return undefined;
  return resourceTypeByTerraformName(type)?.cloudFormation ?? type;
}

/** The type a nested block configures: `dynamic "x"` configures `x` blocks. */
function configuredType(block: BlockNode): string {
  return block.type === 'dynamic' ? (block.labels[0] ?? 'dynamic') : block.type;
}

/**
 * Terraform's mergeBody: override attributes replace base attributes of the same name; any
 * override block of a type (static or `dynamic`) hides every base block of that type. A
 * `lifecycle` block is merged argument by argument, as Resource.merge does.
 */
function mergeBodies(base: Body, override: Body, def: ModuleDefinition, file: LoadedFile): Body {
  const attributes = base.attributes.filter((a) => !override.attributes.some((o) => o.name === a.name));
  for (const a of override.attributes) def.overrideFiles.set(a, file);
  for (const b of override.blocks) def.overrideFiles.set(b, file);
  const baseLifecycle = base.blocks.find((b) => b.type === 'lifecycle');
  const overrideBlocks = override.blocks.map((b) =>
    b.type === 'lifecycle' && baseLifecycle ? { ...b, body: mergeBodies(baseLifecycle.body, b.body, def, file) } : b,
  );
  const overriddenTypes = new Set(override.blocks.map(configuredType));
  const blocks = base.blocks.filter((b) => !overriddenTypes.has(configuredType(b)));
  return { ...base, attributes: [...attributes, ...override.attributes], blocks: [...blocks, ...overrideBlocks] };
}

/** Cycles among local values, found statically so each is reported once with its line. */
function findLocalCycles(def: ModuleDefinition): ScanError[] {
  const deps = new Map<string, string[]>();
  for (const [name, { node }] of def.locals) deps.set(name, [...new Set(localReferences(node.expr))].filter((d) => def.locals.has(d)));
  const errors: ScanError[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const s = state.get(dep);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const decl = def.locals.get(dep) as Declared<AttributeNode>;
        errors.push({
          file: decl.file.path,
          line: decl.node.range.start.line,
          message: `local values refer to each other in a cycle: ${cycle.map((c) => `local.${c}`).join(' → ')}; they are unknown`,
        });
      } else if (s === undefined) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of deps.keys()) if (!state.has(name)) visit(name);
  return errors;
}

/** Names `x` of every `local.x` in an expression. */
function localReferences(expr: Expr): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const node = v as { kind?: string; root?: string; steps?: { kind: string; name?: string }[] };
    if (node.kind === 'traversal' && node.root === 'local' && node.steps?.[0]?.kind === 'attr') out.push(node.steps[0].name as string);
    for (const [k, child] of Object.entries(v)) if (!k.endsWith('ange')) visit(child);
  };
  visit(expr);
  return out;
}

/** The real path of a directory, or why it can't be used. */
export function resolveDirectory(dir: string): { ok: true; realDir: string } | { ok: false; reason: string } {
  try {
    const realDir = realpathSync(dir);
    if (!statSync(realDir).isDirectory()) return { ok: false, reason: 'not a directory' };
    return { ok: true, realDir };
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  }
}

/** A block's attribute written as a plain string (Terraform requires this for `source`). */
export function literalString(body: Body, name: string): string | undefined {
  const expr = body.attributes.find((a) => a.name === name)?.expr;
  if (!expr || expr.kind !== 'template') return undefined;
  if (!expr.parts.every((p) => p.kind === 'text')) return undefined;
  return expr.parts.map((p) => (p.kind === 'text' ? p.value : '')).join('');
}

/** Terraform treats only `./` and `../` sources as local paths. */
export function isLocalModuleSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../') || source === '.' || source === '..';
}

