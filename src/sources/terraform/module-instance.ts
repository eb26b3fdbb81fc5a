import { join, relative, sep } from 'node:path';
import type { SourceResource } from '../../model/resource';
import { resourceTypeByTerraformName } from '../../model/resource-types';
import type { AttributeNode, BlockNode, Traverser } from './hcl/ast';
import { parseHcl } from './hcl/parser';
import { EvalError } from './eval-error';
import { BudgetExceeded } from './budget';
import { constantContext, errorMessage, evaluate, evaluateSafely, type EvalBudget, type EvalContext, type Scope } from './evaluator';
import { expandBlock, instancesOf, type Expansion } from './expansion';
import { FileFunctions, readableDirectories } from './file-functions';
import type { FunctionHost } from './functions';
import {
  isLocalModuleSource,
  literalString,
  resolveDirectory,
  type Declared,
  type ModuleDefinition,
} from './module-loader';
import { findDownloadedModule, type DownloadedModules } from './downloaded-modules';
import { TerraformResource } from './resource';
import { collectStackResources, STACK_RESOURCE_TYPES } from './cloudformation-stack';
import type { TerraformScanContext } from './scan-context';
import { findSuppressions } from './suppressions';
import { ANY_TYPE, convertValue, isPrimitiveType, parseTypeConstraint, type TypeConstraint } from './types';
import { ANY_VARIABLE, type VariableInput } from './variables';
import { ReferenceValue, UnknownValue, newObject, setKey, type Value } from './values';

/** Modules nested deeper than this are a mistake (or a loop through changing paths). */
const MAX_MODULE_DEPTH = 32;

/** The root module of an evaluation and what belongs to it alone. */
export interface RootModule {
  dir: string;
  realDir: string;
  /** Modules `terraform init` downloaded (`.terraform/modules/modules.json`). */
  downloadedModules: DownloadedModules;
  /** `terraform.workspace` (unknown when it can't be told). */
  workspace: Value;
}

/** How a module instance gets its variables' values. */
export type InputProvider =
  | { kind: 'root'; inputs: Map<string, VariableInput> }
  | { kind: 'call'; block: BlockNode; parent: ModuleInstance; bindings: ReadonlyMap<string, Value> };

/** `error` is an EvalError, or a limit of ours (BudgetExceeded, RangeError) that try() must not catch. */
type Memo = { state: 'pending' } | { state: 'done'; value: Value } | { state: 'error'; error: Error };

type ModuleCall =
  /** Not evaluated: a remote module (its outputs are references) or one that failed to load. */
  | { kind: 'unavailable'; value: Value }
  | { kind: 'expanded'; expansion: Expansion; instances: { key: number | string | null; instance: ModuleInstance }[] };

/** Inputs of a module block that are not variables. */
const MODULE_META_ARGUMENTS = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

/**
 * One instance of a module (the root, or one `count`/`for_each` instance of a call): the
 * scope its expressions are evaluated in. Values are computed when first needed and kept.
 */
export class ModuleInstance implements Scope {
  readonly functions: FunctionHost;
  private readonly variables = new Map<string, Memo>();
  private readonly locals = new Map<string, Memo>();
  private readonly outputs = new Map<string, Memo>();
  private readonly resourceValues = new Map<string, Memo>();
  private readonly calls = new Map<string, ModuleCall | 'pending'>();
  private readonly variableTypes = new Map<string, TypeConstraint>();

  constructor(
    private readonly scan: TerraformScanContext,
    readonly root: RootModule,
    readonly def: ModuleDefinition,
    /** '' for the root, else `module.x["k"].` with the trailing dot. */
    readonly addressPrefix: string,
    /** Names of the module calls leading here, for the downloaded-modules manifest. */
    private readonly keyPath: readonly string[],
    private readonly inputs: InputProvider,
    /** Set when the instance itself may not exist (an unknown count/for_each on a call). */
    readonly existenceUnknown: string | undefined,
    /** Real directories of the calling modules, to catch module loops. */
    private readonly ancestors: readonly string[],
    /** Set when this is a downloaded copy that may not be what is deployed: every property is unknown. */
    private readonly untrusted?: string,
  ) {
    this.functions = new FileFunctions(root.dir, readableDirectories(root.realDir, def.realDir), scan.limits, scan.fileCache);
  }

