/**
 * Template keys are user data: `__proto__`, `constructor` or `toString` must read and write as
 * ordinary keys, never reach Object.prototype.
 */

export type Mapping = Record<string, unknown>;

const hasOwnProperty = Object.prototype.hasOwnProperty;

export function hasOwn(object: object, key: string): boolean {
  return hasOwnProperty.call(object, key);
}

/** A YAML/JSON mapping (not a sequence, not null). */
export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The own value of `key`, or undefined: never an inherited one. */
export function own(object: Mapping, key: string): unknown {
  return hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** Sets an own, enumerable property, even for `__proto__` (where `=` would set the prototype). */
export function setOwn(object: Mapping, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}
