// The Terraform fixer of `cloudconform fix`: writes each failing resource's desired state into
// its `.tf` or `.tf.json` configuration, changing only the values and lines that must change.
// Where the value comes from elsewhere (a variable's default, terraform.tfvars, the one module
// call) it edits that place; where it would have to guess, it leaves a ManualDecision instead.
import { dirname, join, normalize } from 'node:path';
import type { JSONPath, Node } from 'jsonc-parser';
import { resourceTypeByCloudFormationName, resourceTypeByTerraformName, snakeCase, terraformAttributeName, type ResourceTypeInfo } from '../../model/resource-types';
import type { RequiredInputKind } from '../../rules/rule';
import { emptyFixResult, type FixInputs, type FixResult, type FixTarget, type ManualDecision, type ReadFile } from '../../remediation/iac/fixer';
import type { AttributeNode, BlockNode, Body, Expr } from './hcl/ast';
import { renderExpr } from './render';
import { parseResourceAddress, type ResourceAddress } from './fix-address';
import { FileEdits, hclStringList, lineAt, type ChangeNote } from './fix-edits';
import { hclString } from './hcl/write';
import { appendBlock, insertAttributes, insertNestedBlock, type InsertionResult, type NewAttribute } from './fix-hcl';
import {
  findBlock,
  findJsonBlock,
  jsonProperty,
  jsonSite,
  literalValue,
  overrideFiles,
  resolveVariable,
  TerraformWorkspace,
  variableReference,
  type ConfigEntry,
  type ModuleFiles,
} from './fix-module';
import { ModuleCallFinder } from './fix-callers';

/**
 * `searchRoots` are the paths `fix` scanned (files or directories): a child module's callers are
 * looked for in every directory under them. Without, only in the module's parent directories.
 */
