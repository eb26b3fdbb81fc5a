import { UnknownValue, isUnknownValue, type ResourceReferenceValue } from '../../model/attribute';

/**
 * A value of the Terraform language as the evaluator holds it. Lists, tuples and sets are arrays;
 * maps and objects are plain objects whose keys are always own properties (written with
 * `defineProperty`, so a `__proto__` key from configuration stays data). Unknown parts are
 * `UnknownValue`; values that only exist once other resources do are `ReferenceValue`.
 */
export type Value = null | string | number | boolean | Value[] | ObjectValue | UnknownValue | ReferenceValue;

export interface ObjectValue {
  [key: string]: Value;
}

/**
 * A value Terraform computes from another resource, data source or remote module, e.g.
 * `aws_subnet.private.id`: not known offline, but it will be there. Attributes holding one are
 * `set`; `reference` says what it depends on.
 */
export class ReferenceValue implements ResourceReferenceValue {
  constructor(readonly reference: string) {}
  toString(): string {
    return `(reference: ${this.reference})`;
  }
}

/** A value of the evaluator that is neither unknown nor a reference. */
export function isObjectValue(v: unknown): v is ObjectValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof UnknownValue) && !(v instanceof ReferenceValue);
}

export function newObject(entries: Iterable<readonly [string, Value]> = []): ObjectValue {
  const obj: ObjectValue = {};
  for (const [k, v] of entries) setKey(obj, k, v);
  return obj;
}

/** Writes a key as an own data property, whatever its name (`__proto__` included). */
export function setKey(obj: ObjectValue, key: string, value: Value): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function getKey(obj: ObjectValue, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function hasKey(obj: ObjectValue, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Keys in Terraform's iteration order for maps and objects: lexical. */
export function sortedKeys(obj: ObjectValue): string[] {
  return Object.keys(obj).sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first unknown or reference found in a value (depth first), for "depends on" reasons. */
export function findNotKnown(v: Value): UnknownValue | ReferenceValue | undefined {
  if (v instanceof UnknownValue || v instanceof ReferenceValue) return v;
  if (Array.isArray(v)) {
    for (const item of v) {
      const found = findNotKnown(item);
      if (found) return found;
    }
  } else if (isObjectValue(v)) {
    for (const k of Object.keys(v)) {
      const found = findNotKnown(v[k] as Value);
      if (found) return found;
    }
  }
  return undefined;
}

/** Prefers an unknown over a reference: a result built from both is unknown. */
export function findUnknownFirst(values: readonly Value[]): UnknownValue | ReferenceValue | undefined {
  for (const v of values) {
    const unknown = findDeepUnknown(v);
    if (unknown) return unknown;
  }
  for (const v of values) {
    const found = findNotKnown(v);
    if (found) return found;
  }
  return undefined;
}

function findDeepUnknown(v: Value): UnknownValue | undefined {
  if (v instanceof UnknownValue) return v;
  if (Array.isArray(v)) {
    for (const item of v) {
      const found = findDeepUnknown(item);
      if (found) return found;
    }
  } else if (isObjectValue(v)) {
    for (const k of Object.keys(v)) {
      const found = findDeepUnknown(v[k] as Value);
      if (found) return found;
    }
  }
  return undefined;
}

export function unknownFrom(v: UnknownValue | ReferenceValue, context?: string): UnknownValue {
  if (v instanceof UnknownValue) return v;
  return new UnknownValue(`${context ? `${context} ` : ''}depends on ${v.reference}, known only after apply`);
}

/** Terraform's string form of a number: integers without a fraction, others shortest round-trip. */
export function numberToString(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

/** Structural equality as Terraform's `==` sees it (no conversion between types). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i] as Value));
  }
  if (isObjectValue(a) && isObjectValue(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => hasKey(b, k) && valuesEqual(a[k] as Value, b[k] as Value));
  }
  return false;
}

const sizes = new WeakMap<object, number>();
const counts = new WeakMap<object, number>();

/** Elements of a list or keys of a map or object (1 otherwise), counted once per object. */
export function shallowSize(v: Value): number {
  if (Array.isArray(v)) return v.length;
  if (!isObjectValue(v)) return 1;
  let n = counts.get(v);
  if (n === undefined) {
    n = Object.keys(v).length;
    counts.set(v, n);
  }
  return n;
}

/**
 * Elements in a value, all levels down (1 for a primitive): the work of walking it, charged when
 * values are compared or keyed. Computed once per list or object (values are not changed once
 * built), so charging the same big value again costs nothing.
 */
export function deepSize(v: Value): number {
  if (v === null || typeof v !== 'object' || v instanceof UnknownValue || v instanceof ReferenceValue) return 1;
  const known = sizes.get(v);
  if (known !== undefined) return known;
  let n = 1;
  if (Array.isArray(v)) for (const item of v) n += deepSize(item);
  else for (const k of Object.keys(v)) n += deepSize(v[k] as Value);
  sizes.set(v, n);
  return n;
}

/** The list without repeated elements (by `valuesEqual`), first occurrences kept, in linear time. */
export function distinct(list: readonly Value[]): Value[] {
  const out: Value[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const key = valueKey(item);
    if (key === undefined) {
      if (!out.some((x) => valuesEqual(x, item))) out.push(item);
    } else if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

/**
 * A string equal for two values exactly when `valuesEqual` says they are: a set key, so set
 * functions are linear instead of comparing every pair (distinct() of 100,000 elements took
 * minutes). Undefined for values holding unknowns or references (equal only to themselves).
 */
export function valueKey(v: Value): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return `n${String(v)}`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    const parts: string[] = [];
    for (const item of v) {
      const k = valueKey(item);
      if (k === undefined) return undefined;
      parts.push(k);
    }
    return `[${parts.join(',')}]`;
  }
  if (isObjectValue(v)) {
    const parts: string[] = [];
    for (const k of sortedKeys(v)) {
      const inner = valueKey(v[k] as Value);
      if (inner === undefined) return undefined;
      parts.push(`${JSON.stringify(k)}:${inner}`);
    }
    return `{${parts.join(',')}}`;
  }
  return undefined;
}

/**
 * Converts parsed JSON into a Value: objects get own-property keys, everything else as is.
 * `charge` is told the size of every array and object built.
 */
export function valueFromJson(json: unknown, charge?: (elements: number) => void): Value {
  if (json === null || typeof json === 'string' || typeof json === 'number' || typeof json === 'boolean') return json;
  if (Array.isArray(json)) {
    charge?.(json.length + 1);
    return json.map((item) => valueFromJson(item, charge));
  }
  if (typeof json === 'object') {
    const keys = Object.keys(json as object);
    charge?.(keys.length + 1);
    const obj = newObject();
    for (const k of keys) setKey(obj, k, valueFromJson((json as Record<string, unknown>)[k], charge));
    return obj;
  }
  return null;
}

export { UnknownValue, isUnknownValue };
