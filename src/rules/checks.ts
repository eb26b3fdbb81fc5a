import type { Attribute } from '../model/attribute';
import type { SourceLocation } from '../model/location';
import type { Resource } from '../model/resource';
import type { CheckResult } from './rule';
import { isResourceReference, isUnknownValue } from '../model/attribute';

/** How a property's value renders in a message: `'Disabled'`, `a reference to aws_subnet.a.id`, ... */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  if (isResourceReference(value)) return `a reference to ${value.reference}`;
  if (isUnknownValue(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}


/**
 * Whether an attribute holds something (a literal or a reference), as AWS would see it: an
 * empty string or empty list is nothing. `unknown` when the source could not resolve it, or when
 * a value given at deploy time may be empty, unless `emptyIsRejected`: AWS refuses the resource
 * with an empty value, so an empty one deploys nothing.
 */
export function presence(attr: Attribute, options: { emptyIsRejected?: boolean } = {}): 'present' | 'missing' | 'unknown' {
  if (attr.state === 'unknown') return 'unknown';
  if (attr.state === 'default') return attr.value === undefined ? 'missing' : 'present';
  const v = attr.value;
  if (v === null || v === undefined || v === '') return 'missing';
  if (Array.isArray(v) && v.length === 0) return 'missing';
  if (isUnknownValue(v)) return 'unknown';
  if (isResourceReference(v) && v.mayBeEmpty && !options.emptyIsRejected) return 'unknown';
  return 'present';
}

/**
 * Reads a case-sensitive enum property (with AWS's default applied by the model). Returns the
 * verdict outright when the value is unknown or not one of `valid`; otherwise the value, and
 * whether it came from the default.
 */
export function readEnumProperty(
  resource: Resource,
  name: string,
  valid: readonly string[],
  rejectedBy: string,
): { verdict: CheckResult } | { value: string; isDefault: boolean; location: SourceLocation } {
  const attr = resource.attribute(name);
  if (attr.state === 'unknown') {
    return { verdict: { result: 'unknown', message: `${name} can't be determined: ${attr.reason}.`, location: attr.location } };
  }
  const value = attr.value;
  if (isResourceReference(value)) {
    // A resource's id or attribute (a custom resource's may be any text), or text built from one.
    const message = `${name} is ${describeValue(value)}, whose value is known only at deploy time.`;
    return { verdict: { result: 'unknown', message, location: attr.location } };
  }
  if (typeof value !== 'string' || !valid.includes(value)) {
    return {
      verdict: {
        result: 'fail',
        message: `${name} is ${describeValue(value)}, which is not a valid value (${valid.join(' or ')}, case-sensitive): AWS would reject ${rejectedBy}.`,
        location: attr.location,
      },
    };
  }
  return { value, isDefault: attr.state === 'default', location: attr.location };
}
