import type { LiveIdentity } from './report';
import { isResourceReference, isUnknownValue, type Attribute, type RawAttribute } from './attribute';
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
  /**
   * One top-level property, its value in CloudFormation's shape whatever the source (a nested
   * block is an object, tags a `[{ Key, Value }]` list), with `UnknownValue` where only a part is
   * unknown. Dotted names (`DefaultUserSettings.SecurityGroups`) are the model's business.
   */
  readProperty(name: string): RawAttribute;
  /**
   * Where a nested property (CloudFormation names, `['DefaultUserSettings', 'SecurityGroups']`)
   * is written: the deepest part of the path the source has a position for. Undefined: the
   * top-level property's location stands for it.
   */
  locate?(path: readonly string[]): SourceLocation | undefined;
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

/**
 * A resource as rules see it: every property has AWS's default applied once, here, and a dotted
 * name (`DefaultUserSettings.SecurityGroups`) reads inside the top-level property's value, the
 * same way for every source.
 */
export class Resource {
  private readonly cache = new Map<string, Attribute>();
  /** Top-level properties read for dotted names (each read once for all the paths into it). */
  private readonly tops = new Map<string, RawAttribute>();

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
    const raw = name.includes('.') ? this.readNested(name.split('.')) : this.raw.readProperty(name);
    if (raw.state !== 'absent') return raw;
    const defaults = resourceTypeByCloudFormationName(this.raw.type)?.defaults ?? {};
    return {
      state: 'default',
      value: Object.prototype.hasOwnProperty.call(defaults, name) ? defaults[name] : undefined,
      location: this.raw.location,
    };
  }

  private readNested(path: readonly string[]): RawAttribute {
    const [name, ...rest] = path as [string, ...string[]];
    let top = this.tops.get(name);
    if (!top) {
      top = this.raw.readProperty(name);
      this.tops.set(name, top);
    }
    // Absent or unknown: so is every part of it, for the same reason and at the same place.
    if (top.state !== 'set') return top;
    const found = valueAt(top.value, rest);
    if (found.state === 'absent') return found;
    return { ...found, location: this.raw.locate?.(path) ?? top.location };
  }
}

/**
 * The part of a property's value (CloudFormation's shape) at `path`: a mapping's key, or a list's
 * element by index. Nothing below a plain value, null or a missing key (absent); unknown below an
 * unknown part or a value known only at deploy time (a reference: what it holds can't be read).
 */
export function valueAt(value: unknown, path: readonly string[]): { state: 'set'; value: unknown } | { state: 'absent' } | { state: 'unknown'; reason: string } {
  let current = value;
  for (const key of path) {
    if (isUnknownValue(current)) return { state: 'unknown', reason: current.reason };
    if (isResourceReference(current)) return { state: 'unknown', reason: `it is inside ${current.reference}, known only at deploy time` };
    if (Array.isArray(current)) {
      current = /^(0|[1-9][0-9]{0,8})$/.test(key) ? current[Number(key)] : undefined;
    } else if (typeof current === 'object' && current !== null) {
      current = Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    } else {
      current = undefined;
    }
    if (current === undefined || current === null) return { state: 'absent' };
  }
  if (isUnknownValue(current)) return { state: 'unknown', reason: current.reason };
  return { state: 'set', value: current };
}
