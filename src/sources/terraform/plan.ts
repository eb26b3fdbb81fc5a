import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { UnknownValue, type RawAttribute } from '../../model/attribute';
import type { SourceLocation } from '../../model/location';
import type { SourceResource } from '../../model/resource';
import { planParameterOverrides, planStackResources, STACK_RESOURCE_TYPES, type PlanStackResult } from './cloudformation-stack';
import { resourceTypeByTerraformName, terraformAttributeName, type ResourceTypeInfo } from '../../model/resource-types';
import { cloudFormationShape } from './cfn-shape';
import type { FileSource, ScanError, SourceResult } from '../source';
import { LineTable } from './text-positions';
import { getKey, isObjectValue, newObject, setKey, valueFromJson, type Value } from './values';

const AFTER_APPLY = 'known only after apply';

type JsonPath = (string | number)[];

/** The plan `detect` parsed, for the `scanFile` of the same text that follows (one entry). */
let keptPlan: { text: string; plan: unknown } | undefined;

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * `terraform show -json` output of a plan. Resources come from `resource_changes` (what the
 * plan will do), or from `planned_values` when a plan has no changes listed.
 */
export const terraformPlanSource: FileSource = {
  kind: 'terraform-plan',

  detect(text: string): boolean {
    keptPlan = undefined;
    const start = text.search(/\S/);
    if (start < 0 || text[start] !== '{') return false;
    if (
      !text.includes('"format_version"') ||
      !text.includes('"terraform_version"') ||
      !(text.includes('"resource_changes"') || text.includes('"planned_values"'))
    ) {
      return false;
    }
    // The words may be nested (a CloudFormation template's Metadata): a plan has them at the top.
    let plan: unknown;
    try {
      plan = JSON.parse(text);
    } catch {
      return true; // plan-like text that isn't JSON: the scan reports the syntax error
    }
    const isPlan =
      isRecord(plan) && hasOwn(plan, 'format_version') && hasOwn(plan, 'terraform_version') && (hasOwn(plan, 'resource_changes') || hasOwn(plan, 'planned_values'));
    if (isPlan) keptPlan = { text, plan }; // parsed once: the scan that follows takes it
    return isPlan;
  },

  scanFile(path: string, text: string): SourceResult {
    let plan: unknown;
    const kept = keptPlan;
    keptPlan = undefined;
    try {
      plan = kept !== undefined && kept.text === text ? kept.plan : JSON.parse(text);
    } catch (e) {
      return { resources: [], errors: [jsonError(path, text, e)] };
    }
    if (!isRecord(plan)) return { resources: [], errors: [{ file: path, message: 'a Terraform plan must be a JSON object' }] };
    const locator = new PlanLocator(path, text);
    const resources: SourceResource[] = [];
    const errors: ScanError[] = [];
    const stacks: PlanStackResult = { resources, errors, notes: [], secrets: [] };
    const changes = plan['resource_changes'];
    if (Array.isArray(changes) && changes.length > 0) {
      changes.forEach((change, i) => {
        if (fromStackChange(change, ['resource_changes', i], locator, changes, stacks)) return;
        const resource = fromResourceChange(change, ['resource_changes', i], locator);
        if (resource) resources.push(resource);
      });
    } else if (isRecord(plan['planned_values']) && isRecord(plan['planned_values']['root_module'])) {
      collectPlannedModule(plan['planned_values']['root_module'], ['planned_values', 'root_module'], locator, resources);
    } else if (!Array.isArray(changes)) {
      errors.push({ file: path, message: 'the plan has neither resource_changes nor planned_values.root_module' });
    }
    return {
      resources,
      errors,
      ...(stacks.notes.length > 0 ? { notes: stacks.notes } : {}),
      ...(stacks.secrets.length > 0 ? { secrets: stacks.secrets } : {}),
    };
  },
};

