import type { RequiredInputKind } from '../../rules/rule';
import { emptyFixResult, type FixInputs, type FixResult, type FixTarget, type ReadFile, type TextEdit } from '../../remediation/iac/fixer';
import { lineFinder } from '../line-finder';
import {
  entryOf,
  intrinsicOf,
  isPlainMap,
  readTemplateTree,
  stringValue,
  walkTree,
  type MapTree,
  type ScalarTree,
  type TemplateTree,
  type TreeEntry,
  type TreeNode,
} from './fix-tree';
import {
  appendItemEdit,
  applyEdits,
  detectStyle,
  fillEmptyEntryEdit,
  insertEntriesEdit,
  replaceScalarEdit,
  type Edit,
  type NewEntry,
  type NewMap,
  type NewValue,
  type TextStyle,
} from './fix-writer';

/**
 * `cloudconform fix` for CloudFormation templates (JSON and YAML): writes each failing resource's
 * desired state into the template, changing only the values and keys that must change. Where the
 * value comes from somewhere shared or decided at deploy time (a parameter used elsewhere too, a
 * condition, an import), it changes nothing and says what a person must decide, and where.
 */
export function fixCloudFormationTemplate(
  file: string,
  text: string,
  targets: FixTarget[],
  inputs: FixInputs,
  _readFile?: ReadFile,
  decisionLines: 'read' | 'written' = 'written',
): FixResult {
  const result = emptyFixResult();
  if (targets.length === 0) return result;
  const outcome = readTemplateTree(text);
  if (!outcome.ok) {
    for (const target of targets) {
      result.manual.push({ ...about(target), file, line: target.line, message: `the template can't be edited: ${outcome.message}${outcome.line ? ` (line ${outcome.line})` : ''}` });
    }
    return result;
  }
  let fixed: ReturnType<TemplatePlan['apply']>;
  try {
    const plan = new TemplatePlan(file, text, outcome.tree, inputs);
    for (const group of byResource(targets)) plan.fixResource(group);
    fixed = plan.apply(decisionLines);
  } catch (e) {
    // A bug must not stop `fix` for the other files: this template is left as it is, and said so.
    const reason = e instanceof Error ? e.message : String(e);
    for (const target of targets) {
      result.manual.push({ ...about(target), file, line: target.line, message: `cloudconform could not edit this template (${reason}); fix it by hand` });
    }
    return result;
  }
  result.manual.push(...fixed.manual);
  for (const { change, line } of fixed.changes) result.changes.push({ file, line, ...change });
  result.changes.sort((a, b) => a.line - b.line);
  if (fixed.text !== text) {
    result.files.set(file, fixed.text);
    result.edits = new Map([[file, fixed.edits]]);
  }
  return result;
}

interface PlannedChange {
  ruleId: string;
  resourceId: string;
  description: string;
}

function about(target: FixTarget): { ruleId: string; resourceId: string } {
  return { ruleId: target.ruleId, resourceId: target.resourceId };
}

function byResource(targets: FixTarget[]): FixTarget[][] {
  const groups = new Map<string, FixTarget[]>();
  for (const target of targets) {
    const group = groups.get(target.resourceId);
    if (group) group.push(target);
    else groups.set(target.resourceId, [target]);
  }
  return [...groups.values()];
}

/** The parameter a required input becomes when the user gave none, by resource type and input kind. */
const PARAMETER_TYPES: Record<RequiredInputKind, string> = {
  'subnet-id': 'AWS::EC2::Subnet::Id',
  'subnet-ids': 'List<AWS::EC2::Subnet::Id>',
  'security-group-ids': 'List<AWS::EC2::SecurityGroup::Id>',
  'vpc-id': 'AWS::EC2::VPC::Id',
};

const KIND_NAMES: Record<RequiredInputKind, string> = {
  'subnet-id': 'SubnetId',
  'subnet-ids': 'SubnetIds',
  'security-group-ids': 'SecurityGroupIds',
  'vpc-id': 'VpcId',
};

const LIST_KINDS: ReadonlySet<RequiredInputKind> = new Set(['subnet-ids', 'security-group-ids']);

