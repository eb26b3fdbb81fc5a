import { UnknownValue } from '../../model/attribute';
import { describeTransform, transformIn } from './macros';
import { hasOwn, isMapping, own, setOwn, type Mapping } from './objects';
import { constraintViolation, isListType, splitList, type GivenParameters } from './parameters';
import { DeployTimeList, DeployTimeParameter, DeployTimeText, NO_VALUE, PseudoParameter, ResourceReference } from './values';
import { loopIn } from './foreach';

// AWS-specific parameter types (`AWS::EC2::Subnet::Id`, `AWS::EC2::KeyPair::KeyName`...):
// CloudFormation checks the value names something that exists in the account, so it is never empty.
const AWS_SPECIFIC_TYPE = /^AWS::(?!SSM::)[A-Za-z0-9]+::[A-Za-z0-9:]+$/;
const LIST_TYPE = /^List<(.+)>$/;

/**
 * Resolves template values the way a deployment would, offline: parameters take the value given
 * for the deployment (`--parameter`), else their Default,
 * conditions are decided where they can be (true / false / unknown), intrinsic functions are
 * evaluated. What only a deployment can know becomes an `UnknownValue` with the reason.
 */

/** A value during resolution: literals, containers, and the markers of values.ts. */
type Value =
  | null
  | boolean
  | number
  | string
  | Value[]
  | Mapping
  | UnknownValue
  | ResourceReference
  | DeployTimeParameter
  | DeployTimeList
  | PseudoParameter
  | DeployTimeText
  | typeof NO_VALUE;

/** A condition's truth; `unknown` carries why it can't be decided offline. */
export type Truth = boolean | { unknown: string };

/** What a property resolves to, as a source reports it. */
export type ResolvedProperty = { kind: 'absent' } | { kind: 'unknown'; reason: string } | { kind: 'value'; value: unknown };

/** Nodes one property (or condition) may visit: bounds the work on huge or shared values. */
const MAX_WORK = 1_000_000;
/** Nesting beyond this is refused (CloudFormation's own limits are far lower). */
export const MAX_RESOLVE_DEPTH = 100;

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

const DYNAMIC_REFERENCE_START = '{{resolve:';

/** Thrown when a value is too large or deep to resolve; becomes an unknown value at the top. */
class ResolutionLimit extends Error {}

export class TemplateResolver {
  private readonly parameters: Mapping;
  private readonly mappings: Mapping;
  private readonly conditions: Mapping;
  private readonly resources: Mapping;
  private readonly given: GivenParameters;
  private readonly truths = new Map<string, Truth>();
  private readonly conditionsInProgress = new Set<string>();
  private work = 0;
  private active = false;

  /**
   * `resources`: the Resources section with Fn::ForEach loops expanded, when it has any.
   * `given`: values given for the deployment, already checked against the parameters' constraints.
   */
  constructor(template: Mapping, options: { resources?: Mapping; given?: GivenParameters } = {}) {
    this.parameters = section(template, 'Parameters');
    this.mappings = section(template, 'Mappings');
    this.conditions = section(template, 'Conditions');
    this.resources = options.resources ?? section(template, 'Resources');
    this.given = options.given ?? {};
  }

  /**
   * Resolves a value as written in the template (a property, a Properties block).
   * `keepDeployTimeText`: text built from deploy-time values stays a DeployTimeText inside lists
   * and mappings too (a nested stack's Parameters: the child must not take `${Mode}` for a literal).
   */
  resolveProperty(node: unknown, options: { keepDeployTimeText?: boolean } = {}): ResolvedProperty {
    return this.topLevel(
      () => {
        const value = this.resolve(node, 0);
        if (value === NO_VALUE) return { kind: 'absent' } as const;
        if (value instanceof UnknownValue || value instanceof PseudoParameter) return { kind: 'unknown', reason: value.reason } as const;
        return { kind: 'value', value: finalize(value, 0, options.keepDeployTimeText === true) } as const;
      },
      (reason) => ({ kind: 'unknown', reason }),
    );
  }