  resolve(root: string, steps: readonly Traverser[], ctx: EvalContext): { value: Value; consumed: number } {
    switch (root) {
      case 'var':
        return { value: this.variable(attributeName(steps, 'var'), ctx.budget), consumed: 1 };
      case 'local':
        return { value: this.local(attributeName(steps, 'local'), ctx.budget), consumed: 1 };
      case 'module':
        return this.moduleReference(steps, ctx.budget);
      case 'path':
        return { value: this.pathValue(attributeName(steps, 'path')), consumed: 1 };
      case 'terraform':
        if (attributeName(steps, 'terraform') === 'workspace') return { value: this.root.workspace, consumed: 1 };
        throw new EvalError(`unknown attribute terraform.${attributeName(steps, 'terraform')}`);
      case 'data': {
        const type = attributeName(steps, 'data');
        const name = steps[1]?.kind === 'attr' ? steps[1].name : undefined;
        if (name === undefined) throw new EvalError(`a data source reference needs a type and a name: data.${type}`);
        return { value: this.resourceReference(`data.${type}.${name}`, 'data source'), consumed: 2 };
      }
      case 'count':
        throw new EvalError('count.index can only be used in a block that has count');
      case 'each':
        throw new EvalError('each can only be used in a block that has for_each');
      case 'self':
        return { value: new UnknownValue('self is known only when applied'), consumed: 0 };
      default: {
        const name = steps[0]?.kind === 'attr' ? steps[0].name : undefined;
        if (name === undefined) throw new EvalError(`unknown name "${root}"`);
        return { value: this.resourceReference(`${root}.${name}`, 'resource'), consumed: 1 };
      }
    }
  }

  /**
   * A resource or data source as a value: a reference per instance, in a list (count) or map
   * (for_each) when its instances are known, so `length(aws_subnet.a)` and `for_each =
   * aws_subnet.a` work as at plan time. Its attributes are references too.
   */
  private resourceReference(address: string, what: string): Value {
    const decl = this.def.declaredResources.get(address);
    if (!decl) return new UnknownValue(`reference to undeclared ${what} ${address}`);
    const duplicate = this.def.duplicateResources.get(address);
    if (duplicate) {
      // Which block Terraform would keep is undefined (it refuses both): not the first one's
      // value, and an error, whatever its type (its duplicate alone is only a warning).
      const why = `${what} ${address} is declared more than once (again at ${duplicate.file}:${duplicate.line})`;
      this.scan.report({ ...duplicate, message: `${why}, and values rules read depend on it: they are unknown` });
      return new UnknownValue(why);
    }
    return this.memoized(this.resourceValues, address, address, () => {
      const full = this.addressPrefix + address;
      const budget = this.scan.budget;
      const { expansion } = budget.at(this.site(decl.file.path, decl.node), () => expandBlock(decl.node, this.context(budget)));
      switch (expansion.kind) {
        case 'single':
        case 'unknown':
          return new ReferenceValue(full);
        case 'count':
          return instancesOf(expansion).map((i) => new ReferenceValue(full + i.suffix));
        case 'for_each':
          return newObject(instancesOf(expansion).map((i) => [String(i.key), new ReferenceValue(full + i.suffix)] as const));
      }
    });
  }

