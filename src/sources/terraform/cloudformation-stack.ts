// CloudFormation deployed from Terraform: `aws_cloudformation_stack` and
// `aws_cloudformation_stack_set` create the resources of their `template_body` with their
// `parameters`. The template is judged by the CloudFormation source (its public scan function)
// with those values, per count/for_each instance; judged alone, with its own defaults, it could
// pass while Terraform deploys it open.
import { isAbsolute, join } from 'node:path';
import type { RawAttribute } from '../../model/attribute';
import type { SourceLocation } from '../../model/location';
import type { SourceResource } from '../../model/resource';
import type { ScanError, ScanNote } from '../source';
import { scanTemplate } from '../cloudformation';
import type { GivenParameters } from '../cloudformation/parameters';
import type { BlockNode, Expr } from './hcl/ast';
import { evaluateSafely, iterate, type EvalContext } from './evaluator';
import type { Declared, ModuleDefinition } from './module-loader';
import type { TerraformScanContext } from './scan-context';
import { ReferenceValue, UnknownValue, findNotKnown, getKey, isObjectValue, numberToString, type ObjectValue, type Value } from './values';

/** The aws and Cloud Control (awscc) providers' stacks and stack sets: all have template_body, template_url and parameters. */
export const STACK_RESOURCE_TYPES = new Set(['aws_cloudformation_stack', 'aws_cloudformation_stack_set', 'awscc_cloudformation_stack', 'awscc_cloudformation_stack_set']);

/** Templates one scan unit evaluates: each is a full template scan, and count multiplies them. */
export const MAX_STACK_TEMPLATES = 200;

/** What one stack instance needs from its module instance. */
export interface StackInstanceSite {
  decl: Declared<BlockNode>;
  def: ModuleDefinition;
  /** `module.x.` or ''. */
  addressPrefix: string;
  /** `[0]`, `["k"]`, `[*]` or ''. */
  suffix: string;
  ctx: EvalContext;
  rootDir: string;
  existenceUnknown: string | undefined;
  /** The module is a downloaded copy that may not be the one deployed. */
  untrusted: string | undefined;
  scan: TerraformScanContext;
}

export function collectStackResources(site: StackInstanceSite, out: SourceResource[]): void {
  const { decl, scan, ctx } = site;
  const [type, name] = decl.node.labels as [string, string];
  const address = `${site.addressPrefix}${type}.${name}${site.suffix}`;
  const at: SourceLocation = { file: decl.file.path, line: decl.node.range.start.line };
  const where = `${at.file}:${at.line}`;
  const attr = (n: string) => decl.node.body.attributes.find((a) => a.name === n);
  const body = attr('template_body');
  if (!body) {
    const url = attr('template_url') ? 'its template_url (a template in S3)' : 'it has no template_body';
    scan.note({ ...at, message: `${address}: the stack's template was not evaluated: ${url}; its resources are not checked` });
    return;
  }
  const text = evaluateSafely(body.expr, ctx);
  const notKnown = typeof text === 'string' ? undefined : (findNotKnown(text) ?? new UnknownValue('template_body is not a string'));
  if (notKnown) {
    const why = notKnown instanceof ReferenceValue ? `it is ${notKnown.reference}, known only when applied` : notKnown.reason;
    scan.note({ ...at, message: `${address}: the stack's template was not evaluated: template_body can't be known offline (${why}); its resources are not checked` });
    return;
  }
  if (scan.stackTemplates >= MAX_STACK_TEMPLATES) {
    // An error, not a note: resources not evaluated must not let the scan end compliant.
    scan.report({ ...at, message: `${address} and the stacks after it were not evaluated: over ${MAX_STACK_TEMPLATES} CloudFormation templates deployed from one configuration` });
    return;
  }
  scan.stackTemplates++;
  // Charged like evaluation: a 1.3 MB template of 8,000 notebooks took 1.6 s to scan here, about
  // what 2 steps per character cost the evaluator (1.3 to 4 million steps a second).
  ctx.budget.work((text as string).length * 2);
  const templateFile = fileArgument(body.expr, ctx, site.rootDir);
  const parameters = stackParameters(attr('parameters')?.expr, ctx, `${address} (${where})`);
  const overridden =
    type === 'aws_cloudformation_stack_set' ? parameterOverrides(site.def) : type === 'awscc_cloudformation_stack_set' ? groupOverrides(attr('stack_instances_group')?.expr, ctx, address) : undefined;
  const allUnknown = parameters.allUnknown ?? overridden;
  const result = scanTemplate(templateFile ?? decl.file.path, text as string, {
    cloudFormationParameters: parameters.given,
    ...(allUnknown !== undefined ? { parametersUnknown: allUnknown } : {}),
  });
  // Problems inside an inline template are placed at the Terraform resource (its lines are the heredoc's).
  const relocate = <T extends { file?: string; line?: number; message: string }>(e: T): T =>
    templateFile !== undefined ? { ...e, message: `${e.message} (template of ${address})` } : { ...e, file: at.file, line: at.line, message: `${address}: template_body${e.line ? ` line ${e.line}` : ''}: ${e.message}` };
  for (const e of result.errors) scan.report(relocate(e));
  for (const n of result.notes ?? []) scan.note(relocate(n));
  for (const s of result.secrets ?? []) scan.secrets.push(s);
  for (const r of result.resources) out.push(asDeployed(r, address, at, templateFile, site, 'terraform'));
}