  /** The truth of a named condition. */
  condition(name: string): Truth {
    return this.topLevel(
      () => this.namedCondition(name),
      (reason) => ({ unknown: reason }),
    );
  }

  private topLevel<T>(run: () => T, onLimit: (reason: string) => T): T {
    if (this.active) return run();
    this.active = true;
    this.work = 0;
    try {
      return run();
    } catch (e) {
      if (e instanceof ResolutionLimit) return onLimit(e.message);
      if (e instanceof RangeError) return onLimit('the value is too deeply nested to resolve');
      throw e;
    } finally {
      this.active = false;
    }
  }

  private step(depth: number): void {
    if (++this.work > MAX_WORK) throw new ResolutionLimit('the value is too large to resolve');
    if (depth > MAX_RESOLVE_DEPTH) throw new ResolutionLimit(`the value nests deeper than ${MAX_RESOLVE_DEPTH} levels`);
  }

  private resolve(node: unknown, depth: number): Value {
    this.step(depth);
    if (typeof node === 'string') return dynamicReference(node) ?? node;
    if (node === null || node === undefined) return null;
    if (typeof node === 'number' || typeof node === 'boolean') return node;
    if (typeof node !== 'object') return String(node);
    if (node instanceof UnknownValue) return node; // a scalar the YAML reader can't type (yaml-schema.ts)
    if (Array.isArray(node)) {
      const out: Value[] = [];
      for (const element of node) {
        const value = this.resolve(element, depth + 1);
        if (value !== NO_VALUE) out.push(value);
      }
      return out;
    }
    const fn = intrinsicName(node as Mapping);
    if (fn !== undefined) return this.intrinsic(fn, (node as Mapping)[fn], depth + 1);
    const macro = transformIn(node as Mapping);
    if (macro !== undefined) return new UnknownValue(`${macro} (Fn::Transform) may rewrite this value at deploy time`);
    const loop = loopIn(node as Mapping);
    if (loop !== undefined) return new UnknownValue(`${loop} may generate keys of this value at deploy time (AWS::LanguageExtensions)`);
    const out: Mapping = {};
    for (const key of Object.keys(node)) {
      const value = this.resolve((node as Mapping)[key], depth + 1);
      if (value !== NO_VALUE) setOwn(out, key, value);
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown, depth: number): Value {
    switch (fn) {
      case 'Ref':
        return this.refFunction(arg, depth);
      case 'Fn::GetAtt':
        return this.getAtt(arg, depth);
      case 'Fn::Sub':
        return this.sub(arg, depth);
      case 'Fn::Join':
        return this.join(arg, depth);
      case 'Fn::Select':
        return this.select(arg, depth);
      case 'Fn::Split':
        return this.split(arg, depth);
      case 'Fn::If':
        return this.ifFunction(arg, depth);
      case 'Fn::FindInMap':
        return this.findInMap(arg, depth);
      case 'Fn::Base64':
        return this.base64(arg, depth);
      case 'Fn::ImportValue':
        return this.importValue(arg, depth);
      case 'Fn::GetAZs':
        return new UnknownValue("Fn::GetAZs lists the region's Availability Zones only at deploy time");
      case 'Fn::Cidr':
        return this.cidr(arg, depth);
      case 'Fn::Length':
        return this.lengthFunction(arg, depth);
      case 'Fn::ToJsonString':
        return this.toJsonString(arg, depth);
      case 'Fn::Transform':
        return new UnknownValue(`Fn::Transform (${describeTransform(arg)}) is applied only at deploy time`);
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return new UnknownValue(`${fn} is allowed only in Conditions`);
      default:
        return new UnknownValue(`${fn} is not an intrinsic function cloudconform can evaluate`);
    }
  }

  // --- Ref, Fn::GetAtt ---------------------------------------------------------------------

  private refFunction(arg: unknown, depth: number): Value {
    const name = typeof arg === 'string' ? arg : this.resolve(arg, depth);
    if (typeof name !== 'string') return new UnknownValue('Ref needs the name of a parameter or resource');
    return this.ref(name);
  }

  private ref(name: string): Value {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (PSEUDO_PARAMETERS.has(name)) return new PseudoParameter(name);
    if (hasOwn(this.parameters, name)) return this.parameterValue(name);
    if (hasOwn(this.resources, name)) return new ResourceReference(name, this.resourceType(name));
    return new UnknownValue(`Ref to '${name}', which is not a parameter or resource of this template`);
  }

  private resourceType(logicalId: string): string | undefined {
    const resource = own(this.resources, logicalId);
    const type = isMapping(resource) ? own(resource, 'Type') : undefined;
    return typeof type === 'string' ? type : undefined;
  }

  /**
   * A parameter's value at deploy time: the value given for the deployment, else its Default;
   * without one, present but unknown for an AWS-specific id type (CloudFormation rejects ids
   * that don't exist).
   */
  private parameterValue(name: string): Value {
    const declaration = own(this.parameters, name);
    if (!isMapping(declaration)) return new UnknownValue(`parameter ${name} is not declared as a mapping`);
    const macro = transformIn(this.parameters) ?? transformIn(declaration);
    if (macro !== undefined) return new UnknownValue(`${macro} (Fn::Transform in Parameters) may rewrite parameter ${name} at deploy time`);
    const type = own(declaration, 'Type');
    const typeName = typeof type === 'string' ? type : '';
    if (hasOwn(this.given, name)) {
      const given = this.given[name]!;
      if ('unknown' in given) return new UnknownValue(given.unknown);
      if ('deployTime' in given) return new DeployTimeParameter(name, `${typeName || 'String'}, passed as ${given.deployTime}`, given.mayBeEmpty);
      // For an SSM parameter type the value given is the SSM parameter's value (what it resolves to).
      return isListType(typeName) ? splitList(given.value) : given.value;
    }
    const fallback = own(declaration, 'Default');
    if (typeName.startsWith('AWS::SSM::Parameter::Value<')) {
      const where = typeof fallback === 'string' ? ` '${fallback}'` : '';
      return new UnknownValue(`parameter ${name} is read from SSM parameter${where} at deploy time`);
    }
    let value: unknown;
    if (hasOwn(declaration, 'Default')) {
      value = fallback;
    } else {
      const allowed = own(declaration, 'AllowedValues');
      if (Array.isArray(allowed) && allowed.length === 1) {
        value = allowed[0]; // no choice left to the deployer
      } else {
        return givenAtDeployTime(name, typeName, declaration);
      }
    }
    if (isListType(typeName) && typeof value === 'string') return splitList(value);
    return literal(value);
  }

  private getAtt(arg: unknown, depth: number): Value {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      logicalId = dot < 0 ? arg : arg.slice(0, dot);
      attribute = dot < 0 ? undefined : arg.slice(dot + 1);
    } else if (Array.isArray(arg) && arg.length === 2) {
      logicalId = arg[0];
      attribute = this.resolve(arg[1], depth);
    }
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
      if (attribute instanceof UnknownValue) return attribute;
      return new UnknownValue('Fn::GetAtt needs [LogicalId, Attribute]');
    }
    if (!hasOwn(this.resources, logicalId)) {
      return new UnknownValue(`Fn::GetAtt to '${logicalId}', which is not a resource of this template`);
    }
    return new ResourceReference(logicalId, this.resourceType(logicalId), attribute);
  }

  // --- Text: Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::Base64 ------------------------------

  private sub(arg: unknown, depth: number): Value {
    let template: unknown = arg;
    let variables: Mapping | undefined;
    if (Array.isArray(arg)) {
      if (arg.length !== 2 || !isMapping(arg[1])) return new UnknownValue('Fn::Sub needs a string or [string, { variables }]');
      template = arg[0];
      variables = arg[1];
    }
    if (typeof template !== 'string') return new UnknownValue('Fn::Sub needs a string');
    const parts: (string | DeployTimeText)[] = [];
    let from = 0;
    for (;;) {
      const start = template.indexOf('${', from);
      const end = start < 0 ? -1 : template.indexOf('}', start + 2);
      if (end < 0) {
        parts.push(template.slice(from));
        break;
      }
      parts.push(template.slice(from, start));
      const inner = template.slice(start + 2, end);
      if (inner.startsWith('!')) {
        parts.push('${' + inner.slice(1) + '}'); // `${!Literal}` is written out as `${Literal}`
      } else {
        const name = inner.trim();
        let value: Value;
        if (variables && hasOwn(variables, name)) value = this.resolve(variables[name], depth + 1);
        else if (!name.startsWith('AWS::') && name.includes('.')) {
          const dot = name.indexOf('.');
          value = this.getAtt([name.slice(0, dot), name.slice(dot + 1)], depth + 1);
        } else value = this.ref(name);
        const text = asText(value, `Fn::Sub variable \${${name}}`);
        if (text instanceof UnknownValue) return text;
        parts.push(text);
      }
      from = end + 1;
    }
    return concatenate(parts);
  }

  private join(arg: unknown, depth: number): Value {
    if (!Array.isArray(arg) || arg.length !== 2) return new UnknownValue('Fn::Join needs [delimiter, [values]]');
    const delimiter = this.resolve(arg[0], depth);
    if (typeof delimiter !== 'string') return unknownOr(delimiter, 'Fn::Join needs a string delimiter');
    const list = this.resolve(arg[1], depth);
    if (list instanceof DeployTimeList) return new DeployTimeText('${' + list.parameter + '}', `${list.reference} is given at deploy time`, true);
    if (!Array.isArray(list)) return unknownOr(list, 'Fn::Join needs a list of values');
    const parts: (string | DeployTimeText)[] = [];
    for (let i = 0; i < list.length; i++) {
      const text = asText(list[i]!, 'Fn::Join element');
      if (text instanceof UnknownValue) return text;
      if (i > 0) parts.push(delimiter);
      parts.push(text);
    }
    return concatenate(parts);
  }

  private split(arg: unknown, depth: number): Value {
    if (!Array.isArray(arg) || arg.length !== 2) return new UnknownValue('Fn::Split needs [delimiter, string]');
    const delimiter = this.resolve(arg[0], depth);
    const source = this.resolve(arg[1], depth);
    if (typeof delimiter !== 'string' || delimiter === '') return unknownOr(delimiter, 'Fn::Split needs a delimiter');
    if (typeof source !== 'string') return unknownOr(source, 'Fn::Split needs a string');
    return source.split(delimiter);
  }

  private select(arg: unknown, depth: number): Value {
    if (!Array.isArray(arg) || arg.length !== 2) return new UnknownValue('Fn::Select needs [index, [values]]');
    const index = this.resolve(arg[0], depth);
    const position = typeof index === 'number' ? index : typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : NaN;
    if (!Number.isInteger(position) || position < 0) return unknownOr(index, 'Fn::Select needs a whole-number index');
    const list = this.resolve(arg[1], depth);
    // Past the end of a list given at deploy time, CloudFormation fails the deployment: nothing is created.
    if (list instanceof DeployTimeList) return list.element;
    if (!Array.isArray(list)) return unknownOr(list, 'Fn::Select needs a list');
    if (position >= list.length) return new UnknownValue(`Fn::Select index ${position} is past the end of a ${list.length}-element list`);
    return list[position]!;
  }

  private base64(arg: unknown, depth: number): Value {
    const value = this.resolve(arg, depth);
    const text = asText(value, 'Fn::Base64');
    if (text instanceof UnknownValue) return text;
    if (text instanceof DeployTimeText) return new DeployTimeText(`{Fn::Base64: ${text.text}}`, text.reason);
    return Buffer.from(text, 'utf8').toString('base64');
  }

  private importValue(arg: unknown, depth: number): Value {
    const name = this.resolve(arg, depth);
    const shown = typeof name === 'string' || name instanceof DeployTimeText ? ` '${String(name)}'` : '';
    return new UnknownValue(`Fn::ImportValue${shown} can't be resolved offline`);
  }

  // --- Fn::If, Fn::FindInMap ----------------------------------------------------------------

  private ifFunction(arg: unknown, depth: number): Value {
    if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
      return new UnknownValue('Fn::If needs [ConditionName, value if true, value if false]');
    }
    const name = arg[0];
    const truth = this.namedCondition(name);
    if (truth === true) return this.resolve(arg[1], depth);
    if (truth === false) return this.resolve(arg[2], depth);
    // Undecided: still known if both branches give the same value.
    const whenTrue = this.resolve(arg[1], depth);
    const whenFalse = this.resolve(arg[2], depth);
    if (isFullyKnown(whenTrue) && isFullyKnown(whenFalse) && sameValue(whenTrue, whenFalse)) return whenTrue;
    return new UnknownValue(`Fn::If on condition ${name}, which can't be decided offline: ${truth.unknown}`);
  }

  private findInMap(arg: unknown, depth: number): Value {
    if (!Array.isArray(arg) || arg.length < 3 || arg.length > 4) {
      return new UnknownValue('Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey]');
    }
    const names = [0, 1, 2].map((i) => this.resolve(arg[i], depth));
    const keys = names.map((n) => (typeof n === 'string' ? n : typeof n === 'number' || typeof n === 'boolean' ? String(n) : undefined));
    const options = arg[3];
    const hasDefault = isMapping(options) && hasOwn(options, 'DefaultValue');
    const fallback = (): Value => this.resolve((options as Mapping)['DefaultValue'], depth);
    const shown = names.map((n, i) => keys[i] ?? (n instanceof PseudoParameter ? n.name : '?')).join(', ');
    const mapName = keys[0];
    if (mapName === undefined) return unknownOr(names[0]!, 'Fn::FindInMap needs a map name');
    const map = own(this.mappings, mapName);
    const macro = transformIn(this.mappings) ?? (isMapping(map) ? macroInMap(map) : undefined);
    if (macro !== undefined) return new UnknownValue(`Fn::FindInMap [${shown}]: ${macro} (Fn::Transform in Mappings) may rewrite the mapping at deploy time`);
    if (!isMapping(map)) {
      return hasDefault ? fallback() : new UnknownValue(`Fn::FindInMap [${shown}]: there is no mapping ${mapName}`);
    }
    const [, top, second] = keys;
    const lookUp = (topKey: string, secondKey: string): unknown => {
      const level = own(map, topKey);
      return isMapping(level) && hasOwn(level, secondKey) ? level[secondKey] : undefined;
    };
    if (top !== undefined && second !== undefined) {
      const found = lookUp(top, second);
      if (found !== undefined) return literal(found);
      return hasDefault ? fallback() : new UnknownValue(`Fn::FindInMap [${shown}]: the mapping has no such entry`);
    }
    // A key known only at deploy time (usually AWS::Region): known if every entry agrees.
    const why = unknownReason(top === undefined ? names[1]! : names[2]!) ?? 'a key is not text';
    const candidates: Value[] = [];
    let missing = false;
    for (const topKey of top !== undefined ? [top] : Object.keys(map)) {
      const level = own(map, topKey);
      const secondKeys = second !== undefined ? [second] : isMapping(level) ? Object.keys(level) : [];
      if (secondKeys.length === 0) missing = true;
      for (const secondKey of secondKeys) {
        const found = lookUp(topKey, secondKey);
        if (found === undefined) missing = true;
        else candidates.push(literal(found));
      }
    }
    if (missing && hasDefault) candidates.push(fallback());
    const first = candidates[0];
    if (first !== undefined && (!missing || hasDefault) && candidates.every((c) => isFullyKnown(c) && sameValue(c, first))) {
      return first;
    }
    return new UnknownValue(`Fn::FindInMap [${shown}] depends on a key known only at deploy time: ${why}`);
  }

  // --- Fn::Cidr, Fn::Length, Fn::ToJsonString ---------------------------------------------------

  private cidr(arg: unknown, depth: number): Value {
    if (!Array.isArray(arg) || arg.length !== 3) return new UnknownValue('Fn::Cidr needs [ipBlock, count, cidrBits]');
    const [block, count, bits] = arg.map((a) => this.resolve(a, depth));
    if (typeof block !== 'string') return unknownOr(block!, 'Fn::Cidr needs an IP block');
    const subnets = ipv4Subnets(block, Number(count), Number(bits));
    return subnets ?? new UnknownValue(`Fn::Cidr [${block}, ${String(count)}, ${String(bits)}] isn't computed offline`);
  }

  private lengthFunction(arg: unknown, depth: number): Value {
    const list = this.resolve(arg, depth);
    return Array.isArray(list) ? list.length : unknownOr(list, 'Fn::Length needs a list');
  }

  private toJsonString(arg: unknown, depth: number): Value {
    const value = this.resolve(arg, depth);
    const why = unknownReason(value);
    if (why !== undefined) return new UnknownValue(why);
    return JSON.stringify(finalize(value, 0));
  }

  // --- Conditions -------------------------------------------------------------------------

  private namedCondition(name: string): Truth {
    const known = this.truths.get(name);
    if (known !== undefined) return known;
    const macro = transformIn(this.conditions);
    if (macro !== undefined) return { unknown: `${macro} (Fn::Transform in Conditions) may rewrite condition ${name} at deploy time` };
    if (!hasOwn(this.conditions, name)) return { unknown: `condition ${name} is not defined in the template` };
    if (this.conditionsInProgress.has(name)) return { unknown: `condition ${name} depends on itself` };
    this.conditionsInProgress.add(name);
    let truth: Truth;
    try {
      truth = this.evaluate(this.conditions[name], 0);
    } finally {
      this.conditionsInProgress.delete(name);
    }
    this.truths.set(name, truth);
    return truth;
  }

  private evaluate(expression: unknown, depth: number): Truth {
    this.step(depth);
    if (typeof expression === 'boolean') return expression;
    if (expression === 'true' || expression === 'false') return expression === 'true';
    if (expression instanceof UnknownValue) return { unknown: expression.reason };
    if (!isMapping(expression)) return { unknown: 'a condition must be a condition function' };
    const macro = transformIn(expression);
    if (macro !== undefined) return { unknown: `${macro} (Fn::Transform) may rewrite this condition at deploy time` };
    const keys = Object.keys(expression);
    const fn = keys.length === 1 ? keys[0]! : '';
    const arg = expression[fn];
    switch (fn) {
      case 'Condition':
        return typeof arg === 'string' ? this.namedCondition(arg) : { unknown: 'Condition needs a condition name' };
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2) return { unknown: 'Fn::Equals needs two values' };
        const left = this.resolve(arg[0], depth + 1);
        const right = this.resolve(arg[1], depth + 1);
        const why = unknownReason(left) ?? unknownReason(right);
        if (why !== undefined) return { unknown: why };
        return sameValue(left, right);
      }
      case 'Fn::Not': {
        const operand = Array.isArray(arg) && arg.length === 1 ? arg[0] : undefined;
        if (operand === undefined) return { unknown: 'Fn::Not needs one condition' };
        const truth = this.evaluate(operand, depth + 1);
        return typeof truth === 'boolean' ? !truth : truth;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(arg) || arg.length === 0) return { unknown: `${fn} needs a list of conditions` };
        // false decides an And, true decides an Or, even when other operands are unknown.
        const decisive = fn === 'Fn::Or';
        let undecided: Truth | undefined;
        for (const operand of arg) {
          const truth = this.evaluate(operand, depth + 1);
          if (truth === decisive) return decisive;
          if (typeof truth !== 'boolean') undecided ??= truth;
        }
        return undecided ?? !decisive;
      }
      default:
        return { unknown: `${fn || 'this value'} can't be used as a condition` };
    }
  }
}

