import type { SourceLocation } from './location';

/**
 * One property of a resource as it would be deployed, with where it came from.
 *
 * - `set`: written in the source and resolved to `value` (which may still be invalid for AWS).
 * - `default`: not written (or removed, e.g. by `AWS::NoValue`); `value` is AWS's default if it has one.
 * - `unknown`: written, but its value can't be known offline (`Fn::ImportValue`, a variable with
 *   no value, a plan's `after_unknown`); `reason` says why.
 *
 * `location` is the property's own position when written, else the resource's.
 */
export type Attribute =
  | { state: 'set'; value: unknown; location: SourceLocation }
  | { state: 'default'; value: unknown; location: SourceLocation }
  | { state: 'unknown'; reason: string; location: SourceLocation };

/**
 * What a source reports for one property, before the model applies AWS defaults.
 * `absent` becomes a `default` attribute.
 */
export type RawAttribute =
  | { state: 'set'; value: unknown; location: SourceLocation }
  | { state: 'absent' }
  | { state: 'unknown'; reason: string; location: SourceLocation };

/**
 * Marker a source puts inside a resolved value (a list element, a nested field) when only that
 * part can't be known, e.g. `SubnetIds: [!ImportValue x]`.
 */
export class UnknownValue {
  constructor(readonly reason: string) {}
  toString(): string {
    return `(unknown: ${this.reason})`;
  }
}

export function isUnknownValue(v: unknown): v is UnknownValue {
  return v instanceof UnknownValue;
}

/**
 * What a source puts in a value that names another resource (`!Ref PrivateSubnet`,
 * `aws_subnet.private.id`): the value is set, the resource will exist, but its id is known only
 * once deployed. Rules need only the presence; `reference` says what is referred to.
 */
export interface ResourceReferenceValue {
  readonly reference: string;
  /**
   * Set when the value, though given, may be empty text or an empty list (a String parameter
   * given at deploy time): rules that need a non-empty value decide what an empty one means.
   */
  readonly mayBeEmpty?: boolean;
}

export function isResourceReference(value: unknown): value is ResourceReferenceValue {
  return typeof value === 'object' && value !== null && typeof (value as { reference?: unknown }).reference === 'string';
}
