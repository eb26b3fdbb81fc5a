import type { ResourceReferenceValue } from '../../model/attribute';
/**
 * Values a CloudFormation template resolves to besides literals. `ResourceReference` reaches
 * rules; the others live only during resolution.
 */

/**
 * A parameter with no Default whose value is given at deploy time: CloudFormation creates no stack
 * without one, so the value is present, though unknown offline. For an AWS-specific type
 * (`AWS::EC2::Subnet::Id`...) CloudFormation accepts only a value that exists in the account, so it
 * is never empty; a `String` may be empty unless its constraints (MinLength, AllowedPattern,
 * AllowedValues) exclude it. `parameterType` is the element type for an element of a list.
 */
export class DeployTimeParameter implements ResourceReferenceValue {
  readonly reference: string;
  constructor(
    readonly parameter: string,
    readonly parameterType: string,
    readonly mayBeEmpty: boolean,
    /** For an element of a list parameter. */
    element = false,
  ) {
    this.reference = `${element ? 'an element of ' : ''}parameter ${parameter} (${parameterType})`;
  }
}

/**
 * A list parameter (`List<AWS::EC2::Subnet::Id>`, `CommaDelimitedList`) with no Default: a list
 * of unknown length (perhaps empty) whose elements are `element`. `Fn::Select` takes an element
 * (an index past its end fails the deployment: nothing is created).
 */
export class DeployTimeList implements ResourceReferenceValue {
  readonly reference: string;
  readonly mayBeEmpty = true;
  constructor(
    readonly parameter: string,
    readonly parameterType: string,
    readonly element: DeployTimeParameter,
  ) {
    this.reference = `parameter ${parameter} (${parameterType})`;
  }
}

/**
 * A `Ref` or `Fn::GetAtt` to a resource of the same template: the value exists once deployed
 * (a subnet id, a role ARN) but isn't a literal. `reference` is how rules show it
 * (`a reference to MySubnet`, `a reference to MyRole.Arn`).
 */
export class ResourceReference implements ResourceReferenceValue {
  readonly reference: string;
  constructor(
    readonly logicalId: string,
    /** CloudFormation type of the referenced resource. */
    readonly resourceType: string | undefined,
    /** The `Fn::GetAtt` attribute; undefined for a `Ref`. */
    readonly attribute?: string,
  ) {
    this.reference = attribute === undefined ? logicalId : `${logicalId}.${attribute}`;
  }
  toString(): string {
    return this.attribute === undefined ? `{Ref: ${this.logicalId}}` : `{Fn::GetAtt: [${this.logicalId}, ${this.attribute}]}`;
  }
}

/** `AWS::NoValue`: removes the property, list element or field it stands for. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** A pseudo parameter (`AWS::Region`, ...): known only at deploy time. */
export class PseudoParameter {
  constructor(readonly name: string) {}
  get reason(): string {
    return `${this.name} is known only at deploy time`;
  }
}

/**
 * Text built by `Fn::Sub`/`Fn::Join` from literals and deploy-time values (pseudo parameters,
 * resource ids): it is certainly there, its exact content is not known. Shown as CloudFormation
 * writes it, e.g. `arn:${AWS::Partition}:s3:::${Bucket}`. A property whose whole value it is
 * reaches rules as this object (present, content unknown: an enum can't be judged from it),
 * and so does one inside a list or mapping (read through a dotted name, it must not pass for a literal).
 */
export class DeployTimeText implements ResourceReferenceValue {
  get reference(): string {
    return this.text;
  }
  constructor(
    readonly text: string,
    /** Why the text isn't fully known, from its first deploy-time part. */
    readonly reason: string,
    /** Every part may be empty text (parameters that may be given as ''). */
    readonly mayBeEmpty = false,
  ) {}
  toString(): string {
    return this.text;
  }
  /** Shown in messages (a list holding it, `JSON.stringify`d) as CloudFormation writes it. */
  toJSON(): string {
    return this.text;
  }
}