// --- helpers --------------------------------------------------------------------------------

/**
 * A parameter with no Default (and more than one allowed value): present, given at deploy time.
 * Whether it may be empty is what CloudFormation would accept for '' (MinLength, AllowedPattern,
 * AllowedValues); an AWS-specific type names an existing resource and never is. A type
 * CloudFormation doesn't know is unknown.
 */
function givenAtDeployTime(name: string, typeName: string, declaration: Mapping): Value {
  const mayBeEmpty = (type: string): boolean => !AWS_SPECIFIC_TYPE.test(type) && constraintViolation(name, declaration, '') === undefined;
  const listOf = LIST_TYPE.exec(typeName)?.[1] ?? (typeName === 'CommaDelimitedList' ? 'String' : undefined);
  if (listOf !== undefined) {
    if (listOf !== 'Number' && listOf !== 'String' && !AWS_SPECIFIC_TYPE.test(listOf)) return new UnknownValue(`parameter ${name} has an unknown type ${typeName}`);
    return new DeployTimeList(name, typeName, new DeployTimeParameter(name, listOf, mayBeEmpty(listOf), true));
  }
  if (typeName === 'String' || typeName === 'Number' || AWS_SPECIFIC_TYPE.test(typeName)) {
    return new DeployTimeParameter(name, typeName, typeName === 'String' && mayBeEmpty(typeName));
  }
  return new UnknownValue(`parameter ${name} has no Default and a type CloudFormation doesn't know (${typeName || 'none'})`);
}