  /** Every resource instance of registry types in this module and the modules it calls. */
  collectResources(out: SourceResource[]): void {
    // Once the unit's budget is spent, nothing more is collected: its error entry says so.
    for (const decl of this.def.resources) {
      if (this.scan.budget.exceeded) return;
      this.collectResource(decl, out);
    }
    for (const name of this.def.moduleCalls.keys()) {
      if (this.scan.budget.exceeded) return;
      const call = this.moduleCall(name);
      if (call.kind === 'expanded') for (const { instance } of call.instances) instance.collectResources(out);
    }
  }

  private collectResource(decl: Declared<BlockNode>, out: SourceResource[]): void {
    const [type, name] = decl.node.labels as [string, string];
    if (STACK_RESOURCE_TYPES.has(type)) return this.collectStack(decl, out);
    const info = resourceTypeByTerraformName(type);
    if (!info) return;
    const budget = this.scan.budget;
    const { expansion, error } = budget.at(this.site(decl.file.path, decl.node), () => expandBlock(decl.node, this.context(budget)));
    // About this resource's count or for_each alone (what they read reports its own errors).
    if (error) this.scan.report({ file: decl.file.path, line: decl.node.range.start.line, message: `${type}.${name}: ${error}`, resourceType: info.cloudFormation });
    const suppressions = findSuppressions(decl.file.config.comments, decl.node, decl.file.path, decl.file.text, (e) => this.scan.report(e));
    const existenceUnknown = this.existenceUnknown ?? (expansion.kind === 'unknown' ? expansion.reason : undefined);
    const fileOf = (node: object) => this.def.overrideFiles.get(node) ?? decl.file;
    for (const instance of instancesOf(expansion)) {
      out.push(
        this.judged(new TerraformResource(
          info.cloudFormation,
          `${this.addressPrefix}${type}.${name}${instance.suffix}`,
          info,
          { block: decl.node, file: decl.file, fileOf, scope: this, bindings: new Map(instance.bindings), budget },
          suppressions.length > 0 ? suppressions : undefined,
          existenceUnknown,
        )),
      );
    }
  }

  /** The resources of the CloudFormation template a stack deploys, per instance of the stack. */
  private collectStack(decl: Declared<BlockNode>, out: SourceResource[]): void {
    const budget = this.scan.budget;
    const { expansion, error } = budget.at(this.site(decl.file.path, decl.node), () => expandBlock(decl.node, this.context(budget)));
    if (error) this.scan.report({ file: decl.file.path, line: decl.node.range.start.line, message: `${decl.node.labels.join('.')}: ${error}` });
    const existenceUnknown = this.existenceUnknown ?? (expansion.kind === 'unknown' ? expansion.reason : undefined);
    for (const instance of instancesOf(expansion)) {
      const ctx = this.context(budget, new Map(instance.bindings));
      const site = { decl, def: this.def, addressPrefix: this.addressPrefix, suffix: instance.suffix, ctx, rootDir: this.root.dir, existenceUnknown, untrusted: this.untrusted, scan: this.scan };
      budget.at(this.site(decl.file.path, decl.node), () => collectStackResources(site, out));
    }
  }

  /** A resource of a downloaded copy that may not be the one deployed: nothing it says is known. */
  private judged(resource: TerraformResource): SourceResource {
    const reason = this.untrusted;
    if (reason === undefined) return resource;
    const { type, id, source, location, existenceUnknown } = resource;
    return { type, id, source, location, existenceUnknown, readProperty: () => ({ state: 'unknown', reason, location }) };
  }

  private context(budget: EvalBudget, bindings: ReadonlyMap<string, Value> = new Map()): EvalContext {
    return { scope: this, bindings, budget };
  }

  /** Where a node is, for the budget's error entry. */
  private site(file: string, node: { range: { start: { line: number } } }): { file: string; line: number } {
    return { file, line: node.range.start.line };
  }

