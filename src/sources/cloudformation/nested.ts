import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { UnknownValue } from '../../model/attribute';
import type { SourceLocation } from '../../model/location';
import { isResourceReference } from '../../model/attribute';
import { readTextFile, type ReadLimits } from '../read-file';
import type { ScanNote } from '../source';
import { quoteName } from './macros';
import { isMapping, own, setOwn, type Mapping } from './objects';
import type { GivenParameters } from './parameters';
import type { TemplateResolver } from './resolve';
import { isInsideAny } from '../paths';

/**
 * Nested stacks. A parent's `AWS::CloudFormation::Stack` (or SAM's `AWS::Serverless::Application`)
 * whose template is a local file is deployed with the `Parameters` the parent passes, so the
 * child's resources are evaluated once per parent instance, like a Terraform module per call,
 * addressed `Parent/Child`. The child file is also scanned on its own (its own defaults: what a
 * stack created from it directly gets); both results are reported, so a child that passes on its
 * own never hides a parent that deploys it open.
 *
 * Only files inside the scanned paths are read (a TemplateURL like `../../etc/passwd`, an absolute
 * path or a symbolic link leading out is a note, never opened); a remote template (https, s3, a
 * Serverless Application Repository app) is a note saying it was not evaluated. Cycles, depth and
 * the number of instances one scanned file may expand to are bounded.
 */

export const STACK_SET_TYPE = 'AWS::CloudFormation::StackSet';
/**
 * Resources that deploy another template: a nested stack, a SAM application, and a stack set,
 * whose template (inline `TemplateBody` or `TemplateURL`) is deployed into its stack instances.
 */
export const STACK_TYPES = new Set(['AWS::CloudFormation::Stack', 'AWS::Serverless::Application', STACK_SET_TYPE]);

/** Nesting deeper than this is not followed (CloudFormation stacks rarely nest past 3). */
export const MAX_NESTING_DEPTH = 6;
/** Child instances one scanned template may expand to, all levels together (fan-out^depth grows fast). */
export const MAX_NESTED_INSTANCES = 200;

/** What the scan gives the source so it may read child templates. Plain data (goes to workers). */
export interface NestedStackInputs {
  /** Real paths of the scanned directories (a scanned file's own directory): children are read only inside them. */
  roots: string[];
  readLimits: ReadLimits;
}

/** One parent instance being expanded, from the scanned file down. */
export interface StackInstance {
  /** `Outer/Inner/` for resources of a nested template; '' at the top. */
  idPrefix: string;
  /** `nested stack Outer of top.yaml:4, nested stack Inner of mid.yaml:7`. */
  deployedAs?: string;
  /** The top template (the file scanned) of a nested instance: see SourceResource.root. */
  root?: string;
  /** Why the parent stack itself may not be created (its Condition). */
  existenceUnknown?: string;
  /** A macro that rewrites the parent's stack resource: everything in the child is unknown. */
  macro?: string;
  /** Set when the parent's Parameters can't be resolved as a whole: every parameter is unknown. */
  parametersUnknown?: string;
  /** Real paths of the templates from the scanned one to this one (cycle detection). */
  chain: string[];
  /** Shared by every level of one scanned file. */
  budget: { instances: number; limitNoted: boolean };
}

export function topInstance(): StackInstance {
  return { idPrefix: '', chain: [], budget: { instances: 0, limitNoted: false } };
}

/** A child to evaluate, or why not (a note). */
export type ChildTemplate = { ok: true; file: string; realPath: string; text: string } | { ok: false; note: string };

/** Where a child template is, from its TemplateURL (Stack) or Location (SAM application). */
export function findChildTemplate(
  logicalId: string,
  type: string,
  properties: unknown,
  resolver: TemplateResolver,
  parentFile: string,
  inputs: NestedStackInputs | undefined,
  chain: readonly string[],
): ChildTemplate {
  const key = type === 'AWS::Serverless::Application' ? 'Location' : 'TemplateURL';
  const notEvaluated = (why: string): ChildTemplate => ({ ok: false, note: `nested stack ${logicalId} was not evaluated: ${why}` });
  const written = isMapping(properties) ? own(properties, key) : undefined;
  if (written === undefined) return notEvaluated(`it has no ${key}`);
  const resolved = resolver.resolveProperty(written);
  if (resolved.kind === 'unknown') return notEvaluated(`its ${key} can't be resolved offline (${resolved.reason})`);
  const url = resolved.kind === 'value' ? resolved.value : undefined;
  // CDK writes an S3 URL built from the region and account (its Metadata names a local copy,
  // aws:asset:path, but nothing ties that file to what the URL serves, so it is not trusted).
  if (isResourceReference(url)) return notEvaluated(`its ${key} is known only at deploy time (${url.reference})`);
  if (isMapping(url)) return notEvaluated('its application comes from the Serverless Application Repository, which is not read');
  if (typeof url !== 'string' || url === '') return notEvaluated(`its ${key} is not a file path or URL`);
  // A URL written in the template is shown; one built from parameters may hold a NoEcho value,
  // which a quoted, shortened copy would not let the scan mask.
  const shown = typeof written === 'string' ? quoteName(url) : `(built from the template's values)`;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) {
    return notEvaluated(`its template ${shown} is remote; scan a local copy of it to evaluate it as this stack deploys it`);
  }
  if (!inputs) return notEvaluated('nested templates are read only when a scanned directory holds them');
  // `aws cloudformation package` and SAM read a local template relative to the parent's directory.
  const target = resolvePath(dirname(parentFile), url);
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return notEvaluated(`its template ${shown} is not a file in the scanned paths`);
  }
  if (!isInsideAny(real, inputs.roots)) {
    return notEvaluated(`its template ${shown} is outside the scanned paths, and is not read`);
  }
  if (chain.includes(real)) return notEvaluated(`its template ${shown} nests itself (a cycle)`);
  const read = readTextFile(real, inputs.readLimits);
  if (!read.ok) return notEvaluated(`its template ${shown} can't be read: ${read.reason}`);
  // Shown as the scan shows paths: relative when the parent's is.
  return { ok: true, file: isAbsolute(parentFile) ? target : relative(process.cwd(), target), realPath: real, text: read.text };
}