/** A macro in one mapping of Mappings, at its top or in one of its top-level keys. */
function macroInMap(map: Mapping): string | undefined {
  const top = transformIn(map);
  if (top !== undefined) return top;
  for (const key of Object.keys(map)) {
    const level = map[key];
    const inLevel = isMapping(level) ? transformIn(level) : undefined;
    if (inLevel !== undefined) return inLevel;
  }
  return undefined;
}

function section(template: Mapping, name: string): Mapping {
  const value = own(template, name);
  return isMapping(value) ? value : {};
}

/** `Ref` or `Fn::*` as the only key of a mapping makes it a function call. */
export function intrinsicName(node: Mapping): string | undefined {
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const name = keys[0]!;
  return name === 'Ref' || name.startsWith('Fn::') ? name : undefined;
}

/** `{{resolve:ssm:/name}}` and the like: CloudFormation fills them in at deploy time. */
function dynamicReference(text: string): UnknownValue | undefined {
  const start = text.indexOf(DYNAMIC_REFERENCE_START);
  if (start < 0) return undefined;
  const end = text.indexOf('}}', start); // indexOf, not a regex: linear on hostile text
  if (end < 0) return undefined;
  return new UnknownValue(`dynamic reference ${text.slice(start, end + 2)} is resolved at deploy time`);
}

