import { hasOwn, isMapping, own, type Mapping } from './objects';

/**
 * CloudFormation macros. A macro is a Lambda function that CloudFormation hands part of the
 * template at deploy time and whose answer replaces it, so nothing it is handed can be known
 * offline:
 * - `Transform` at the top of the template (a name, a list, or `{ Name, Parameters }` entries)
 *   receives the whole processed template;
 * - `Fn::Transform` beside other keys receives the mapping it stands in (its siblings): on a
 *   resource, the whole resource; in `Properties`, every property; deeper, only that level.
 * `AWS::Include` is handled the same way: what it includes is read from S3 at deploy time.
 * The two transforms cloudconform evaluates itself are not macros here.
 */

export const TRANSFORM_KEY = 'Fn::Transform';

/** Transforms whose effect cloudconform evaluates (SAM leaves SageMaker resources as written; ForEach etc.). */
const EVALUATED_TRANSFORMS = new Set(['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions']);

/** Longest macro name shown: names are template data and land in every report. */
const MAX_SHOWN = 80;

/**
 * A name from the template, quoted and escaped for any report: JSON escapes control characters;
 * line separators and bidi controls, which JSON leaves alone, are escaped too.
 */
export function quoteName(name: string): string {
  const shown = name.length > MAX_SHOWN ? `${name.slice(0, MAX_SHOWN)}...` : name;
  return JSON.stringify(shown).replace(
    /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The macro names of one transform declaration (a name, `{ Name }`, or a list of those). */
function transformNames(spec: unknown): string[] {
  if (Array.isArray(spec)) return spec.flatMap((entry) => transformNames(entry));
  if (typeof spec === 'string') return [spec];
  const name = isMapping(spec) ? own(spec, 'Name') : undefined;
  return [typeof name === 'string' ? name : '(a macro whose name is not text)'];
}

function describe(names: string[]): string {
  const quoted = [...new Set(names)].map((n) => (n.startsWith('(') ? n : quoteName(n)));
  return quoted.length === 1 ? `macro ${quoted[0]}` : `macros ${quoted.join(', ')}`;
}

/** `macro "X"` for the value of an `Fn::Transform` key. */
export function describeTransform(spec: unknown): string {
  return describe(transformNames(spec));
}

/** The macros of a mapping that has an `Fn::Transform` key, or undefined. */
export function transformIn(mapping: Mapping): string | undefined {
  return hasOwn(mapping, TRANSFORM_KEY) ? describeTransform(mapping[TRANSFORM_KEY]) : undefined;
}

/**
 * Why the whole template may be rewritten at deploy time: its `Transform` section names a macro
 * (or AWS::Include), or `Fn::Transform` stands at its top level or in its Resources section.
 */
export function templateMacro(root: Mapping): string | undefined {
  const reasons: string[] = [];
  if (hasOwn(root, 'Transform')) {
    const macros = transformNames(root['Transform']).filter((name) => !EVALUATED_TRANSFORMS.has(name));
    if (macros.length > 0) reasons.push(`the template's Transform names ${describe(macros)}, which may rewrite the whole template at deploy time`);
  }
  const top = transformIn(root);
  if (top) reasons.push(`${top} (Fn::Transform at the top of the template) may rewrite the whole template at deploy time`);
  const resources = own(root, 'Resources');
  const inResources = isMapping(resources) ? transformIn(resources) : undefined;
  if (inResources) reasons.push(`${inResources} (Fn::Transform in Resources) may rewrite every resource at deploy time`);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
