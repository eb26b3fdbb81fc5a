import type { Attribute } from '../model/attribute';
import { isUnknownValue } from '../model/attribute';

/** How a property's value renders in a message: `'Disabled'`, `a reference to aws_subnet.a.id`, ... */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  if (isReference(value)) return `a reference to ${value.reference}`;
  if (isUnknownValue(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Sources describe a reference to another resource's attribute as `{ reference: 'aws_subnet.a.id' }`. */
export function isReference(value: unknown): value is { reference: string } {
  return typeof value === 'object' && value !== null && typeof (value as { reference?: unknown }).reference === 'string';
}

/**
 * Whether an attribute holds something (a literal or a reference), as AWS would see it: an
 * empty string or empty list is nothing. `unknown` when the source could not resolve it.
 */
export function presence(attr: Attribute): 'present' | 'missing' | 'unknown' {
  if (attr.state === 'unknown') return 'unknown';
  if (attr.state === 'default') return attr.value === undefined ? 'missing' : 'present';
  const v = attr.value;
  if (v === null || v === undefined || v === '') return 'missing';
  if (Array.isArray(v) && v.length === 0) return 'missing';
  if (isUnknownValue(v)) return 'unknown';
  return 'present';
}