/** `NotebookSubnetId`, `DomainVpcId`: the resource type's last word (less `Instance`) and the input. */
export function parameterBaseName(resourceType: string, kind: RequiredInputKind): string {
  const last = resourceType.split('::').pop() ?? 'Resource';
  const noun = last.endsWith('Instance') && last !== 'Instance' ? last.slice(0, -'Instance'.length) : last;
  return `${noun.replace(/[^A-Za-z0-9]/g, '')}${KIND_NAMES[kind]}`;
}

/** The new text's line of an offset of the old text. */
type LineAt = (offset: number) => number;
/** A decision's message; a function when it names other lines, which edits may move. */
type Message = string | ((lineAt: LineAt) => string);

/** Where new entries go: an existing mapping, a key written without a value, or a mapping being added. */
type Container = { kind: 'existing'; map: MapTree } | { kind: 'empty'; entry: TreeEntry } | { kind: 'new'; map: NewMap };

interface Pending {
  container: Exclude<Container, { kind: 'new' }>;
  entries: NewEntry[];
  /** New top-level sections go before this entry (Parameters before Resources). */
  before?: TreeEntry;
}

/** Top-level keys that come before Parameters in a template's usual order. */
const BEFORE_PARAMETERS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata']);

class TemplatePlan {
  /** Decisions, at an offset of the old text (placed on the new text's lines once edits are known). */
  private readonly decisions: { target: FixTarget; offset: number | undefined; message: Message }[] = [];
  private readonly style: TextStyle;
  private readonly root: MapTree | undefined;
  private readonly edits: Edit[] = [];
  /** Offsets of the scalars replaced (a set: thousands of resources make thousands of edits). */
  private readonly replaced = new Set<number>();
  private readonly pending = new Map<object, Pending>();
  /** Parameters chosen for required inputs, by resource type and input kind. */
  private readonly parameterFor = new Map<string, string>();
  private readonly takenNames = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly text: string,
    tree: TemplateTree,
    private readonly inputs: FixInputs,
  ) {
    this.style = detectStyle(text, tree.format);
    this.root = isPlainMap(tree.root) ? tree.root : undefined;
    for (const section of ['Parameters', 'Resources', 'Conditions', 'Mappings', 'Outputs', 'Rules']) {
      const map = this.root && entryOf(this.root, section)?.value;
      if (map?.kind === 'map') for (const entry of map.entries) this.takenNames.add(entry.key);
    }
  }

  private decide(target: FixTarget, offset: number | undefined, message: Message): void {
    this.decisions.push({ target, offset, message });
  }

  fixResource(targets: FixTarget[]): void {
    const first = targets[0]!;
    const resources = this.root && entryOf(this.root, 'Resources')?.value;
    if (!isPlainMap(resources)) {
      for (const target of targets) this.decide(target, undefined, 'the template has no Resources mapping fix can edit');
      return;
    }
    const entry = entryOf(resources, first.resourceId);
    if (!entry) {
      const looped = resources.entries.some((e) => e.key.startsWith('Fn::ForEach::'));
      const why = looped ? ': it is made by an Fn::ForEach loop, which fix does not edit' : ' in this template';
      for (const target of targets) this.decide(target, undefined, `${target.resourceId} is not written as a resource${why}; apply the fix to its definition by hand`);
      return;
    }
    const resource = entry.value;
    if (!isPlainMap(resource)) {
      for (const target of targets) this.decide(target, entry.keyStart, `${target.resourceId} is ${describeNode(resource)}, not a plain mapping; fix it by hand`);
      return;
    }
    const type = stringValue(entryOf(resource, 'Type')?.value);
    for (const target of targets) {
      if (type !== target.resourceType) {
        this.decide(target, entry.keyStart, `${target.resourceId} has Type ${type ?? '(none)'}, not ${target.resourceType}: fix leaves it alone`);
        continue;
      }
      this.fixTarget(target, resource);
    }
  }

  private fixTarget(target: FixTarget, resource: MapTree): void {
    const propertiesEntry = entryOf(resource, 'Properties');
    let properties: Container;
    if (!propertiesEntry) properties = this.newChild({ kind: 'existing', map: resource }, 'Properties');
    else if (isPlainMap(propertiesEntry.value) && !hasMergeKey(propertiesEntry.value)) properties = { kind: 'existing', map: propertiesEntry.value };
    else if (isEmpty(propertiesEntry.value)) properties = { kind: 'empty', entry: propertiesEntry };
    else {
      this.decide(target, propertiesEntry.value.start, `Properties of ${target.resourceId} is not a plain mapping (${describeNode(propertiesEntry.value)}), so fix can't tell what it holds; apply ${describeDesired(target)} by hand`);
      return;
    }
    let decided = false;
    for (const { property, value } of target.desired.set) {
      if (!this.setProperty(target, properties, property, value)) decided = true;
    }
    if (decided) return; // whether the rest is wanted depends on what the person decides
    for (const requirement of target.desired.require) this.requireProperty(target, properties, requirement);
  }

  // --- set ----------------------------------------------------------------------------------

  /** Sets a property to a literal; false when a person must decide instead. */
  private setProperty(target: FixTarget, properties: Container, property: string, value: string): boolean {
    const found = this.locate(target, properties, property);
    if (found === 'decided') return false;
    if (found.kind === 'absent') {
      const description = `${property}: added ${value}`;
      this.put(found.container, found.key, { kind: 'text', value }, { ...about(target), description });
      return true;
    }
    const node = found.node;
    if (node.kind === 'scalar' && node.value !== null) {
      if (node.value === value) return true;
      this.replace(node, value, { ...about(target), description: `${property}: ${String(node.value)} -> ${value}` });
      return true;
    }
    const fn = intrinsicOf(node);
    if (fn?.name === 'Ref') return this.setThroughParameter(target, property, value, node, fn.argument);
    if (fn?.name === 'Fn::FindInMap') return this.setThroughMapping(target, property, value, node, fn.argument);
    this.decide(target, node.start, `${property} of ${target.resourceId} is ${describeNode(node)}: decide where it should become ${value} (fix doesn't guess which deployments that changes)`);
    return false;
  }

  private setThroughParameter(target: FixTarget, property: string, value: string, refNode: TreeNode, argument: TreeNode): boolean {
    const name = stringValue(argument);
    const fail = (why: Message): false => {
      const what = `${property} of ${target.resourceId} comes from ${name ? `Ref ${name}` : 'a Ref'}`;
      this.decide(target, refNode.start, (lineAt) => `${what}, ${typeof why === 'string' ? why : why(lineAt)}; decide how it should become ${value}`);
      return false;
    };
    if (name === undefined) return fail('whose target is not a name');
    const parameters = this.root && entryOf(this.root, 'Parameters')?.value;
    const declaration = isPlainMap(parameters) ? entryOf(parameters, name)?.value : undefined;
    if (!declaration) {
      return fail(name.startsWith('AWS::') ? 'a pseudo parameter' : 'which is not a parameter of this template');
    }
    if (!isPlainMap(declaration) || hasMergeKey(declaration)) return fail('whose declaration is not a plain mapping');
    const type = stringValue(entryOf(declaration, 'Type')?.value) ?? '';
    if (type.startsWith('AWS::SSM::Parameter::Value<')) return fail('a parameter read from SSM Parameter Store at deploy time: set the SSM parameter, or write the value here');
    if (type !== 'String') return fail(`a parameter of type ${type || '(none)'}`);
    const others = this.usesOfParameter(name).filter((use) => use !== refNode);
    if (others.length > 0) {
      const lines = (lineAt: LineAt) => [...new Set(others.map((use) => lineAt(use.start)))].join(', ');
      return fail((lineAt) => `a parameter also used elsewhere (line${others.length > 1 ? 's' : ''} ${lines(lineAt)}): changing its Default would change those too`);
    }
    const pattern = stringValue(entryOf(declaration, 'AllowedPattern')?.value);
    if (pattern !== undefined && !matchesPattern(pattern, value)) return fail(`whose AllowedPattern ${pattern} does not accept ${value}`);
    const allowed = entryOf(declaration, 'AllowedValues')?.value;
    if (allowed && (allowed.kind !== 'seq' || !allowed.items.every((item) => item.kind === 'scalar'))) return fail('whose AllowedValues is not a list of values');
    const defaultEntry = entryOf(declaration, 'Default');
    const change = (description: string): PlannedChange => ({ ...about(target), description });
    if (defaultEntry) {
      const current = defaultEntry.value;
      if (current.kind !== 'scalar' || current.value === null) return fail('whose Default is not a plain value');
      if (current.value !== value) {
        this.replace(current, value, change(`parameter ${name} Default: ${String(current.value)} -> ${value} (${property} of ${target.resourceId}; a value given at deploy time still overrides it)`));
      }
    } else {
      this.put({ kind: 'existing', map: declaration }, 'Default', { kind: 'text', value }, change(`parameter ${name}: added Default ${value} (${property} of ${target.resourceId}); a value given at deploy time overrides it`));
    }
    if (allowed?.kind === 'seq' && !allowed.items.some((item) => item.kind === 'scalar' && item.value === value)) {
      const edit = appendItemEdit(allowed, value, this.text, this.style, [change(`parameter ${name}: ${value} added to AllowedValues`)]);
      if (!edit) return fail('whose AllowedValues is written in a layout fix does not follow');
      this.edits.push(edit);
    }
    return true;
  }

  private setThroughMapping(target: FixTarget, property: string, value: string, node: TreeNode, argument: TreeNode): boolean {
    const fail = (why: Message): false => {
      const what = `${property} of ${target.resourceId} comes from Fn::FindInMap`;
      this.decide(target, node.start, (lineAt) => `${what}, ${typeof why === 'string' ? why : why(lineAt)}; decide how it should become ${value}`);
      return false;
    };
    const keys = argument.kind === 'seq' && argument.items.length === 3 ? argument.items.map(stringValue) : [];
    if (keys.length !== 3 || keys.some((k) => k === undefined)) return fail('whose keys are known only at deploy time (or which has a default value)');
    const [mapName, top, second] = keys as [string, string, string];
    const mappings = this.root && entryOf(this.root, 'Mappings')?.value;
    const map = isPlainMap(mappings) ? entryOf(mappings, mapName)?.value : undefined;
    const level = isPlainMap(map) ? entryOf(map, top)?.value : undefined;
    const leaf = isPlainMap(level) ? entryOf(level, second)?.value : undefined;
    if (leaf?.kind !== 'scalar' || leaf.value === null) return fail(`and ${mapName}.${top}.${second} is not a plain value in Mappings`);
    const shared = this.findInMapUses().filter((use) => use.node !== node && use.mayRead(mapName, top, second));
    if (shared.length > 0) {
      const lines = (lineAt: LineAt) => [...new Set(shared.map((use) => lineAt(use.node.start)))].join(', ');
      return fail((lineAt) => `and ${mapName}.${top}.${second} is also read at line${shared.length > 1 ? 's' : ''} ${lines(lineAt)}: changing it would change those too`);
    }
    if (leaf.value !== value) {
      this.replace(leaf, value, { ...about(target), description: `mapping ${mapName}.${top}.${second}: ${String(leaf.value)} -> ${value} (${property} of ${target.resourceId})` });
    }
    return true;
  }

  // --- require ------------------------------------------------------------------------------

  private requireProperty(target: FixTarget, properties: Container, requirement: FixTarget['desired']['require'][number]): void {
    const { property, input } = requirement;
    const found = this.locate(target, properties, property);
    if (found === 'decided') return;
    if (found.kind === 'present') {
      if (isBlank(found.node) || isNoValue(found.node)) {
        this.decide(target, found.node.start, `${property} of ${target.resourceId} is written but empty; give it ${requirement.description}`);
      }
      return;
    }
    const given = this.inputs[input];
    let value: NewValue;
    let description: string;
    if (given !== undefined) {
      const items = Array.isArray(given) ? given : [given];
      if (!LIST_KINDS.has(input) && items.length !== 1) {
        this.decide(target, undefined, `${property} takes one ${input}, but ${items.length} were given; fix it by hand`);
        return;
      }
      value = LIST_KINDS.has(input) ? { kind: 'list', items } : { kind: 'text', value: items[0]! };
      description = `${property}: added ${items.join(', ')}`;
    } else {
      const parameter = this.parameterForInput(target, input, requirement.description);
      if (parameter === undefined) return;
      value = { kind: 'ref', name: parameter };
      description = `${property}: added, from parameter ${parameter}`;
    }
    this.put(found.container, found.key, value, { ...about(target), description });
  }

  /** The parameter standing for an input (one per resource type and kind), added on first use. */
  private parameterForInput(target: FixTarget, input: RequiredInputKind, description: string): string | undefined {
    const cacheKey = `${target.resourceType}|${input}`;
    const known = this.parameterFor.get(cacheKey);
    if (known) return known;
    const type = PARAMETER_TYPES[input];
    const base = parameterBaseName(target.resourceType, input);
    const parametersEntry = this.root && entryOf(this.root, 'Parameters');
    const parameters = parametersEntry?.value;
    let name = base;
    for (let n = 2; ; n++) {
      const existing = isPlainMap(parameters) ? entryOf(parameters, name)?.value : undefined;
      if (existing && isPlainMap(existing) && stringValue(entryOf(existing, 'Type')?.value) === type) {
        this.parameterFor.set(cacheKey, name);
        return name; // already declared, as wanted
      }
      if (!this.takenNames.has(name)) break;
      name = `${base}${n}`;
    }
    let container: Container;
    if (!this.root) {
      this.decide(target, undefined, 'the template is not a mapping; fix can\'t add parameters to it');
      return undefined;
    }
    if (!parametersEntry) {
      const before = this.root.entries.find((e) => !BEFORE_PARAMETERS.has(e.key));
      container = this.newChild({ kind: 'existing', map: this.root }, 'Parameters', before);
    } else if (isPlainMap(parameters) && !hasMergeKey(parameters)) container = { kind: 'existing', map: parameters };
    else if (isEmpty(parameters!)) container = { kind: 'empty', entry: parametersEntry };
    else {
      this.decide(target, parametersEntry.keyStart, 'Parameters is not a plain mapping, so fix can\'t add the parameter it needs; fix this resource by hand');
      return undefined;
    }
    this.takenNames.add(name);
    this.parameterFor.set(cacheKey, name);
    const declaration: NewMap = {
      kind: 'map',
      entries: [
        { key: 'Type', value: { kind: 'text', value: type }, marks: [] },
        { key: 'Description', value: { kind: 'text', value: capitalize(description) }, marks: [] },
      ],
    };
    this.put(container, name, declaration, { ...about(target), description: `added parameter ${name} (${type})` });
    return name;
  }

  // --- finding and placing properties -------------------------------------------------------

  /**
   * Follows a dotted property path from Properties: the node written there, or the container
   * and key where it would go. `decided` when the way is through something fix doesn't edit.
   */
  private locate(
    target: FixTarget,
    properties: Container,
    path: string,
  ): { kind: 'present'; node: TreeNode } | { kind: 'absent'; container: Container; key: string } | 'decided' {
    const keys = path.split('.');
    let container = properties;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const last = i === keys.length - 1;
      const written = container.kind === 'existing' ? entryOf(container.map, key) : undefined;
      if (!written) {
        if (last) return { kind: 'absent', container, key };
        container = this.newChild(container, key);
        continue;
      }
      if (last) return { kind: 'present', node: written.value };
      if (isPlainMap(written.value) && !hasMergeKey(written.value)) container = { kind: 'existing', map: written.value };
      else if (isEmpty(written.value)) container = { kind: 'empty', entry: written };
      else {
        this.decide(target, written.value.start, `${keys.slice(0, i + 1).join('.')} of ${target.resourceId} is ${describeNode(written.value)}, so fix can't add ${path} to it; add it by hand`);
        return 'decided';
      }
    }
    throw new Error(`empty property path '${path}'`);
  }

  /** The mapping being added under `key` of a container (made on first use, shared after). */
  private newChild(container: Container, key: string, before?: TreeEntry): Container {
    const entries = this.pendingEntries(container, before);
    const existing = entries.find((e) => e.key === key);
    if (existing?.value.kind === 'map') return { kind: 'new', map: existing.value };
    const map: NewMap = { kind: 'map', entries: [] };
    entries.push({ key, value: map, marks: [] });
    return { kind: 'new', map };
  }

  private pendingEntries(container: Container, before?: TreeEntry): NewEntry[] {
    if (container.kind === 'new') return container.map.entries;
    const owner = container.kind === 'existing' ? container.map : container.entry;
    let pending = this.pending.get(owner);
    if (!pending) {
      pending = before ? { container, entries: [], before } : { container, entries: [] };
      this.pending.set(owner, pending);
    }
    return pending.entries;
  }

  private put(container: Container, key: string, value: NewValue, change: PlannedChange): void {
    const entries = this.pendingEntries(container);
    const existing = entries.find((e) => e.key === key);
    if (existing) {
      // Two targets of one resource asking for the same property: the first one's value stands.
      if (JSON.stringify(existing.value) !== JSON.stringify(value) && value.kind !== 'map') {
        throw new Error(`two desired states set ${key} of one resource to different values`);
      }
      return;
    }
    entries.push({ key, value, marks: [change] });
  }

  private replace(node: ScalarTree, value: string, change: PlannedChange): void {
    if (this.replaced.has(node.start)) return; // already replaced for another target
    this.replaced.add(node.start);
    this.edits.push(replaceScalarEdit(node, value, this.style, this.text, [change]));
  }

  // --- uses -----------------------------------------------------------------------------------

  /** Refs by name and Fn::Sub templates outside Parameters, and every Fn::FindInMap: one walk of the tree, kept. */
  private usesCache: { refs: Map<string, TreeNode[]>; subs: { node: TreeNode; template: string }[]; findInMaps: ReturnType<TemplatePlan['collectFindInMaps']> } | undefined;

  private uses(): NonNullable<TemplatePlan['usesCache']> {
    if (this.usesCache) return this.usesCache;
    const refs = new Map<string, TreeNode[]>();
    const subs: { node: TreeNode; template: string }[] = [];
    for (const section of this.root?.entries ?? []) {
      if (section.key === 'Parameters') continue;
      for (const node of walkTree(section.value)) {
        const fn = intrinsicOf(node);
        if (!fn) continue;
        const name = fn.name === 'Ref' ? stringValue(fn.argument) : undefined;
        if (name !== undefined) refs.set(name, [...(refs.get(name) ?? []), node]);
        if (fn.name === 'Fn::Sub') {
          const template = fn.argument.kind === 'seq' ? stringValue(fn.argument.items[0]) : stringValue(fn.argument);
          if (template !== undefined) subs.push({ node, template });
        }
      }
    }
    this.usesCache = { refs, subs, findInMaps: this.collectFindInMaps() };
    return this.usesCache;
  }

  /** Every `Ref` to the parameter and `${name}` in an Fn::Sub, outside Parameters (in tree order). */
  private usesOfParameter(name: string): TreeNode[] {
    const { refs, subs } = this.uses();
    const subVariable = new RegExp(`\\$\\{\\s*${name.replace(/[^A-Za-z0-9]/g, (c) => `\\${c}`)}\\s*\\}`);
    return [...(refs.get(name) ?? []), ...subs.filter((s) => subVariable.test(s.template)).map((s) => s.node)].sort((a, b) => a.start - b.start);
  }

  private findInMapUses(): { node: TreeNode; mayRead(map: string, top: string, second: string): boolean }[] {
    return this.uses().findInMaps;
  }

  private collectFindInMaps(): { node: TreeNode; mayRead(map: string, top: string, second: string): boolean }[] {
    const uses: { node: TreeNode; mayRead(map: string, top: string, second: string): boolean }[] = [];
    if (!this.root) return uses;
    for (const node of walkTree(this.root)) {
      const fn = intrinsicOf(node);
      if (fn?.name !== 'Fn::FindInMap') continue;
      const keys = fn.argument.kind === 'seq' ? fn.argument.items.slice(0, 3).map(stringValue) : [];
      // A key computed at deploy time may be any key.
      const matches = (i: number, wanted: string) => keys[i] === undefined || keys[i] === wanted;
      uses.push({ node, mayRead: (map, top, second) => matches(0, map) && matches(1, top) && matches(2, second) });
    }
    return uses;
  }

  // --- applying -------------------------------------------------------------------------------

  /**
   * The new text, each change's line (of the new text), and each decision: its line, and lines its
   * message names, are those of the new text, which a person opens once `fix` has written it, or
   * with `read` (a dry run: nothing is written) those of the text as read.
   */
  apply(decisionLines: 'read' | 'written' = 'written'): { text: string; edits: TextEdit[]; changes: { change: PlannedChange; line: number }[]; manual: FixResult['manual'] } {
    const edits = [...this.edits];
    for (const pending of this.pending.values()) {
      const entries = pending.entries.filter((e) => e.value.kind !== 'map' || hasContent(e.value));
      if (entries.length === 0) continue;
      if (pending.container.kind === 'existing') {
        edits.push(insertEntriesEdit(pending.container.map, entries, pending.before, this.text, this.style));
      } else {
        edits.push(fillEmptyEntryEdit(pending.container.entry, entries, this.text, this.style));
      }
    }
    const applied = applyEdits(this.text, edits);
    const lineAt: LineAt = decisionLines === 'read' ? lineFinder(this.text) : applied.lineOfOldOffset;
    const manual = this.decisions.map(({ target, offset, message }) => ({
      file: this.file,
      // Without an offset the finding's own line stands (it's where the scan pointed).
      line: offset === undefined ? target.line : lineAt(offset),
      ...about(target),
      message: typeof message === 'string' ? message : message(lineAt),
    }));
    return { text: applied.text, edits: applied.edits, changes: applied.marks.map(({ mark, line }) => ({ change: mark as PlannedChange, line })), manual };
  }
}