/** A planned aws_cloudformation_stack(_set): the resources of its template as planned (true when it is one). */
function fromStackChange(rc: unknown, path: JsonPath, locator: PlanLocator, changes: readonly unknown[], out: PlanStackResult): boolean {
  if (!isRecord(rc) || rc['mode'] !== 'managed' || typeof rc['type'] !== 'string' || !STACK_RESOURCE_TYPES.has(rc['type'])) return false;
  const change = rc['change'];
  if (typeof rc['address'] !== 'string' || !isRecord(change) || !isRecord(change['after'])) return true;
  const actions = Array.isArray(change['actions']) ? change['actions'] : [];
  if (actions.length > 0 && actions.every((a) => a === 'delete' || a === 'forget')) return true;
  const overridden = rc['type'] === 'aws_cloudformation_stack_set' ? planParameterOverrides(changes) : undefined;
  const at = { file: locator.file, line: locator.line([...path, 'address']) };
  planStackResources(rc['address'], change['after'], change['after_unknown'], at, overridden, out);
  return true;
}

function fromResourceChange(rc: unknown, path: JsonPath, locator: PlanLocator): SourceResource | undefined {
  if (!isRecord(rc) || rc['mode'] !== 'managed' || typeof rc['type'] !== 'string' || typeof rc['address'] !== 'string') return undefined;
  const info = resourceTypeByTerraformName(rc['type']);
  const change = rc['change'];
  if (!info || !isRecord(change)) return undefined;
  const actions = Array.isArray(change['actions']) ? change['actions'] : [];
  // A resource the plan only deletes (or forgets) won't exist after apply.
  if (actions.length > 0 && actions.every((a) => a === 'delete' || a === 'forget')) return undefined;
  if (!isRecord(change['after'])) return undefined;
  return new PlanResource(info, rc['address'], change['after'], change['after_unknown'], [...path, 'change', 'after'], [...path, 'change', 'after_unknown'], locator.line([...path, 'address']), locator);
}

function collectPlannedModule(module: Record<string, unknown>, path: JsonPath, locator: PlanLocator, out: SourceResource[]): void {
  const resources = module['resources'];
  if (Array.isArray(resources)) {
    resources.forEach((r, i) => {
      if (!isRecord(r) || r['mode'] !== 'managed' || typeof r['type'] !== 'string' || typeof r['address'] !== 'string') return;
      const info = resourceTypeByTerraformName(r['type']);
      if (!info || !isRecord(r['values'])) return;
      const at = [...path, 'resources', i];
      out.push(new PlanResource(info, r['address'], r['values'], undefined, [...at, 'values'], undefined, locator.line([...at, 'address']), locator));
    });
  }
  const children = module['child_modules'];
  if (Array.isArray(children)) {
    children.forEach((child, i) => {
      if (isRecord(child)) collectPlannedModule(child, [...path, 'child_modules', i], locator, out);
    });
  }
}

/** A resource as the plan will leave it: `after` values, `after_unknown` marking what apply decides. */
class PlanResource implements SourceResource {
  readonly source = 'terraform-plan' as const;
  readonly type: string;
  readonly location: SourceLocation;

  constructor(
    private readonly info: ResourceTypeInfo,
    readonly id: string,
    private readonly after: Record<string, unknown>,
    private readonly afterUnknown: unknown,
    private readonly afterPath: JsonPath,
    /** Where `after_unknown` is, for a change (planned values have none). */
    private readonly unknownPath: JsonPath | undefined,
    line: number,
    private readonly locator: PlanLocator,
  ) {
    this.type = info.cloudFormation;
    this.location = { file: locator.file, line };
  }

  readProperty(name: string): RawAttribute {
    const attribute = terraformAttributeName(this.info, name);
    const unknown = isRecord(this.afterUnknown) && hasOwn(this.afterUnknown, attribute) ? this.afterUnknown[attribute] : undefined;
    if (unknown === true) return { state: 'unknown', reason: AFTER_APPLY, location: this.at(this.unknownPath, [attribute]) };
    const value = hasOwn(this.after, attribute) ? this.after[attribute] : undefined;
    if (value === undefined || value === null) return { state: 'absent' };
    const shaped = cloudFormationShape(this.info, name, attribute, withUnknowns(valueFromJson(value), unknown));
    if (shaped === undefined || shaped === null) return { state: 'absent' };
    if (shaped instanceof UnknownValue) return { state: 'unknown', reason: shaped.reason, location: this.at(this.unknownPath, [attribute]) };
    return { state: 'set', value: shaped, location: this.at(this.afterPath, [attribute]) };
  }

