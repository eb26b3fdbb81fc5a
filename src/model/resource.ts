import type { LiveIdentity } from './report';
import type { Attribute, RawAttribute } from './attribute';
import type { SourceLocation } from './location';
import { resourceTypeByCloudFormationName } from './resource-types';

export type SourceKind = 'cloudformation' | 'terraform' | 'terraform-plan' | 'aws';

/** An inline suppression written next to the resource (CloudFormation Metadata, Terraform comment). */
export interface InlineSuppression {
  /** The rule's own id (sources resolve aliases such as CKV_AWS_122, and report unknown ids). */
  ruleId: string;
  /** Empty when the author gave none: such a suppression is not honoured. */
  reason: string;
  location: SourceLocation;
  /** `checkov`: a Checkov skip honoured for teams moving over; else cloudconform's own. */
  source: 'inline' | 'checkov';
  /** The last day it applies (YYYY-MM-DD, UTC), when it has one. */
  expires?: string;
  /** The id as written when it is an alias (`CKV_AWS_122`), for messages. */
  writtenAs?: string;
}

/**
 * What a source hands to the engine for one resource. Property names are CloudFormation's
 * (PascalCase, e.g. `DirectInternetAccess`) whatever the source; `readProperty` resolves lazily
 * so a scan only pays for the properties rules read.
 */
export interface SourceResource {
  /** CloudFormation type name, e.g. `AWS::SageMaker::NotebookInstance`. */
  type: string;
  /** Logical id, Terraform address (`module.x.aws_y.z["k"]`) or ARN. */
  id: string;
  source: SourceKind;
  location: SourceLocation;
  readProperty(name: string): RawAttribute;
  suppressions?: InlineSuppression[];
  /** Extra facts a report may show (account, region, name, status for live resources). */
  details?: Record<string, string>;
  /** Live resources: account, region and ARN (Finding.resource.live). */
  live?: LiveIdentity;
  /**
   * Set when the resource may or may not be created (a CloudFormation `Condition` or Terraform
   * `count` that can't be resolved offline); rules then can't pass it.
   */
  existenceUnknown?: string;
  /**
   * How this instance of the resource comes to be deployed when that is not its own file: a
   * nested stack's resource as one parent deploys it (`nested stack NotebookStack of parent.yaml:12`).
   * Appended to every finding's message.
   */
  deployedAs?: string;
  /**
   * The configuration this instance is deployed from when that is not its own file's: the
   * Terraform root module that calls its module, or the top template of a nested stack. Two roots
   * calling one module give two resources with the same id and file; this tells them apart (in
   * the finding key, so one baseline entry can't stand for the other).
   */
  root?: string;
}

/** A resource as rules see it: every property has AWS's default applied once, here. */
export class Resource {
  private readonly cache = new Map<string, Attribute>();

  constructor(readonly raw: SourceResource) {}

  get type(): string {
    return this.raw.type;
  }
  get id(): string {
    return this.raw.id;
  }
  get location(): SourceLocation {
    return this.raw.location;
  }

  attribute(name: string): Attribute {
    let attr = this.cache.get(name);
    if (!attr) {
      attr = this.resolve(name);
      this.cache.set(name, attr);
    }
    return attr;
  }

  private resolve(name: string): Attribute {
    const raw = this.raw.readProperty(name);
    if (raw.state !== 'absent') return raw;
    const defaults = resourceTypeByCloudFormationName(this.raw.type)?.defaults ?? {};
    return {
      state: 'default',
      value: Object.prototype.hasOwnProperty.call(defaults, name) ? defaults[name] : undefined,
      location: this.raw.location,
    };
  }
}