  private memoized(memos: Map<string, Memo>, key: string, what: string, compute: () => Value): Value {
    const memo = memos.get(key);
    if (memo?.state === 'done') return memo.value;
    if (memo?.state === 'error') throw memo.error;
    if (memo?.state === 'pending') return new UnknownValue(`${what} refers to itself (a reference cycle)`);
    memos.set(key, { state: 'pending' });
    try {
      const value = compute();
      memos.set(key, { state: 'done', value });
      return value;
    } catch (e) {
      // Only Terraform's errors become EvalErrors: a limit of ours must stay uncatchable by try().
      const error = e instanceof Error ? e : new EvalError(errorMessage(e));
      memos.set(key, { state: 'error', error });
      throw error;
    }
  }

  private variable(name: string, budget: EvalBudget): Value {
    const decl = this.def.variables.get(name);
    if (!decl) throw new EvalError(`no variable "${name}" is declared`);
    return this.memoized(this.variables, name, `var.${name}`, () => {
      const type = this.variableType(name, decl);
      const body = decl.node.body;
      const given = this.inputValue(name, type, budget);
      const nullable = literalBool(body.attributes.find((a) => a.name === 'nullable'));
      const defaultAttr = body.attributes.find((a) => a.name === 'default');
      // A null input keeps the default only for variables declared `nullable = false`.
      if (given !== undefined && !(given === null && nullable === false && defaultAttr)) return this.converted(name, given, type);
      if (defaultAttr) return this.converted(name, evaluateSafely(defaultAttr.expr, constantContext(this.functions, this.scan.budget)), type);
      return new UnknownValue(`variable ${name} has no value`);
    });
  }

  private variableType(name: string, decl: Declared<BlockNode>): TypeConstraint {
    let type = this.variableTypes.get(name);
    if (!type) {
      const typeAttr = decl.node.body.attributes.find((a) => a.name === 'type');
      const constant = constantContext(this.functions, this.scan.budget);
      type = typeAttr ? parseTypeConstraint(typeAttr.expr, (e) => evaluate(e, constant)) : ANY_TYPE;
      this.variableTypes.set(name, type);
    }
    return type;
  }

  private converted(name: string, value: Value, type: TypeConstraint): Value {
    try {
      return convertValue(value, type);
    } catch (e) {
      return new UnknownValue(`variable ${name} has a value of the wrong type: ${errorMessage(e)}`);
    }
  }

  /** The value given to a variable from outside the module; undefined when none. */
  private inputValue(name: string, type: TypeConstraint, budget: EvalBudget): Value | undefined {
    if (this.inputs.kind === 'call') {
      const attr = this.inputs.block.body.attributes.find((a) => a.name === name && !MODULE_META_ARGUMENTS.has(a.name));
      if (!attr) return undefined;
      return evaluateSafely(attr.expr, { scope: this.inputs.parent, bindings: this.inputs.bindings, budget });
    }
    const input = this.inputs.inputs.get(name) ?? this.inputs.inputs.get(ANY_VARIABLE);
    if (!input) return undefined;
    switch (input.kind) {
      case 'value':
        return input.value;
      case 'expression':
        return evaluateSafely(input.expr, constantContext(this.functions, this.scan.budget));
      case 'cli': {
        // Terraform takes `-var` values literally for string-like variables, as HCL otherwise.
        if (type === ANY_TYPE && !this.def.variables.get(name)?.node.body.attributes.some((a) => a.name === 'type')) return input.text;
        if (isPrimitiveType(type)) return input.text;
        try {
          const expr = parseHcl(`value = ${input.text}\n`).body.attributes[0]?.expr;
          return expr ? evaluateSafely(expr, constantContext(this.functions, this.scan.budget)) : input.text;
        } catch (e) {
          return new UnknownValue(`${input.from} is not a valid expression: ${errorMessage(e)}`);
        }
      }
    }
  }

  private local(name: string, budget: EvalBudget): Value {
    const decl = this.def.locals.get(name);
    if (!decl) throw new EvalError(`no local value "${name}" is declared`);
    return this.memoized(this.locals, name, `local.${name}`, () =>
      budget.at(this.site(decl.file.path, decl.node), () => evaluate(decl.node.expr, this.context(budget))),
    );
  }