export function fixTerraform(targets: FixTarget[], inputs: FixInputs, readFile: ReadFile, listDir: (dir: string) => string[], searchRoots?: string[]): FixResult {
  // Paths are normalized so a file reached two ways (`./a/main.tf`, `a/main.tf`) is edited once;
  // results use the path as the targets wrote it.
  const asGiven = new Map<string, string>();
  for (const t of targets) if (!asGiven.has(normalize(t.file))) asGiven.set(normalize(t.file), t.file);
  const fixer = new TerraformFixer(inputs, readFile, listDir, searchRoots);
  const jobs = new Map<string, BlockJob>();
  for (const target of targets) {
    const file = normalize(target.file);
    // Plan files describe what Terraform will do, not configuration: the engine reports them.
    if (file.endsWith('.json') && !file.endsWith('.tf.json')) continue;
    const stack = /^(.*?(?:aws|awscc)_cloudformation_stack(?:_set)?\.[^/]+)\//.exec(target.resourceId);
    if (stack) {
      const message = `a resource of the CloudFormation template that ${stack[1]} deploys: fix the template or the stack's parameters by hand`;
      fixer.manual.push({ file: target.file, line: target.line, ruleId: target.ruleId, resourceId: target.resourceId, message });
      continue;
    }
    const address = parseResourceAddress(target.resourceId);
    // The address's own type first: an awscc type names its attributes differently from the aws one.
    const ownType = address && resourceTypeByTerraformName(address.type);
    const info = ownType?.cloudFormation === target.resourceType ? ownType : resourceTypeByCloudFormationName(target.resourceType);
    if (!address || address.mode !== 'managed' || !info) {
      fixer.manual.push({
        file: target.file,
        line: target.line,
        ruleId: target.ruleId,
        resourceId: target.resourceId,
        message: !address || address.mode !== 'managed' ? `can't read the resource address ${target.resourceId}: fix it by hand` : `no Terraform mapping for ${target.resourceType}: fix it by hand`,
      });
      continue;
    }
    const key = `${file}\0${address.type}\0${address.name}\0${target.ruleId}`;
    const job = jobs.get(key);
    if (job) job.targets.push(target);
    else jobs.set(key, { file, address, info, targets: [target] });
  }
  for (const job of jobs.values()) {
    try {
      fixer.fixBlock(job);
    } catch (e) {
      // Never crash on hostile input: whatever was not foreseen becomes a decision for a person.
      fixer.manualForAll(job, { file: job.file, line: job.targets[0]!.line }, `internal error while fixing: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const result = fixer.finish();
  const rename = (p: string) => asGiven.get(p) ?? p;
  return {
    files: new Map([...result.files].map(([p, text]) => [rename(p), text])),
    ...(result.edits ? { edits: new Map([...result.edits].map(([p, edits]) => [rename(p), edits])) } : {}),
    changes: result.changes.map((c) => ({ ...c, file: rename(c.file) })),
    manual: result.manual.map((m) => ({ ...m, file: rename(m.file) })),
  };
}

/** The failing instances of one resource block for one rule: fixed once, together. */
interface BlockJob {
  file: string;
  address: ResourceAddress;
  info: ResourceTypeInfo;
  targets: FixTarget[];
}

interface Place {
  file: string;
  line: number;
}

/**
 * What fixing one block takes. Edits are deferred: if any value needs a person's decision the
 * block is left untouched (no half-fixed resource), and only the decisions are reported.
 */
class BlockPlan {
  readonly edits: (() => void)[] = [];
  /** Decisions that stop the block from being fixed. */
  readonly blockers: { place: Place; message: string }[] = [];
  /** Decisions that go with the edits (e.g. callers must pass a new variable). */
  readonly notes: { place: Place; message: string }[] = [];
  /** Variables the block now refers to and the user must give values, with what each is. */
  readonly newVariables: { name: string; description: string }[] = [];
}

/** Variable names for values the user must supply, by resource type and input kind. */
const VARIABLE_PREFIX: Record<string, string> = {
  'AWS::SageMaker::NotebookInstance': 'notebook',
  'AWS::SageMaker::Domain': 'domain',
};
const INPUT_VARIABLES: Record<RequiredInputKind, { suffix: string; type: string; list: boolean }> = {
  'subnet-id': { suffix: 'subnet_id', type: 'string', list: false },
  'subnet-ids': { suffix: 'subnet_ids', type: 'list(string)', list: true },
  'security-group-ids': { suffix: 'security_group_ids', type: 'list(string)', list: true },
  'vpc-id': { suffix: 'vpc_id', type: 'string', list: false },
};

export function inputVariableName(resourceType: string, input: RequiredInputKind): string {
  const prefix = VARIABLE_PREFIX[resourceType] ?? snakeCase(resourceType.split('::').pop() ?? 'resource');
  return `${prefix}_${INPUT_VARIABLES[input].suffix}`;
}

/** A value the user gave, as the kind of input needs it (a list kind accepts `a,b`). */
function inputValue(kind: RequiredInputKind, raw: string | string[] | undefined): string | string[] | undefined {
  if (raw === undefined) return undefined;
  const items = (Array.isArray(raw) ? raw : raw.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) return undefined;
  return INPUT_VARIABLES[kind].list ? items : items.length === 1 ? items[0] : undefined;
}

/** A required value: the user's literal, or a reference to a new variable. */
interface RequiredValue {
  hcl: string;
  json: unknown;
  text: string;
}

class TerraformFixer {
  readonly manual: ManualDecision[] = [];
  private readonly ws: TerraformWorkspace;
  private readonly callers: ModuleCallFinder;
  private readonly edits: FileEdits;
  /** Variables added this run, by module directory and name. */
  private readonly declared = new Set<string>();
  private readonly noted = new Set<string>();

  constructor(
    private readonly inputs: FixInputs,
    readFile: ReadFile,
    listDir: (dir: string) => string[],
    searchRoots: string[] | undefined,
  ) {
    this.ws = new TerraformWorkspace(readFile, listDir);
    this.callers = new ModuleCallFinder(this.ws, searchRoots);
    this.edits = new FileEdits(readFile);
  }

  finish(): FixResult {
    const { files, edits, changes } = this.edits.finish();
    return { ...emptyFixResult(), files, ...(edits.size > 0 ? { edits } : {}), changes, manual: this.manual };
  }

  manualForAll(job: BlockJob, place: Place, message: string): void {
    for (const t of job.targets) this.addManual({ ...place, ruleId: t.ruleId, resourceId: t.resourceId, message });
  }

  private addManual(m: ManualDecision): void {
    const key = `${m.file}\0${m.line}\0${m.resourceId}\0${m.message}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.manual.push(m);
  }

  fixBlock(job: BlockJob): void {
    const entry = this.ws.file(job.file);
    if (entry.error) {
      this.manualForAll(job, { file: job.file, line: entry.error.line }, `the file can't be parsed, so it is not changed: ${entry.error.message}`);
      return;
    }
    const module = this.ws.module(dirname(job.file));
    const { type, name } = job.address;
    const overridden = overrideFiles(module).find((f) => f.config && findBlock(f.config, 'resource', [type, name]));
    if (overridden) {
      const block = findBlock(overridden.config!, 'resource', [type, name])!;
      this.manualForAll(job, { file: overridden.path, line: block.range.start.line }, `${type}.${name} is also configured in the override file ${overridden.path}: decide which file should hold the fix`);
      return;
    }
    // The block is in the finding's file, or (when the finding points at a value elsewhere) in another file of the module.
    const holder = [entry, ...module.files.filter((f) => f.path !== entry.path)].find((f) => this.hasResource(f, type, name));
    if (!holder) {
      this.manualForAll(job, { file: job.file, line: job.targets[0]!.line }, `resource ${type}.${name} was not found in ${job.file} or its module directory`);
      return;
    }
    const plan = new BlockPlan();
    if (holder.format === 'json') this.planJson(job, holder, module, plan);
    else this.planHcl(job, holder, findBlock(holder.config!, 'resource', [type, name])!, module, plan);
    if (job.address.modules.length > 0 && plan.newVariables.length > 0) this.planCallerNotes(job, module, plan);
    if (plan.blockers.length > 0) {
      for (const b of plan.blockers) this.manualForAll(job, b.place, b.message);
      return;
    }
    for (const edit of plan.edits) edit();
    for (const n of plan.notes) this.manualForAll(job, n.place, n.message);
  }

  private hasResource(entry: ConfigEntry, type: string, name: string): boolean {
    if (entry.format === 'json') return findJsonBlock(entry.json, ['resource', type, name]) !== undefined;
    return entry.config !== undefined && findBlock(entry.config, 'resource', [type, name]) !== undefined;
  }

  private note(job: BlockJob, property: string, description: string): ChangeNote {
    const t = job.targets[0]!;
    return { ruleId: t.ruleId, resourceId: t.resourceId, description: `${property}: ${description}` };
  }

  // ---------------------------------------------------------------- HCL

  private planHcl(job: BlockJob, entry: ConfigEntry, block: BlockNode, module: ModuleFiles, plan: BlockPlan): void {
    const file = entry.path;
    const desired = job.targets[0]!.desired;
    /** New attributes by the body they go into; new nested blocks by parent body and type. */
    const newAttributes = new Map<Body, NewAttribute[]>();
    const newBlocks = new Map<string, { body: Body; type: string; attrs: NewAttribute[]; property: string }>();
    const add = (located: HclAbsent, attr: NewAttribute, property: string) => {
      if (located.kind === 'absent') {
        const list = newAttributes.get(located.body) ?? [];
        list.push(attr);
        newAttributes.set(located.body, list);
      } else {
        const key = `${located.body.range.start.offset}\0${located.blockType}`;
        const entryBlock = newBlocks.get(key) ?? { body: located.body, type: located.blockType, attrs: [], property };
        entryBlock.attrs.push(attr);
        newBlocks.set(key, entryBlock);
      }
    };

    for (const { property, value } of desired.set) {
      const attrName = terraformAttributeName(job.info, property);
      const located = locateHcl(block.body, attrName.split('.'));
      if (located.kind === 'unsupported') {
        plan.blockers.push({ place: { file, line: located.line }, message: `${property}: ${located.message}` });
        continue;
      }
      const leaf = attrName.split('.').pop()!;
      if (located.kind !== 'attribute') {
        add(located, { name: leaf, value: hclString(value), note: this.note(job, property, `added ${leaf} = "${value}"`) }, property);
        continue;
      }
      this.planValue(job, module, plan, property, leaf, value, located.attr, file);
    }

    for (const req of desired.require) {
      const attrName = terraformAttributeName(job.info, req.property);
      const located = locateHcl(block.body, attrName.split('.'));
      // Present in any form (an expression, a dynamic block): the user's choice stands.
      if (located.kind === 'unsupported') continue;
      if (located.kind === 'attribute' && !(located.attr.expr.kind === 'literal' && located.attr.expr.value === null)) continue;
      const leaf = attrName.split('.').pop()!;
      const required = this.requiredValue(job, req.input, req.description, module, plan, file);
      if (!required) continue;
      const note = this.note(job, req.property, `added ${leaf} = ${required.text}`);
      if (located.kind === 'attribute') {
        plan.edits.push(() => this.edits.splice(file, located.attr.expr.range.start.offset, located.attr.expr.range.end.offset, required.hcl, [{ at: 0, note }]));
      } else {
        add(located, { name: leaf, value: required.hcl, note }, req.property);
      }
    }

    for (const [body, attrs] of newAttributes) this.planInsertion(plan, file, body, insertAttributes(entry.text, body, attrs));
    for (const b of newBlocks.values()) {
      const note = this.note(job, b.property, `added block ${b.type}`);
      this.planInsertion(plan, file, b.body, insertNestedBlock(entry.text, b.body, b.type, b.attrs, note));
    }
  }

  private planInsertion(plan: BlockPlan, file: string, body: Body, insertion: InsertionResult): void {
    if ('error' in insertion) {
      plan.blockers.push({ place: { file, line: body.range.start.line }, message: `${insertion.error}: add the attributes by hand` });
      return;
    }
    plan.edits.push(() => this.edits.splice(file, insertion.offset, insertion.offset, insertion.text, insertion.notes));
  }

  /** A `set` property written as an expression: a literal is replaced, a variable followed. */
  private planValue(job: BlockJob, module: ModuleFiles, plan: BlockPlan, property: string, leaf: string, value: string, attr: AttributeNode, file: string): void {
    const literal = literalValue(attr.expr);
    if (literal.literal) {
      if (literal.value === value) return;
      const note = this.note(job, property, `${renderExpr(attr.expr)} -> "${value}"`);
      plan.edits.push(() => this.edits.splice(file, attr.expr.range.start.offset, attr.expr.range.end.offset, hclString(value), [{ at: 0, note }]));
      return;
    }
    const variable = variableReference(attr.expr);
    if (variable === undefined) {
      plan.blockers.push({ place: { file, line: attr.expr.range.start.line }, message: `${property}: ${leaf} = ${describeExpression(attr.expr)}: decide how it becomes "${value}"` });
      return;
    }
    this.planVariable(job, module, plan, property, leaf, value, variable, { file, line: attr.expr.range.start.line });
  }

  private planVariable(job: BlockJob, module: ModuleFiles, plan: BlockPlan, property: string, leaf: string, value: string, variable: string, reference: Place): void {
    const resolved = resolveVariable(this.ws, this.callers, {
      module,
      isChildModule: job.address.modules.length > 0,
      name: variable,
      reference,
      attribute: leaf,
      desired: value,
    });
    if (resolved.kind === 'manual') {
      plan.blockers.push({ place: { file: resolved.file, line: resolved.line }, message: resolved.message });
      return;
    }
    if (resolved.current === value) return;
    const note = this.note(job, property, `${resolved.where}: ${JSON.stringify(resolved.current)} -> "${value}"`);
    plan.edits.push(() => this.edits.setString(resolved.site, value, note));
  }

  /**
   * The value for an absent required property: the user's input as a literal, or a new variable
   * (declared once per module) the user must give a value.
   */
  private requiredValue(job: BlockJob, input: RequiredInputKind, description: string, module: ModuleFiles, plan: BlockPlan, resourceFile: string): RequiredValue | undefined {
    const given = inputValue(input, this.inputs[input]);
    if (given !== undefined) {
      if (Array.isArray(given)) return { hcl: hclStringList(given), json: given, text: hclStringList(given) };
      return { hcl: hclString(given), json: given, text: hclString(given) };
    }
    if (this.inputs[input] !== undefined) {
      plan.blockers.push({ place: { file: resourceFile, line: job.targets[0]!.line }, message: `the ${input} input holds several values where one is needed` });
      return undefined;
    }
    const name = inputVariableName(job.targets[0]!.resourceType, input);
    const { type } = INPUT_VARIABLES[input];
    const ruleId = job.targets[0]!.ruleId;
    const text = `${description.charAt(0).toUpperCase()}${description.slice(1)}. Added by cloudconform fix (${ruleId}): no default, give it a value.`;
    plan.edits.push(() => this.declareVariable(job, module, resourceFile, name, type, text));
    if (!plan.newVariables.some((v) => v.name === name)) plan.newVariables.push({ name, description });
    const reference = `var.${name}`;
    return { hcl: reference, json: `\${${reference}}`, text: reference };
  }

  /** A child module that gets new variables: every call must now pass them. */
  private planCallerNotes(job: BlockJob, module: ModuleFiles, plan: BlockPlan): void {
    const list = plan.newVariables.map((v) => `${v.name} (${v.description})`).join(', ');
    const them = plan.newVariables.length === 1 ? 'it' : 'them';
    const { calls, where, complete } = this.callers.find(module.dir);
    if (calls.length === 0 || !complete) {
      plan.notes.push({
        place: { file: job.file, line: job.targets[0]!.line },
        message:
          calls.length === 0
            ? `module ${module.dir} now requires ${list}; no call of it was found ${where}: every call must pass ${them}`
            : `module ${module.dir} now requires ${list}; its calls were searched ${where}: every call must pass ${them}`,
      });
      if (calls.length === 0) return;
    }
    for (const call of calls) {
      plan.notes.push({
        place: { file: call.entry.path, line: call.block.range.start.line },
        message: `module "${call.block.labels[0] ?? ''}" must pass ${list}: the module now requires ${them}`,
      });
    }
  }

  private declareVariable(job: BlockJob, module: ModuleFiles, resourceFile: string, name: string, type: string, description: string): void {
    const key = `${module.dir}\0${name}`;
    if (this.declared.has(key)) return;
    this.declared.add(key);
    if (module.files.some((f) => f.config && findBlock(f.config, 'variable', [name]))) return;
    const t = job.targets[0]!;
    const note: ChangeNote = {
      ruleId: t.ruleId,
      resourceId: t.resourceId,
      description: `added variable ${name} (${type}) without a default: give it a value (terraform.tfvars, -var${job.address.modules.length > 0 ? ', or in the module call' : ''})`,
    };
    if (resourceFile.endsWith('.json')) {
      const entry = this.ws.file(resourceFile);
      const variables = entry.json && jsonProperty(entry.json, 'variable');
      const path: JSONPath = variables?.type === 'array' ? ['variable', -1] : ['variable', name];
      const declaration = { description, type };
      this.edits.setJson(resourceFile, path, variables?.type === 'array' ? { [name]: declaration } : declaration, note);
      return;
    }
    const target = module.names.includes('variables.tf') ? join(module.dir, 'variables.tf') : resourceFile;
    const entry = this.ws.file(target);
    const text = `variable "${name}" {\n  description = ${hclString(description)}\n  type        = ${type}\n}\n`;
    const insertion = appendBlock(entry.text, text, note);
    this.edits.splice(target, insertion.offset, insertion.offset, insertion.text, insertion.notes);
  }

  // --------------------------------------------------------------- JSON

  private planJson(job: BlockJob, entry: ConfigEntry, module: ModuleFiles, plan: BlockPlan): void {
    const file = entry.path;
    const found = findJsonBlock(entry.json, ['resource', job.address.type, job.address.name])!;
    const desired = job.targets[0]!.desired;
    for (const { property, value } of desired.set) {
      const attrName = terraformAttributeName(job.info, property);
      const located = locateJson(found.node, found.path, attrName.split('.'));
      if (located.kind === 'unsupported') {
        plan.blockers.push({ place: { file, line: located.line(entry.text) }, message: `${property}: ${located.message}` });
        continue;
      }
      const leaf = attrName.split('.').pop()!;
      if (located.kind === 'absent') {
        const note = this.note(job, property, `added ${leaf} = "${value}"`);
        plan.edits.push(() => this.edits.setJson(file, located.path, value, note));
        continue;
      }
      const node = located.node;
      const literal = jsonLiteral(node);
      if (literal.literal) {
        if (literal.value === value) continue;
        const note = this.note(job, property, `${JSON.stringify(literal.value)} -> "${value}"`);
        plan.edits.push(() => this.edits.setJson(file, located.path, value, note));
        continue;
      }
      const site = jsonSite(entry, located.path, node);
      const variable = typeof node.value === 'string' ? /^\$\{\s*var\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$/.exec(node.value)?.[1] : undefined;
      if (variable === undefined) {
        plan.blockers.push({ place: { file, line: site.line }, message: `${property}: ${leaf} = ${JSON.stringify(node.value ?? null)} is an expression: decide how it becomes "${value}"` });
        continue;
      }
      this.planVariable(job, module, plan, property, leaf, value, variable, { file, line: site.line });
    }
    for (const req of desired.require) {
      const attrName = terraformAttributeName(job.info, req.property);
      const located = locateJson(found.node, found.path, attrName.split('.'));
      if (located.kind === 'unsupported') continue;
      if (located.kind === 'value' && located.node.type !== 'null') continue;
      const leaf = attrName.split('.').pop()!;
      const required = this.requiredValue(job, req.input, req.description, module, plan, file);
      if (!required) continue;
      const note = this.note(job, req.property, `added ${leaf} = ${required.text}`);
      plan.edits.push(() => this.edits.setJson(file, located.path, required.json, note));
    }
  }
}

type HclAbsent = { kind: 'absent'; body: Body } | { kind: 'absent-block'; body: Body; blockType: string };
type HclLocated = { kind: 'attribute'; attr: AttributeNode } | HclAbsent | { kind: 'unsupported'; line: number; message: string };

/** An attribute by path (`default_user_settings.security_groups`: a nested block's attribute). */
function locateHcl(body: Body, path: readonly string[]): HclLocated {
  if (path.length > 2) return { kind: 'unsupported', line: body.range.start.line, message: 'nested more than one block deep: fix it by hand' };
  if (path.length === 2) {
    const [blockType, attr] = path as [string, string];
    const dynamic = body.blocks.find((b) => b.type === 'dynamic' && b.labels[0] === blockType);
    if (dynamic) return { kind: 'unsupported', line: dynamic.range.start.line, message: `${blockType} is generated by a dynamic block: decide its content by hand` };
    const asAttribute = body.attributes.find((a) => a.name === blockType);
    if (asAttribute) return { kind: 'unsupported', line: asAttribute.range.start.line, message: `${blockType} is written as an attribute: decide its content by hand` };
    const blocks = body.blocks.filter((b) => b.type === blockType);
    if (blocks.length > 1) return { kind: 'unsupported', line: blocks[1]!.range.start.line, message: `${blockType} appears more than once: decide which one to change` };
    const nested = blocks[0];
    if (!nested) return { kind: 'absent-block', body, blockType };
    return locateHcl(nested.body, [attr]);
  }
  const attr = body.attributes.find((a) => a.name === path[0]);
  return attr ? { kind: 'attribute', attr } : { kind: 'absent', body };
}

function describeExpression(expr: Expr): string {
  const text = renderExpr(expr);
  switch (expr.kind) {
    case 'conditional':
      return `${text} is a conditional`;
    case 'call':
      return `${text} is a function call`;
    case 'traversal':
      if (expr.root === 'local') return `${text} is a local value`;
      if (expr.root === 'each' || expr.root === 'count') return `${text} differs per instance`;
      return `${text} is a reference`;
    case 'template':
      return `${text} is a template`;
    default:
      return `${text} is an expression`;
  }
}

type JsonLocated =
  | { kind: 'value'; node: Node; path: JSONPath }
  | { kind: 'absent'; path: JSONPath }
  | { kind: 'unsupported'; message: string; line: (text: string) => number };

/** A property by path in a JSON resource body; a nested block may be an object or a one-element array. */
function locateJson(body: Node, bodyPath: JSONPath, path: readonly string[]): JsonLocated {
  let node: Node | undefined = body;
  const at: JSONPath = [...bodyPath];
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    at.push(key);
    const value: Node | undefined = node && jsonProperty(node, key);
    if (value === undefined) return { kind: 'absent', path: [...at, ...path.slice(i + 1)] };
    if (i === path.length - 1) return { kind: 'value', node: value, path: at };
    if (value.type === 'array') {
      const items: Node[] = value.children ?? [];
      if (items.length > 1 || (items[0] && items[0].type !== 'object')) {
        return { kind: 'unsupported', message: `${key} is given more than once or not as an object: decide by hand`, line: (text) => lineAt(text, value.offset) };
      }
      if (items.length === 0) return { kind: 'absent', path: [...at, 0, ...path.slice(i + 1)] };
      at.push(0);
      node = items[0];
    } else if (value.type === 'object') {
      node = value;
    } else {
      return { kind: 'unsupported', message: `${key} is not an object: decide by hand`, line: (text) => lineAt(text, value.offset) };
    }
  }
  return { kind: 'absent', path: at };
}

/** A JSON value Terraform reads as it is: a string without interpolation, a number, a bool, null. */
function jsonLiteral(node: Node): { literal: true; value: unknown } | { literal: false } {
  if (node.type === 'string') {
    const text = String(node.value);
    return text.includes('${') || text.includes('%{') ? { literal: false } : { literal: true, value: text };
  }
  if (node.type === 'number' || node.type === 'boolean' || node.type === 'null') return { literal: true, value: node.value };
  return { literal: false };
}

