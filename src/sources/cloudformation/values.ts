import type { ResourceReferenceValue } from '../../model/attribute';
/**
 * Values a CloudFormation template resolves to besides literals. `ResourceReference` reaches
 * rules; the others live only during resolution.
 */

/**
 * A `Ref` or `Fn::GetAtt` to a resource of the same template: the value exists once deployed
 * (a subnet id, a role ARN) but isn't a literal. `reference` is how rules show it
 * (`a reference to MySubnet`, `a reference to MyRole.Arn`).
 */
/**
 * A parameter of an AWS-specific type naming one EC2 resource (`AWS::EC2::Subnet::Id`,
 * `AWS::EC2::VPC::Id`...) with no Default: CloudFormation only accepts an id that exists in the
 * account, so the value is certainly present, though known only at deploy time.
 */
export class ValidatedParameter implements ResourceReferenceValue {
  readonly reference: string;
  constructor(
    readonly parameter: string,
    readonly parameterType: string,
  ) {
    this.reference = `parameter ${parameter} (${parameterType})`;
  }
}

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
 * reaches rules as this object (present, content unknown: an enum can't be judged from it);
 * inside lists and mappings it is its text.
 */
export class DeployTimeText implements ResourceReferenceValue {
  get reference(): string {
    return this.text;
  }
  constructor(
    readonly text: string,
    /** Why the text isn't fully known, from its first deploy-time part. */
    readonly reason: string,
  ) {}
  toString(): string {
    return this.text;
  }
}