  /** `module.x...`: an output of a single instance, or all outputs by count index / for_each key. */
  private moduleReference(steps: readonly Traverser[], budget: EvalBudget): { value: Value; consumed: number } {
    const name = attributeName(steps, 'module');
    if (!this.def.moduleCalls.has(name)) throw new EvalError(`no module "${name}" is called here`);
    const call = this.moduleCall(name);
    if (call.kind === 'unavailable') return { value: call.value, consumed: 1 };
    const { expansion, instances } = call;
    const next = steps[1];
    switch (expansion.kind) {
      case 'unknown':
        return { value: new UnknownValue(expansion.reason), consumed: 1 };
      case 'single': {
        const instance = (instances[0] as (typeof instances)[number]).instance;
        if (next?.kind === 'attr') return { value: instance.output(next.name, budget), consumed: 2 };
        return { value: instance.allOutputs(budget), consumed: 1 };
      }
      case 'count':
        return { value: instances.map(({ instance }) => instance.allOutputs(budget)), consumed: 1 };
      case 'for_each':
        return {
          value: newObject(instances.map(({ key, instance }) => [String(key), instance.allOutputs(budget)] as const)),
          consumed: 1,
        };
    }
  }

  output(name: string, budget: EvalBudget): Value {
    const decl = this.def.outputs.get(name);
    if (!decl) throw new EvalError(`module ${this.addressPrefix.slice(0, -1)} has no output "${name}"`);
    return this.memoized(this.outputs, name, `output ${name}`, () => {
      const value = decl.node.body.attributes.find((a) => a.name === 'value');
      return value ? budget.at(this.site(decl.file.path, value), () => evaluate(value.expr, this.context(budget))) : null;
    });
  }

  private allOutputs(budget: EvalBudget): Value {
    const obj = newObject();
    for (const name of this.def.outputs.keys()) {
      let value: Value;
      try {
        value = this.output(name, budget);
      } catch (e) {
        value = new UnknownValue(`output ${name} could not be evaluated: ${errorMessage(e)}`);
      }
      setKey(obj, name, value);
    }
    return obj;
  }

  private pathValue(name: string): Value {
    switch (name) {
      case 'module': {
        const rel = relative(this.root.dir, this.def.dir);
        return rel === '' ? '.' : rel.split(sep).join('/');
      }
      // Terraform loads the root from its working directory (`-chdir`): its source dir is ".".
      case 'root':
        return '.';
      // filepath.Abs of the directory Terraform runs in (GetPathAttr): not knowable offline, and
      // "." would let `startswith(path.cwd, "/")` decide a count to a false 0.
      case 'cwd':
        return new UnknownValue('path.cwd depends on where Terraform runs (an absolute path)');
      default:
        throw new EvalError(`unknown attribute path.${name}`);
    }
  }

  /** A module call's instances, created on first use (enumeration or a `module.x` reference). */
  private moduleCall(name: string): ModuleCall {
    const existing = this.calls.get(name);
    if (existing === 'pending') return { kind: 'unavailable', value: new UnknownValue(`module ${name} depends on itself`) };
    if (existing) return existing;
    this.calls.set(name, 'pending');
    let call: ModuleCall;
    try {
      call = this.createModuleCall(name, this.def.moduleCalls.get(name) as Declared<BlockNode>);
    } catch (e) {
      // The budget ran out while expanding it: later references see that, not a loop.
      if (!(e instanceof BudgetExceeded)) throw e;
      call = { kind: 'unavailable', value: new UnknownValue(`module ${name} was not evaluated: ${e.message}`) };
    }
    this.calls.set(name, call);
    return call;
  }