/** Literal data from Parameters or Mappings: taken as written. */
function literal(value: unknown): Value {
  if (value === undefined) return null;
  return value as Value;
}

/** A value as text for Fn::Sub/Fn::Join, or why it can't be. */
function asText(value: Value, context: string): string | DeployTimeText | UnknownValue {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof DeployTimeText || value instanceof UnknownValue) return value;
  if (value instanceof PseudoParameter) return new DeployTimeText('${' + value.name + '}', value.reason);
  if (value instanceof ResourceReference) {
    const what = value.attribute === undefined ? 'id' : `attribute ${value.attribute}`;
    return new DeployTimeText('${' + value.reference + '}', `the ${what} of resource ${value.logicalId} is known only at deploy time`);
  }
  if (value instanceof DeployTimeParameter) return new DeployTimeText('${' + value.parameter + '}', `${value.reference} is given at deploy time`, value.mayBeEmpty);
  if (value === NO_VALUE) return new UnknownValue(`${context} is AWS::NoValue, which isn't text`);
  return new UnknownValue(`${context} is ${Array.isArray(value) ? 'a list' : value === null ? 'null' : 'a mapping'}, not text`);
}

function concatenate(parts: (string | DeployTimeText)[]): Value {
  let text = '';
  let reason: string | undefined;
  let literalText = '';
  let mayBeEmpty = true;
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      literalText += part;
    } else {
      text += part.text;
      reason ??= part.reason;
      mayBeEmpty &&= part.mayBeEmpty;
    }
  }
  if (reason !== undefined) return new DeployTimeText(text, reason, mayBeEmpty && literalText === '');
  return dynamicReference(text) ?? text;
}