  /**
   * The deepest key of `path` (CloudFormation names) written in `after`, or the `after_unknown`
   * entry that marks it decided by apply. Blocks are lists of one here: their first is read.
   */
  locate(path: readonly string[]): SourceLocation {
    const names = terraformAttributeName(this.info, path.join('.')).split('.');
    let value: unknown = this.after;
    let unknown: unknown = this.afterUnknown;
    const walked: JsonPath = [];
    let written: JsonPath = [];
    for (const name of names) {
      if (Array.isArray(value) || (Array.isArray(unknown) && value === undefined)) {
        value = Array.isArray(value) ? value[0] : undefined;
        unknown = Array.isArray(unknown) ? unknown[0] : undefined;
        walked.push(0);
      }
      unknown = isRecord(unknown) && hasOwn(unknown, name) ? unknown[name] : undefined;
      value = isRecord(value) && hasOwn(value, name) ? value[name] : undefined;
      walked.push(name);
      if (unknown === true && this.unknownPath) return this.at(this.unknownPath, walked);
      if (value === undefined) break;
      written = [...walked];
    }
    return this.at(this.afterPath, written);
  }

  /** The line of `path` under `base` (or of the nearest entry above it that the plan has). */
  private at(base: JsonPath | undefined, path: JsonPath): SourceLocation {
    return { file: this.locator.file, line: this.locator.line([...(base ?? this.afterPath), ...path]) ?? this.location.line };
  }
}

/** Puts `UnknownValue` where `after_unknown` marks parts of a value as decided by apply. */
function withUnknowns(value: Value, unknown: unknown): Value {
  if (unknown === true) return new UnknownValue(AFTER_APPLY);
  if (Array.isArray(unknown)) {
    if (!Array.isArray(value)) return value;
    const out = value.map((v, i) => withUnknowns(v, unknown[i]));
    // Unknown elements beyond `after` are omitted from it.
    for (let i = value.length; i < unknown.length; i++) if (unknown[i] === true) out.push(new UnknownValue(AFTER_APPLY));
    return out;
  }
  if (isRecord(unknown)) {
    const obj = isObjectValue(value) ? value : null;
    if (!obj) return value;
    const out = newObject(Object.keys(obj).map((k) => [k, withUnknowns(obj[k] as Value, unknown[k])] as const));
    for (const k of Object.keys(unknown)) {
      if (getKey(out, k) === undefined && unknown[k] === true) setKey(out, k, new UnknownValue(AFTER_APPLY));
    }
    return out;
  }
  return value;
}

/**
 * Lines of entries in the plan file. `terraform show -json` writes one line, where every line
 * is 1; a pretty-printed plan is parsed once more for positions.
 */
class PlanLocator {
  private tree: Node | undefined;
  private lines: LineTable | undefined;

  constructor(
    readonly file: string,
    text: string,
  ) {
    if (/\n\s*\S/.test(text)) {
      this.tree = parseTree(text);
      this.lines = new LineTable(text);
    }
  }

  /** The line of the property at `path` (its key), or undefined where the plan has none. */
  line(path: JsonPath): number {
    if (!this.tree || !this.lines) return 1;
    const node = findNodeAtLocation(this.tree, path);
    if (!node) return this.line(path.slice(0, -1));
    const at = node.parent?.type === 'property' ? node.parent : node;
    return this.lines.position(at.offset).line;
  }
}

function jsonError(path: string, text: string, e: unknown): ScanError {
  const errors: ParseError[] = [];
  parseTree(text, errors);
  const first = errors[0];
  if (first) {
    return { file: path, line: new LineTable(text).position(first.offset).line, message: `invalid JSON: ${printParseErrorCode(first.error)}` };
  }
  return { file: path, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