  private createModuleCall(name: string, decl: Declared<BlockNode>): ModuleCall {
    const block = decl.node;
    const sourceAttr = block.body.attributes.find((a) => a.name === 'source');
    const report = (message: string) =>
      this.scan.report({ file: decl.file.path, line: (sourceAttr ?? block).range.start.line, message: `module "${name}": ${message}` });
    const unavailable = (reason: string): ModuleCall => ({ kind: 'unavailable', value: new UnknownValue(`module ${name} ${reason}`) });
    const source = literalString(block.body, 'source');
    if (source === undefined) {
      report('source must be a literal string');
      return unavailable('has no usable source');
    }
    const keyPath = [...this.keyPath, name];
    let dir: string;
    let untrusted = this.untrusted;
    if (isLocalModuleSource(source)) {
      dir = join(this.def.dir, source);
    } else {
      const version = block.body.attributes.some((a) => a.name === 'version') ? (literalString(block.body, 'version') ?? null) : undefined;
      const found = findDownloadedModule(this.root.downloadedModules, this.root, keyPath.join('.'), source, version);
      const where = { file: decl.file.path, line: (sourceAttr ?? block).range.start.line };
      switch (found.kind) {
        case 'missing':
          // Remote modules are not fetched: their outputs are values that will exist.
          this.scan.note({ ...where, message: `module "${name}" (${source}) is ${found.reason}: its resources are not evaluated` });
          return { kind: 'unavailable', value: new ReferenceValue(`${this.addressPrefix}module.${name}`) };
        case 'refused':
          report(found.reason);
          return unavailable('was not evaluated');
        case 'stale':
          this.scan.note({ ...where, message: `module "${name}": ${found.reason}; terraform init would download another copy, so its verdicts are unknown` });
          untrusted = `module.${name} in .terraform/modules may not be what is deployed (${found.reason}; run terraform init)`;
          dir = found.dir;
          break;
        case 'ok':
          dir = found.dir;
      }
    }
    const resolved = resolveDirectory(dir);
    if (!resolved.ok) {
      report(`source ${source} can't be used: ${resolved.reason}`);
      return unavailable('could not be loaded');
    }
    const chain = [...this.ancestors, this.def.realDir];
    if (chain.includes(resolved.realDir)) {
      const loop = [...chain.slice(chain.indexOf(resolved.realDir)), resolved.realDir].map((d) => relative(this.root.realDir, d) || '.');
      report(`module calls itself in a loop (${loop.join(' → ')}); not evaluated again`);
      return unavailable('calls itself in a loop');
    }
    if (chain.length >= MAX_MODULE_DEPTH) {
      report(`modules are nested more than ${MAX_MODULE_DEPTH} deep; not evaluated further`);
      return unavailable('is nested too deeply');
    }
    const def = this.scan.definition(dir, resolved.realDir);
    const budget = this.scan.budget;
    const { expansion, error } = budget.at(this.site(decl.file.path, block), () => expandBlock(block, this.context(budget)));
    if (error) this.scan.report({ file: decl.file.path, line: block.range.start.line, message: `module "${name}": ${error}` });
    const existence = this.existenceUnknown ?? (expansion.kind === 'unknown' ? expansion.reason : undefined);
    const instances = instancesOf(expansion).map((inst) => ({
      key: inst.key,
      instance: new ModuleInstance(
        this.scan,
        this.root,
        def,
        `${this.addressPrefix}module.${name}${inst.suffix}.`,
        keyPath,
        { kind: 'call', block, parent: this, bindings: new Map(inst.bindings) },
        existence,
        chain,
        untrusted,
      ),
    }));
    return { kind: 'expanded', expansion, instances };
  }
}

function attributeName(steps: readonly Traverser[], root: string): string {
  const step = steps[0];
  if (step?.kind === 'attr') return step.name;
  throw new EvalError(`${root} must be followed by an attribute name`);
}

function literalBool(attr: AttributeNode | undefined): boolean | undefined {
  if (attr?.expr.kind === 'literal' && typeof attr.expr.value === 'boolean') return attr.expr.value;
  return undefined;
}