/**
 * The values a parent passes to its child's parameters, resolved in the parent. What can't be
 * resolved is unknown in the child (naming the parent); a deploy-time value (a resource id, a
 * parameter given at deploy time) stays present but unknown.
 */
export function passedParameters(
  properties: unknown,
  resolver: TemplateResolver,
  parentAt: string,
): { given: GivenParameters; allUnknown?: string } {
  const given: GivenParameters = {};
  const written = isMapping(properties) ? own(properties, 'Parameters') : undefined;
  if (written === undefined) return { given };
  const resolved = resolver.resolveProperty(written, { keepDeployTimeText: true });
  if (resolved.kind !== 'value' || !isMapping(resolved.value) || isResourceReference(resolved.value)) {
    // Unknown as a whole (a macro, an Fn::If on an unknown condition): so is every parameter.
    const why = resolved.kind === 'unknown' ? resolved.reason : 'Parameters is not a mapping';
    return { given, allUnknown: `the Parameters ${parentAt} passes can't be resolved offline: ${why}` };
  }
  const values = resolved.value as Mapping;
  for (const name of Object.keys(values)) {
    const value = values[name];
    if (value === undefined) continue; // AWS::NoValue: not passed, the child's Default applies
    setOwn(given, name, parameterValue(value, `the value ${parentAt} passes for ${name}`));
  }
  return { given };
}

function parameterValue(value: unknown, what: string): GivenParameters[string] {
  if (typeof value === 'string') return { value };
  if (typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
  if (value instanceof UnknownValue) return { unknown: `${what} can't be resolved offline: ${value.reason}` };
  if (isResourceReference(value)) return { deployTime: value.reference, mayBeEmpty: value.mayBeEmpty === true };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return { value: value.join(',') };
  return { unknown: `${what} is not text CloudFormation can pass to a parameter` };
}

export function noteAt(message: string, location: SourceLocation | undefined, file: string): ScanNote {
  return location ? { message, file: location.file, line: location.line } : { message, file };
}

/**
 * A stack set's template written inline (`TemplateBody`), or undefined when it has none (then its
 * `TemplateURL` is followed like a nested stack's). The text is evaluated as the instances deploy it.
 */
export function inlineStackSetBody(properties: unknown, resolver: TemplateResolver, logicalId: string): ChildTemplate | undefined {
  const written = isMapping(properties) ? own(properties, 'TemplateBody') : undefined;
  if (written === undefined) return undefined;
  const resolved = resolver.resolveProperty(written);
  if (resolved.kind === 'value' && typeof resolved.value === 'string') return { ok: true, file: '', realPath: '', text: resolved.value };
  const why = resolved.kind === 'unknown' ? resolved.reason : 'it is not text';
  return { ok: false, note: `stack set ${logicalId} was not evaluated: its TemplateBody can't be resolved offline (${why})` };
}

/**
 * A stack set's `Parameters` ([{ ParameterKey, ParameterValue }]) as the `{ Parameters: { key: value } }`
 * a nested stack has, so one reader resolves both. Instances that override parameters
 * (`StackInstancesGroup[].ParameterOverrides`) deploy other values, known only per instance: every
 * parameter is then unknown.
 */
export function stackSetAsStackProperties(properties: unknown, logicalId: string): { properties: Mapping; allUnknown?: string } {
  const parameters: Mapping = {};
  const list = isMapping(properties) ? own(properties, 'Parameters') : undefined;
  const groups = isMapping(properties) ? own(properties, 'StackInstancesGroup') : undefined;
  if (Array.isArray(groups) && groups.some((g) => isMapping(g) && own(g, 'ParameterOverrides') !== undefined)) {
    return { properties: { Parameters: parameters }, allUnknown: `stack set ${logicalId}'s instances override its parameters` };
  }
  if (list === undefined) return { properties: { Parameters: parameters } };
  if (!Array.isArray(list)) return { properties: { Parameters: parameters }, allUnknown: `stack set ${logicalId}'s Parameters is not a list` };
  for (const entry of list) {
    const key = isMapping(entry) ? own(entry, 'ParameterKey') : undefined;
    if (typeof key !== 'string') return { properties: { Parameters: parameters }, allUnknown: `stack set ${logicalId}'s Parameters has an entry without a ParameterKey written as text` };
    setOwn(parameters, key, own(entry as Mapping, 'ParameterValue'));
  }
  return { properties: { Parameters: parameters } };
}
