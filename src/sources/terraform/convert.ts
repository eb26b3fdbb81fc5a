import { EvalError } from './eval-error';
import { isObjectValue, numberToString, type ObjectValue, type Value } from './values';

/**
 * Terraform's automatic conversions between primitive types, for known values. Callers deal
 * with unknowns and references first; a value that can't convert throws `EvalError`.
 */

export function templateString(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) throw new EvalError('a null value can\'t be used in a string');
  throw new EvalError(`a ${Array.isArray(v) ? 'list' : 'object'} can't be used as a string`);
}

export function asString(v: Value): string {
  return templateString(v);
}

export function asNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t !== '' && /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
    throw new EvalError(`"${v}" is not a number`);
  }
  if (v === null) throw new EvalError('a null value can\'t be used as a number');
  throw new EvalError(`a ${typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'list' : 'object'} can't be used as a number`);
}

export function asBool(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === null) throw new EvalError('a null value can\'t be used as a bool');
  throw new EvalError(`${JSON.stringify(v)} is not a bool`);
}

export function asList(v: Value, what = 'argument'): Value[] {
  if (Array.isArray(v)) return v;
  throw new EvalError(`${what} must be a list, not ${v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`}`);
}

export function asObject(v: Value, what = 'argument'): ObjectValue {
  if (isObjectValue(v)) return v;
  throw new EvalError(`${what} must be a map or object, not ${v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`}`);
}

export function asInteger(v: Value, what = 'argument'): number {
  const n = asNumber(v);
  if (!Number.isInteger(n)) throw new EvalError(`${what} must be a whole number`);
  return n;
}