/** The value itself when it already is unknown, else an unknown value saying what was wrong. */
function unknownOr(value: Value, problem: string): UnknownValue {
  const why = unknownReason(value);
  return new UnknownValue(why ?? problem);
}

/** Why a value (or a part of it) isn't known offline; undefined when it is fully known. */
function unknownReason(value: Value): string | undefined {
  if (value instanceof UnknownValue || value instanceof PseudoParameter || value instanceof DeployTimeText) return value.reason;
  if (value instanceof ResourceReference) return `${value.reference} is known only at deploy time`;
  if (value instanceof DeployTimeParameter || value instanceof DeployTimeList) return `${value.reference} is given at deploy time`;
  if (value === NO_VALUE) return 'AWS::NoValue has no value';
  if (Array.isArray(value)) {
    for (const element of value) {
      const why = unknownReason(element);
      if (why !== undefined) return why;
    }
  } else if (isMapping(value)) {
    for (const key of Object.keys(value)) {
      const why = unknownReason(value[key] as Value);
      if (why !== undefined) return why;
    }
  }
  return undefined;
}

function isFullyKnown(value: Value): boolean {
  return unknownReason(value) === undefined;
}

/** Equality as CloudFormation compares values: scalars by their text. */
function sameValue(a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((element, i) => sameValue(element, b[i]!));
  }
  if (isMapping(a) || isMapping(b)) {
    if (!isMapping(a) || !isMapping(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => hasOwn(b, key) && sameValue(a[key] as Value, b[key] as Value));
  }
  return String(a) === String(b);
}

