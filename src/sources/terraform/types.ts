import type { Expr } from './hcl/ast';
import { asBool, asNumber, templateString } from './convert';
import { EvalError } from './eval-error';
import {
  ReferenceValue,
  UnknownValue,
  compareStrings,
  distinct,
  findNotKnown,
  getKey,
  isObjectValue,
  newObject,
  setKey,
  sortedKeys,
  type Value,
} from './values';

/** A variable's `type` constraint. */
export type TypeConstraint =
  | { kind: 'any' }
  | { kind: 'string' | 'number' | 'bool' }
  | { kind: 'list' | 'set' | 'map'; element: TypeConstraint }
  | { kind: 'tuple'; elements: TypeConstraint[] }
  | { kind: 'object'; attributes: Map<string, ObjectAttributeType> };

export interface ObjectAttributeType {
  type: TypeConstraint;
  optional: boolean;
  /** The `optional(type, default)` default, already evaluated. */
  default: Value;
}

export const ANY_TYPE: TypeConstraint = { kind: 'any' };

export function isPrimitiveType(t: TypeConstraint): boolean {
  return t.kind === 'string' || t.kind === 'number' || t.kind === 'bool';
}

/**
 * Reads a type expression (`list(object({ a = optional(string, "x") }))`). Anything not
 * understood is `any`: the value is then used as given.
 */
export function parseTypeConstraint(expr: Expr, evaluateConstant: (e: Expr) => Value): TypeConstraint {
  if (expr.kind === 'parens') return parseTypeConstraint(expr.expr, evaluateConstant);
  if (expr.kind === 'traversal' && expr.steps.length === 0) {
    if (expr.root === 'string' || expr.root === 'number' || expr.root === 'bool') return { kind: expr.root };
    return ANY_TYPE;
  }
  if (expr.kind !== 'call') return ANY_TYPE;
  const [first] = expr.args;
  if (!first) return ANY_TYPE;
  switch (expr.name) {
    case 'list':
    case 'set':
    case 'map':
      return { kind: expr.name, element: parseTypeConstraint(first, evaluateConstant) };
    case 'tuple':
      return first.kind === 'tuple'
        ? { kind: 'tuple', elements: first.items.map((i) => parseTypeConstraint(i, evaluateConstant)) }
        : ANY_TYPE;
    case 'object': {
      if (first.kind !== 'object') return ANY_TYPE;
      const attributes = new Map<string, ObjectAttributeType>();
      for (const item of first.items) {
        const name = item.key.kind === 'traversal' && item.key.steps.length === 0
          ? item.key.root
          : item.key.kind === 'template' && item.key.parts.length === 1 && item.key.parts[0]?.kind === 'text'
            ? item.key.parts[0].value
            : undefined;
        if (name === undefined) continue;
        const v = item.value;
        if (v.kind === 'call' && v.name === 'optional' && v.args[0]) {
          const type = parseTypeConstraint(v.args[0], evaluateConstant);
          let dflt: Value = null;
          if (v.args[1]) {
            try {
              dflt = convertValue(evaluateConstant(v.args[1]), type);
            } catch {
              dflt = null;
            }
          }
          attributes.set(name, { type, optional: true, default: dflt });
        } else {
          attributes.set(name, { type: parseTypeConstraint(v, evaluateConstant), optional: false, default: null });
        }
      }
      return { kind: 'object', attributes };
    }
    default:
      return ANY_TYPE;
  }
}

/**
 * Converts a value to a type as Terraform does for variables: primitives convert between each
 * other, objects gain their optional attributes. Unknowns and references pass through.
 */
export function convertValue(value: Value, type: TypeConstraint): Value {
  if (value === null || value instanceof UnknownValue || value instanceof ReferenceValue) return value;
  switch (type.kind) {
    case 'any':
      return value;
    case 'string':
      if (Array.isArray(value) || isObjectValue(value)) throw new EvalError('a string is required');
      return templateString(value);
    case 'number':
      return asNumber(value);
    case 'bool':
      return asBool(value);
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) throw new EvalError(`a ${type.kind} is required`);
      const items = value.map((v) => convertValue(v, type.element));
      return type.kind === 'set' ? toSet(items) : items;
    }
    case 'map': {
      if (!isObjectValue(value)) throw new EvalError('a map is required');
      return newObject(Object.keys(value).map((k) => [k, convertValue(value[k] as Value, type.element)] as const));
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length !== type.elements.length) {
        throw new EvalError(`a tuple of ${type.elements.length} elements is required`);
      }
      return value.map((v, i) => convertValue(v, type.elements[i] as TypeConstraint));
    }
    case 'object': {
      if (!isObjectValue(value)) throw new EvalError('an object is required');
      const out = newObject();
      for (const [name, attr] of type.attributes) {
        const v = getKey(value, name);
        if (v === undefined || (v === null && attr.optional)) {
          if (!attr.optional) throw new EvalError(`attribute "${name}" is required`);
          setKey(out, name, attr.default);
        } else {
          setKey(out, name, convertValue(v, attr.type));
        }
      }
      return out;
    }
  }
}

/** Sets: no duplicates, and Terraform lists strings and numbers of a set in sorted order. */
function toSet(items: Value[]): Value {
  const notKnown = findNotKnown(items);
  if (notKnown) return items;
  const unique = distinct(items);
  if (unique.every((v) => typeof v === 'string')) return (unique as string[]).sort(compareStrings);
  if (unique.every((v) => typeof v === 'number')) return (unique as number[]).sort((a, b) => a - b);
  return unique;
}

/** The conversions `tolist`, `toset`, `tomap`, `tostring`, `tonumber`, `tobool` perform. */
export function convertForFunction(value: Value, to: 'list' | 'set' | 'map' | 'string' | 'number' | 'bool'): Value {
  if (value instanceof UnknownValue || value instanceof ReferenceValue) return value;
  switch (to) {
    case 'list':
      if (!Array.isArray(value)) throw new EvalError('tolist() needs a list or set');
      return value;
    case 'set':
      if (!Array.isArray(value)) throw new EvalError('toset() needs a list or set');
      return toSet(value);
    case 'map':
      if (!isObjectValue(value)) throw new EvalError('tomap() needs a map or object');
      return newObject(sortedKeys(value).map((k) => [k, value[k] as Value] as const));
    default:
      return convertValue(value, { kind: to });
  }
}