/** A template resource as this stack deploys it: addressed under the stack, located at its Terraform resource. */
function asDeployed(
  r: SourceResource,
  address: string,
  at: SourceLocation,
  templateFile: string | undefined,
  site: { existenceUnknown?: string | undefined; untrusted?: string | undefined },
  source: 'terraform' | 'terraform-plan',
): SourceResource {
  const where = `${at.file}:${at.line}`;
  const inTemplate = templateFile !== undefined ? `${templateFile}:${r.location.line}` : `line ${r.location.line} of its template_body`;
  const untrusted = site.untrusted;
  const existence = [site.existenceUnknown, r.existenceUnknown].filter((x) => x !== undefined);
  const readProperty = (name: string): RawAttribute => {
    if (untrusted !== undefined) return { state: 'unknown', reason: untrusted, location: at };
    const attr = r.readProperty(name);
    return attr.state === 'absent' ? attr : { ...attr, location: at };
  };
  return {
    type: r.type,
    id: `${address}/${r.id}`,
    source,
    location: at,
    readProperty,
    deployedAs: `CloudFormation stack ${address} at ${where}, resource ${r.id} at ${inTemplate}`,
    ...(existence.length > 0 ? { existenceUnknown: existence.join(', and ') } : {}),
    ...(r.suppressions ? { suppressions: r.suppressions } : {}),
  };
}

/** `file("x.yaml")`'s path, when template_body is written so: the template's own positions then mean something. */
function fileArgument(expr: Expr, ctx: EvalContext, rootDir: string): string | undefined {
  if (expr.kind !== 'call' || expr.name !== 'file' || expr.args.length !== 1) return undefined;
  const path = evaluateSafely(expr.args[0]!, ctx);
  if (typeof path !== 'string') return undefined;
  return isAbsolute(path) ? path : join(rootDir, path);
}