/** The value rules see: deploy-time text as its CloudFormation spelling, pseudo parameters unknown. */
function finalize(value: Value, depth: number, keepText = false): unknown {
  if (value instanceof DeployTimeText) return depth === 0 || keepText ? value : value.text;
  if (value instanceof PseudoParameter) return new UnknownValue(value.reason);
  if (value === NO_VALUE) return undefined;
  if (value instanceof UnknownValue || value instanceof ResourceReference || value instanceof DeployTimeParameter || value instanceof DeployTimeList) return value;
  if (depth > MAX_RESOLVE_DEPTH) throw new ResolutionLimit(`the value nests deeper than ${MAX_RESOLVE_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((element) => finalize(element, depth + 1, keepText));
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const key of Object.keys(value)) setOwn(out, key, finalize(value[key] as Value, depth + 1, keepText));
    return out;
  }
  return value;
}

/** Fn::Cidr for IPv4: `count` subnets of `32 - cidrBits` prefix, from the start of `block`. */
function ipv4Subnets(block: string, count: number, cidrBits: number): string[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (!match || !Number.isInteger(count) || !Number.isInteger(cidrBits)) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32 || count < 1 || count > 256 || cidrBits < 0 || cidrBits > 32 - prefix) {
    return undefined;
  }
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const blockSize = 2 ** (32 - prefix);
  const network = base - (base % blockSize);
  const step = 2 ** cidrBits;
  if (count * step > blockSize) return undefined;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const address = network + i * step;
    const parts = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
    out.push(`${parts.join('.')}/${32 - cidrBits}`);
  }
  return out;
}