function hasContent(map: NewMap): boolean {
  return map.entries.some((e) => e.value.kind !== 'map' || hasContent(e.value));
}

function isEmpty(node: TreeNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}

/** Written, but nothing as AWS sees it: empty, `''`, `[]`. */
function isBlank(node: TreeNode): boolean {
  return isEmpty(node) || (node.kind === 'scalar' && node.value === '') || (node.kind === 'seq' && node.items.length === 0);
}

function isNoValue(node: TreeNode): boolean {
  const fn = intrinsicOf(node);
  return fn?.name === 'Ref' && stringValue(fn.argument) === 'AWS::NoValue';
}

function hasMergeKey(map: MapTree): boolean {
  return map.entries.some((e) => e.key === '<<');
}

/** CloudFormation's AllowedPattern must match the whole value (Java `matches`). */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false; // a pattern JavaScript can't read: let a person check it
  }
}

function describeNode(node: TreeNode): string {
  const fn = intrinsicOf(node);
  if (fn) {
    if (fn.name === 'Fn::If') {
      const condition = fn.argument.kind === 'seq' ? stringValue(fn.argument.items[0]) : undefined;
      return `chosen by Fn::If${condition ? ` on condition ${condition}` : ''}`;
    }
    if (fn.name === 'Fn::ImportValue') return 'imported from another stack (Fn::ImportValue)';
    if (fn.name === 'Fn::Sub') return 'built by Fn::Sub';
    return `computed by ${fn.name}`;
  }
  if (node.kind === 'alias') return 'a YAML alias';
  if (node.kind === 'seq') return 'a list';
  if (node.kind === 'map') return hasMergeKey(node) ? 'a mapping with a YAML merge key' : 'a mapping';
  return node.value === null ? 'empty' : `${String(node.value)}`;
}

function describeDesired(target: FixTarget): string {
  const parts = target.desired.set.map((s) => `${s.property}: ${s.value}`);
  parts.push(...target.desired.require.map((r) => `${r.property} (${r.description})`));
  return parts.join(', ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