/** `parameters = { Access = "Enabled" }` as CloudFormation's given values; unknown ones stay unknown. */
function stackParameters(expr: Expr | undefined, ctx: EvalContext, what: string): { given: GivenParameters; allUnknown?: string } {
  const given: GivenParameters = Object.create(null);
  if (!expr) return { given };
  const value = evaluateSafely(expr, ctx);
  if (value === null) return { given };
  if (Array.isArray(value)) return keyValueParameters(value, given, what);
  if (!isObjectValue(value)) {
    const notKnown = findNotKnown(value);
    const why = notKnown instanceof ReferenceValue ? `${notKnown.reference} is known only when applied` : notKnown ? notKnown.reason : 'it is not a map';
    return { given, allUnknown: `the parameters of ${what} can't be known offline: ${why}` };
  }
  for (const [key, v] of iterate(value)) {
    const name = String(key);
    const text = parameterText(v);
    given[name] = typeof text === 'string' ? { value: text } : { unknown: `parameter ${name} of ${what}: ${text.reason}` };
  }
  return { given };
}

/** awscc stack sets: `parameters = [{ parameter_key = "Access", parameter_value = "Enabled" }]`. */
function keyValueParameters(list: readonly Value[], given: GivenParameters, what: string): { given: GivenParameters; allUnknown?: string } {
  for (const item of list) {
    const key = isObjectValue(item) ? getKey(item, 'parameter_key') : undefined;
    // A key not known offline may name any parameter.
    if (typeof key !== 'string') return { given, allUnknown: `the parameters of ${what} can't be known offline (a parameter_key)` };
    const text = parameterText(getKey(item as ObjectValue, 'parameter_value') ?? null);
    given[key] = typeof text === 'string' ? { value: text } : { unknown: `parameter ${key} of ${what}: ${text.reason}` };
  }
  return { given };
}

/** An awscc stack set's instance groups that override its parameters (or may: not known offline). */
function groupOverrides(expr: Expr | undefined, ctx: EvalContext, address: string): string | undefined {
  if (!expr) return undefined;
  const groups = evaluateSafely(expr, ctx);
  if (groups === null) return undefined;
  const reason = `stack_instances_group of ${address} overrides the stack set's parameters`;
  if (!Array.isArray(groups)) return findNotKnown(groups) ? `stack_instances_group of ${address} can't be known offline` : undefined;
  for (const g of groups) {
    if (!isObjectValue(g)) return reason;
    const overrides = getKey(g, 'parameter_overrides');
    if (overrides !== undefined && overrides !== null && !(Array.isArray(overrides) && overrides.length === 0)) return reason;
  }
  return undefined;
}

function parameterText(v: Value): string | UnknownValue {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof ReferenceValue) return new UnknownValue(`${v.reference} is known only when applied`);
  if (v instanceof UnknownValue) return v;
  return new UnknownValue('not a string (Terraform refuses it)');
}

/** A stack set's instances may override its parameters (`parameter_overrides`): then none is known. */
function parameterOverrides(def: ModuleDefinition): string | undefined {
  for (const decl of def.resources) {
    if (decl.node.labels[0] !== 'aws_cloudformation_stack_set_instance') continue;
    if (decl.node.body.attributes.some((a) => a.name === 'parameter_overrides') || decl.node.body.blocks.some((b) => b.type === 'dynamic')) {
      return `aws_cloudformation_stack_set_instance.${decl.node.labels[1]} (${decl.file.path}:${decl.node.range.start.line}) overrides the stack set's parameters`;
    }
  }
  return undefined;
}

/** What a plan's stack adds to the plan source's result. */
export interface PlanStackResult {
  resources: SourceResource[];
  errors: ScanError[];
  notes: ScanNote[];
  secrets: string[];
}

const AFTER_APPLY = 'known only after apply';

/**
 * A plan's aws_cloudformation_stack(_set): its planned `template_body` deployed with its planned
 * `parameters` (`after`, with `after_unknown` marking what apply decides).
 */
export function planStackResources(
  address: string,
  after: Record<string, unknown>,
  afterUnknown: unknown,
  at: SourceLocation,
  overridden: string | undefined,
  out: PlanStackResult,
): void {
  const unknownAt = (key: string): unknown => (isRecordLike(afterUnknown) ? afterUnknown[key] : undefined);
  // awscc stack sets: instance groups in the resource itself may override the parameters.
  const groups = after['stack_instances_group'];
  if (unknownAt('stack_instances_group') === true || (Array.isArray(groups) && groups.some((g) => isRecordLike(g) && Array.isArray(g['parameter_overrides']) && g['parameter_overrides'].length > 0))) {
    overridden ??= `stack_instances_group of ${address} overrides the stack set's parameters`;
  }
  const body = after['template_body'];
  if (typeof body !== 'string') {
    const why = unknownAt('template_body') === true ? `template_body is ${AFTER_APPLY}` : after['template_url'] ? 'its template_url (a template in S3)' : 'it has no template_body';
    out.notes.push({ ...at, message: `${address}: the stack's template was not evaluated: ${why}; its resources are not checked` });
    return;
  }
  const given: GivenParameters = Object.create(null);
  let allUnknown = overridden;
  const parameters = after['parameters'];
  const parametersUnknown = unknownAt('parameters');
  if (parametersUnknown === true) allUnknown ??= `the parameters of ${address} are ${AFTER_APPLY}`;
  else if (Array.isArray(parameters)) {
    // awscc stack sets: a set of { parameter_key, parameter_value }; an element apply decides may set any parameter.
    if (Array.isArray(parametersUnknown) && parametersUnknown.some((u) => u === true || (isRecordLike(u) && Object.values(u).some((x) => x === true)))) {
      allUnknown ??= `some parameters of ${address} are ${AFTER_APPLY}`;
    }
    for (const item of parameters) {
      const key = isRecordLike(item) ? item['parameter_key'] : undefined;
      const value = isRecordLike(item) ? item['parameter_value'] : undefined;
      if (typeof key === 'string') given[key] = typeof value === 'string' ? { value } : { unknown: `parameter ${key} of ${address} is not a string` };
    }
  } else {
    for (const [name, v] of Object.entries(isRecordLike(parameters) ? parameters : {})) {
      given[name] = typeof v === 'string' ? { value: v } : { unknown: `parameter ${name} of ${address} is not a string` };
    }
    // An element apply decides is left out of `after` and marked in `after_unknown`.
    for (const [name, u] of Object.entries(isRecordLike(parametersUnknown) ? parametersUnknown : {})) {
      if (u === true) given[name] = { unknown: `parameter ${name} of ${address} is ${AFTER_APPLY}` };
    }
  }
  const result = scanTemplate(at.file, body, { cloudFormationParameters: given, ...(allUnknown !== undefined ? { parametersUnknown: allUnknown } : {}) });
  const relocate = <T extends { file?: string; line?: number; message: string }>(e: T): T => ({ ...e, file: at.file, line: at.line, message: `${address}: template_body${e.line ? ` line ${e.line}` : ''}: ${e.message}` });
  out.errors.push(...result.errors.map(relocate));
  out.notes.push(...(result.notes ?? []).map(relocate));
  out.secrets.push(...(result.secrets ?? []));
  for (const r of result.resources) out.resources.push(asDeployed(r, address, at, undefined, {}, 'terraform-plan'));
}

/** A plan's stack set instances that override the set's parameters (then none of them is known). */
export function planParameterOverrides(changes: readonly unknown[]): string | undefined {
  for (const c of changes) {
    if (!isRecordLike(c) || c['type'] !== 'aws_cloudformation_stack_set_instance' || !isRecordLike(c['change'])) continue;
    const after = c['change']['after'];
    const unknown = c['change']['after_unknown'];
    const overrides = isRecordLike(after) ? after['parameter_overrides'] : undefined;
    const overridesUnknown = isRecordLike(unknown) ? unknown['parameter_overrides'] : undefined;
    if ((isRecordLike(overrides) && Object.keys(overrides).length > 0) || overridesUnknown === true) {
      return `${String(c['address'])} overrides the stack set's parameters`;
    }
  }
  return undefined;
}

function isRecordLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
