import { stablePath } from '../paths';
import { UnknownValue, type RawAttribute } from '../../model/attribute';
import type { SourceLocation } from '../../model/location';
import type { InlineSuppression, SourceResource } from '../../model/resource';
import { RESOURCE_TYPES, resourceTypeByCloudFormationName } from '../../model/resource-types';
import { realpathSync } from 'node:fs';
import type { FileScanInputs, FileSource, ScanError, ScanNote, SourceResult } from '../source';
import { isCloudFormationTemplate, takeDetectionParse } from './detect';
import { listResources, loopGenerating, type TemplateResourceEntry } from './foreach';
import { templateMacro, transformIn, TRANSFORM_KEY } from './macros';
import {
  findChildTemplate,
  MAX_NESTED_INSTANCES,
  MAX_NESTING_DEPTH,
  noteAt,
  passedParameters,
  STACK_TYPES,
  topInstance,
  inlineStackSetBody,
  stackSetAsStackProperties,
  STACK_SET_TYPE,
  type NestedStackInputs,
  type StackInstance,
} from './nested';
import { hasOwn, isMapping, own, setOwn, type Mapping } from './objects';
import { constraintViolation, isListType, splitList, type GivenParameters } from './parameters';
import { parseTemplate, type KeyPath } from './parse';
import { intrinsicName, TemplateResolver, type ResolvedProperty } from './resolve';
import { ruleIdFor, ruleIdForCheckov, skipExpiryProblem, unknownRuleMessage } from '../skips';

export { ResourceReference } from './values';
export { isCloudFormationTemplate } from './detect';

/**
 * CloudFormation templates (JSON or YAML, SAM and CDK output included). Resources of the types
 * rules know are emitted; their properties resolve lazily, as a deployment would resolve them.
 */
export const cloudFormationSource: FileSource = {
  kind: 'cloudformation',
  detect: isCloudFormationTemplate,
  scanFile: scanTemplate,
};

const ABSENT: RawAttribute = { state: 'absent' };
/**
 * Text built from deploy-time values stays a DeployTimeText inside mappings and lists too: read
 * through a dotted name (`DefaultUserSettings.ExecutionRole`), it is then a value known only at
 * deploy time, as at the top level, never its `${...}` text taken for a literal.
 */
const KEEP_DEPLOY_TIME_TEXT = { keepDeployTimeText: true };

/** Where `Metadata` keeps cloudconform's inline suppressions, and Checkov's. */
const SUPPRESSION_KEY = 'cloudconform';
const CHECKOV_KEY = 'checkov';

export function scanTemplate(file: string, text: string, inputs: FileScanInputs = {}): SourceResult {
  const errors: ScanError[] = [];
  const resources: SourceResource[] = [];
  const secrets: string[] = [];
  const notes: ScanNote[] = [];
  const out: TemplateOutput = { resources, errors, secrets, notes, nested: inputs.nestedStacks };
  try {
    const top = topInstance();
    if (inputs.parametersUnknown !== undefined) top.parametersUnknown = inputs.parametersUnknown;
    readTemplate(file, text, inputs.cloudFormationParameters ?? {}, out, top);
  } catch (e) {
    // Every input problem should have been reported above; this keeps a bug from stopping a scan.
    errors.push({ file, message: `the template can't be read: ${e instanceof Error ? e.message : String(e)}` });
  }
  return {
    resources,
    errors,
    ...(secrets.length > 0 ? { secrets } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(out.declared ? { inputs: { declared: out.declared } } : {}),
  };
}

interface TemplateOutput {
  resources: SourceResource[];
  errors: ScanError[];
  secrets: string[];
  notes: ScanNote[];
  /** Set when the scan lets the source read nested templates (inside the scanned paths). */
  nested: NestedStackInputs | undefined;
  /** The parameters the scanned template itself declares (not a nested one's: its parent passes them). */
  declared?: string[];
}

function readTemplate(file: string, text: string, givenValues: GivenParameters, out: TemplateOutput, instance: StackInstance): void {
  const { resources, errors, secrets } = out;
  const nestedInstance = instance.deployedAs !== undefined;
  // Positions are recorded while parsing only when a resource rules read is likely present.
  const eagerPositions = RESOURCE_TYPES.some((t) => text.includes(t.cloudFormation));
  const parsed = takeDetectionParse(text) ?? parseTemplate(text, { eagerPositions });
  if (!parsed.ok) {
    // A nested template's own scan reports its syntax error; this instance is only noted.
    if (nestedInstance) out.notes.push({ message: `${instance.deployedAs}: its template can't be parsed, so it was not evaluated`, file });
    else errors.push(parsed.line === undefined ? { file, message: parsed.message } : { file, message: parsed.message, line: parsed.line });
    return;
  }
  const template = parsed.template;
  const root = template.root;
  const locate = (path: KeyPath): SourceLocation | undefined => {
    const position = template.keyPosition(path);
    return position && { file, line: position.line, column: position.column };
  };
  const report = (problem: string, path?: KeyPath): void => {
    const line = path && template.keyPosition(path)?.line;
    const message = nestedInstance ? `${problem} (as deployed by ${instance.deployedAs})` : problem;
    errors.push(line === undefined ? { file, message } : { file, message, line });
  };

  if (!isMapping(root)) {
    const what = Array.isArray(root) ? 'a list' : root === null || root === undefined ? 'empty' : `a ${typeof root}`;
    report(`not a CloudFormation template: the document is ${what}, not a mapping`);
    return;
  }
  const parameters = own(root, 'Parameters');
  if (!nestedInstance && isMapping(parameters)) out.declared = Object.keys(parameters);
  for (const name of ['Parameters', 'Mappings', 'Conditions']) {
    const section = own(root, name);
    if (section !== undefined && section !== null && !isMapping(section)) report(`${name} must be a mapping`, [name]);
  }
  const section = own(root, 'Resources');
  if (!isMapping(section)) {
    report(section === undefined ? 'the template has no Resources section' : 'Resources must be a mapping', ['Resources']);
    return;
  }

  if (instance.parametersUnknown !== undefined) givenValues = everyParameterUnknown(root, instance.parametersUnknown);
  const given = checkGivenValues(root, givenValues, report, secrets);
  const ownMacro = templateMacro(root);
  const wholeTemplateMacro = instance.macro ?? ownMacro;
  // A macro may add resources, of any type, that no rule then sees.
  if (ownMacro !== undefined) out.notes.push({ message: `${ownMacro}: resources it adds are not checked`, file, line: 1 });
  const stacks: { entry: TemplateResourceEntry; definition: Mapping; type: string }[] = [];
  let resolver = new TemplateResolver(root, { given });
  const entries = listResources(section, resolver, (problem) => report(problem.message, problem.path));
  if (Object.keys(section).some((key) => key.startsWith('Fn::ForEach::'))) {
    // Fn::ForEach made resources: Ref and Fn::GetAtt must see them under their generated ids.
    const expanded: Mapping = {};
    for (const entry of entries) setOwn(expanded, entry.logicalId, entry.definition);
    resolver = new TemplateResolver(root, { resources: expanded, given });
  }
  for (const entry of entries) {
    const definition = entry.definition;
    if (!isMapping(definition)) {
      report(`resource ${entry.logicalId} must be a mapping`, entry.path);
      continue;
    }
    const type = own(definition, 'Type');
    if (typeof type !== 'string') {
      const macro = transformIn(definition);
      if (macro === undefined) report(`resource ${entry.logicalId} has no Type`, entry.path);
      else {
        // `Nb: { Fn::Transform: { Name: AWS::Include, ... } }`: the whole definition comes from the macro.
        const line = locate(entry.path)?.line;
        const message = `resource ${instance.idPrefix}${entry.logicalId} is written by ${macro} at deploy time: not checked`;
        out.notes.push(line === undefined ? { message, file } : { message, file, line });
      }
      continue;
    }
    if (STACK_TYPES.has(type)) stacks.push({ entry, definition, type });
    if (!resourceTypeByCloudFormationName(type)) {
      const macro = transformIn(definition);
      if (macro !== undefined && !STACK_TYPES.has(type)) {
        const line = locate(entry.path)?.line;
        const message = `resource ${instance.idPrefix}${entry.logicalId} (${type}) is handed to ${macro} (Fn::Transform on the resource), which may turn it into a resource rules check: not checked`;
        out.notes.push(line === undefined ? { message, file } : { message, file, line });
      }
      continue; // no rule reads it; still resolvable by Ref
    }
    const location = locate(entry.path) ?? { file, line: 1 };
    const onResource = transformIn(definition);
    const macro = wholeTemplateMacro ?? (onResource && `${onResource} (Fn::Transform on the resource) may rewrite the whole resource at deploy time`);
    const resource: SourceResource = {
      type,
      id: instance.idPrefix + entry.logicalId,
      source: 'cloudformation',
      location,
      readProperty: macro
        ? () => ({ state: 'unknown', reason: macro, location: locate([...entry.path, TRANSFORM_KEY]) ?? location })
        : (name) => readProperty(definition, name, entry.path, resolver, locate, location),
      locate: (path) => {
        for (let n = path.length; n > 0; n--) {
          const at = locate([...entry.path, 'Properties', ...path.slice(0, n)]);
          if (at) return at;
        }
        return undefined;
      },
    };
    const existence = existenceOf(definition, resolver);
    if (existence === false) continue; // CloudFormation won't create it
    const unsure = [instance.existenceUnknown, existence === true ? undefined : existence].filter((x) => x !== undefined);
    if (unsure.length > 0) resource.existenceUnknown = unsure.join(', and ');
    if (instance.deployedAs !== undefined) resource.deployedAs = instance.deployedAs;
    if (instance.root !== undefined) resource.root = instance.root;
    const suppressions = readSuppressions(definition, entry, locate, report, location);
    if (suppressions) resource.suppressions = suppressions;
    resources.push(resource);
  }
  if (stacks.length > 0) {
    const chain = instance.chain.length > 0 ? instance.chain : [realPathOf(file)];
    for (const { entry, definition, type } of stacks) {
      const at = locate(entry.path) ?? { file, line: 1 };
      readNestedStack(entry.logicalId, type, definition, at, { ...instance, chain }, resolver, wholeTemplateMacro, out);
    }
  }
}

/** true: created; false: not; text: why it can't be told offline. */
function existenceOf(definition: Mapping, resolver: TemplateResolver): boolean | string {
  const condition = own(definition, 'Condition');
  if (condition === undefined) return true;
  if (typeof condition !== 'string') return 'its Condition is not a condition name';
  const truth = resolver.condition(condition);
  return typeof truth === 'boolean' ? truth : `Condition ${condition} can't be decided offline: ${truth.unknown}`;
}

function realPathOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Every parameter the template declares, unknown for the same reason. */
function everyParameterUnknown(root: Mapping, reason: string): GivenParameters {
  const declarations = own(root, 'Parameters');
  const given: GivenParameters = {};
  if (isMapping(declarations)) for (const name of Object.keys(declarations)) setOwn(given, name, { unknown: reason });
  return given;
}

/** Evaluates the child template of one nested stack as this parent instance deploys it (see nested.ts). */
function readNestedStack(
  logicalId: string,
  type: string,
  definition: Mapping,
  at: SourceLocation,
  parent: StackInstance,
  resolver: TemplateResolver,
  parentMacro: string | undefined,
  out: TemplateOutput,
): void {
  const note = (message: string) => out.notes.push(noteAt(parent.deployedAs ? `${message} (in ${parent.deployedAs})` : message, at, at.file));
  const existence = existenceOf(definition, resolver);
  if (existence === false) return; // the parent never creates it
  // Past a limit the scan is incomplete: CloudFormation would deploy these children (it has no
  // nesting limit below them), so what they hold is unchecked — an error entry (exit 2), not a note.
  const incomplete = (message: string) => {
    const shown = parent.deployedAs ? `${message} (in ${parent.deployedAs})` : message;
    out.errors.push({ file: at.file, line: at.line, message: shown });
  };
  if (parent.chain.length > MAX_NESTING_DEPTH) {
    incomplete(`nested stack ${logicalId} was not evaluated: stacks nest deeper than ${MAX_NESTING_DEPTH} levels, so what it deploys is unchecked`);
    return;
  }
  if (parent.budget.instances >= MAX_NESTED_INSTANCES) {
    if (!parent.budget.limitNoted) incomplete(`nested stack ${logicalId} and the ones after it were not evaluated: over the limit of ${MAX_NESTED_INSTANCES} nested stack instances for one template, so what they deploy is unchecked`);
    parent.budget.limitNoted = true;
    return;
  }
  const written = own(definition, 'Properties');
  const stackSet = type === STACK_SET_TYPE ? stackSetAsStackProperties(written, logicalId) : undefined;
  const inline = type === STACK_SET_TYPE ? inlineStackSetBody(written, resolver, logicalId) : undefined;
  const child = inline ?? findChildTemplate(logicalId, type, written, resolver, at.file, out.nested, parent.chain);
  if (!child.ok) {
    note(child.note);
    return;
  }
  if (!isCloudFormationTemplate(child.text)) {
    note(`nested stack ${logicalId} was not evaluated: its template is not a CloudFormation template`);
    return;
  }
  parent.budget.instances++;
  const parentAt = `${stackSet ? 'stack set' : 'nested stack'} ${logicalId} of ${at.file}:${at.line}${inline ? ' (its TemplateBody)' : ''}`;
  const properties = stackSet ? stackSet.properties : written;
  const passed = passedParameters(properties, resolver, parentAt);
  if (stackSet?.allUnknown !== undefined && passed.allUnknown === undefined) passed.allUnknown = stackSet.allUnknown;
  const onResource = transformIn(definition);
  const macro = parentMacro ?? (onResource && `${onResource} (Fn::Transform on nested stack ${logicalId}) may rewrite the stack at deploy time`);
  const unsure = [parent.existenceUnknown, existence === true ? undefined : `${existence} (for ${parentAt})`].filter((x) => x !== undefined);
  const instance: StackInstance = {
    idPrefix: `${parent.idPrefix}${logicalId}/`,
    deployedAs: parent.deployedAs ? `${parentAt}, itself ${parent.deployedAs}` : parentAt,
    root: parent.root ?? stablePath(at.file),
    ...(unsure.length > 0 ? { existenceUnknown: unsure.join(', and ') } : {}),
    ...(macro ? { macro } : {}),
    ...(passed.allUnknown !== undefined ? { parametersUnknown: passed.allUnknown } : {}),
    chain: inline ? parent.chain : [...parent.chain, child.realPath],
    budget: parent.budget,
  };
  if (!inline) {
    readTemplate(child.file, child.text, passed.given, out, instance);
    return;
  }
  // An inline body's lines are not the file's: what it yields is placed at the stack set.
  const first = { resources: out.resources.length, errors: out.errors.length, notes: out.notes.length };
  readTemplate(at.file, child.text, passed.given, out, instance);
  for (const resource of out.resources.slice(first.resources)) {
    const read = resource.readProperty.bind(resource);
    resource.location = at;
    resource.readProperty = (name) => {
      const raw = read(name);
      return raw.state === 'absent' ? raw : { ...raw, location: at };
    };
    delete resource.locate;
    if (resource.suppressions) resource.suppressions = resource.suppressions.map((s) => ({ ...s, location: at }));
  }
  for (const entry of [...out.errors.slice(first.errors), ...out.notes.slice(first.notes)]) {
    entry.file = at.file;
    entry.line = at.line;
  }
}

/**
 * The given values of the parameters this template declares. A value CloudFormation would refuse
 * (AllowedValues, AllowedPattern...) is an error entry, and the parameter resolves as unknown.
 * NoEcho parameters' values (given or Default) go to `secrets`, kept out of every output.
 */
function checkGivenValues(
  root: Mapping,
  givenValues: GivenParameters,
  report: (message: string, path?: KeyPath) => void,
  secrets: string[],
): GivenParameters {
  const declarations = own(root, 'Parameters');
  const given: GivenParameters = {};
  if (!isMapping(declarations)) return given;
  for (const name of Object.keys(declarations)) {
    const declaration = declarations[name];
    if (!isMapping(declaration)) continue;
    const type = own(declaration, 'Type');
    const isList = typeof type === 'string' && isListType(type);
    const value = hasOwn(givenValues, name) ? givenValues[name]! : undefined;
    if (isNoEcho(declaration)) {
      const fallback = own(declaration, 'Default');
      const texts = [value && 'value' in value ? value.value : undefined, typeof fallback === 'string' || typeof fallback === 'number' ? String(fallback) : undefined];
      for (const text of texts) {
        if (text === undefined) continue;
        secrets.push(text);
        if (isList) secrets.push(...splitList(text)); // a list's elements may be shown one by one
      }
    }
    if (value === undefined) continue;
    const violation = 'value' in value ? constraintViolation(name, declaration, value.value) : undefined;
    if (violation === undefined) {
      setOwn(given, name, value);
    } else {
      report(`${violation}: CloudFormation would reject the deployment`, ['Parameters', name]);
      setOwn(given, name, { unknown: `${violation}, which CloudFormation would reject` });
    }
  }
  return given;
}

function isNoEcho(declaration: Mapping): boolean {
  const noEcho = own(declaration, 'NoEcho');
  return noEcho === true || (typeof noEcho === 'string' && noEcho.toLowerCase() === 'true');
}

function readProperty(
  definition: Mapping,
  name: string,
  resourcePath: KeyPath,
  resolver: TemplateResolver,
  locate: (path: KeyPath) => SourceLocation | undefined,
  resourceLocation: SourceLocation,
): RawAttribute {
  try {
    const properties = own(definition, 'Properties');
    if (properties === undefined || properties === null) return ABSENT;
    if (isMapping(properties) && intrinsicName(properties) === undefined) {
      const macro = transformIn(properties);
      if (macro !== undefined) {
        // Handed every property beside it, the macro decides what each becomes, present or not.
        const at = locate([...resourcePath, 'Properties', TRANSFORM_KEY]) ?? resourceLocation;
        return { state: 'unknown', reason: `${macro} (Fn::Transform in Properties) may rewrite every property at deploy time`, location: at };
      }
      const loop = loopGenerating(properties, name, resolver);
      if (loop !== undefined) {
        // What the loop generates (and which of two same keys wins) is decided at deploy time.
        const at = locate([...resourcePath, 'Properties']) ?? resourceLocation;
        return { state: 'unknown', reason: `${loop} in Properties may generate ${name} at deploy time (AWS::LanguageExtensions)`, location: at };
      }
      if (!hasOwn(properties, name)) return ABSENT;
      const location = locate([...resourcePath, 'Properties', name]) ?? resourceLocation;
      return toAttribute(resolver.resolveProperty(properties[name], KEEP_DEPLOY_TIME_TEXT), location);
    }
    // Properties as one function call, e.g. Fn::If choosing between two property sets.
    const location = locate([...resourcePath, 'Properties']) ?? resourceLocation;
    const whole = resolver.resolveProperty(properties, KEEP_DEPLOY_TIME_TEXT);
    if (whole.kind !== 'value') return toAttribute(whole, location);
    if (!isMapping(whole.value)) return { state: 'unknown', reason: 'Properties is not a mapping', location };
    if (!hasOwn(whole.value, name)) return ABSENT;
    const value = whole.value[name];
    if (value instanceof UnknownValue) return { state: 'unknown', reason: value.reason, location };
    return { state: 'set', value, location };
  } catch (e) {
    return { state: 'unknown', reason: `it can't be resolved: ${e instanceof Error ? e.message : String(e)}`, location: resourceLocation };
  }
}

function toAttribute(resolved: ResolvedProperty, location: SourceLocation): RawAttribute {
  switch (resolved.kind) {
    case 'absent':
      return ABSENT;
    case 'unknown':
      return { state: 'unknown', reason: resolved.reason, location };
    case 'value':
      return { state: 'set', value: resolved.value, location };
  }
}

/**
 * `Metadata: { cloudconform: { skip: [ { id: SageMaker-004, reason: ..., expires: YYYY-MM-DD } ] } }`,
 * ids or aliases; an unknown id or a bad date is an error entry at it, and that skip is dropped.
 * Also Checkov's `Metadata: { checkov: { skip: [ { id: CKV_AWS_122, comment: ... } ] } }`, for
 * the Checkov ids of our rules only: skips of other Checkov checks, and a malformed `checkov`
 * entry, are Checkov's business.
 */
function readSuppressions(
  definition: Mapping,
  entry: { logicalId: string; path: KeyPath },
  locate: (path: KeyPath) => SourceLocation | undefined,
  report: (message: string, path?: KeyPath) => void,
  resourceLocation: SourceLocation,
): InlineSuppression[] | undefined {
  const metadata = own(definition, 'Metadata');
  if (!isMapping(metadata)) return undefined;
  const suppressions = [
    ...(hasOwn(metadata, SUPPRESSION_KEY) ? ownSkips(metadata[SUPPRESSION_KEY], entry, locate, report, resourceLocation) : []),
    ...checkovSkips(own(metadata, CHECKOV_KEY), [...entry.path, 'Metadata', CHECKOV_KEY, 'skip'], locate, resourceLocation),
  ];
  return suppressions.length > 0 ? suppressions : undefined;
}

function ownSkips(
  ours: unknown,
  entry: { logicalId: string; path: KeyPath },
  locate: (path: KeyPath) => SourceLocation | undefined,
  report: (message: string, path?: KeyPath) => void,
  resourceLocation: SourceLocation,
): InlineSuppression[] {
  const oursPath = [...entry.path, 'Metadata', SUPPRESSION_KEY];
  const usage = 'skip: [ { id: <rule id>, reason: <why>, expires: <YYYY-MM-DD, optional> } ]';
  if (!isMapping(ours)) {
    report(`Metadata.${SUPPRESSION_KEY} of ${entry.logicalId} must be a mapping with ${usage}`, oursPath);
    return [];
  }
  const skip = own(ours, 'skip');
  const skipPath = [...oursPath, 'skip'];
  if (skip === undefined) return [];
  if (!Array.isArray(skip)) {
    report(`Metadata.${SUPPRESSION_KEY}.skip of ${entry.logicalId} must be a list: ${usage}`, skipPath);
    return [];
  }
  const suppressions: InlineSuppression[] = [];
  skip.forEach((item: unknown, index) => {
    const listLocation = locate(skipPath) ?? resourceLocation;
    const id = typeof item === 'string' ? item : isMapping(item) ? own(item, 'id') : undefined;
    if (typeof id !== 'string' || id === '') {
      report(`Metadata.${SUPPRESSION_KEY}.skip entry ${index + 1} of ${entry.logicalId} has no rule id: ${usage}`, skipPath);
      return;
    }
    const idPath = typeof item === 'string' ? [...skipPath, index] : [...skipPath, index, 'id'];
    const ruleId = ruleIdFor(id);
    if (!ruleId) {
      report(`Metadata.${SUPPRESSION_KEY}.skip of ${entry.logicalId}: ${unknownRuleMessage(id)}`, idPath);
      return;
    }
    const reason = isMapping(item) ? own(item, 'reason') : undefined;
    const expires = isMapping(item) ? own(item, 'expires') : undefined;
    if (expires !== undefined) {
      const problem = skipExpiryProblem(String(expires));
      if (problem) {
        report(`Metadata.${SUPPRESSION_KEY}.skip of ${entry.logicalId}: ${problem}`, [...skipPath, index, 'expires']);
        return;
      }
    }
    suppressions.push({
      ruleId,
      reason: typeof reason === 'string' ? reason.trim() : '',
      location: typeof item === 'string' ? listLocation : (locate(idPath) ?? listLocation),
      source: 'inline',
      ...(expires !== undefined ? { expires: String(expires) } : {}),
      ...(ruleId !== id ? { writtenAs: id } : {}),
    });
  });
  return suppressions;
}

function checkovSkips(checkov: unknown, skipPath: KeyPath, locate: (path: KeyPath) => SourceLocation | undefined, resourceLocation: SourceLocation): InlineSuppression[] {
  const skip = isMapping(checkov) ? own(checkov, 'skip') : undefined;
  if (!Array.isArray(skip)) return [];
  const suppressions: InlineSuppression[] = [];
  skip.forEach((item: unknown, index) => {
    const id = isMapping(item) ? own(item, 'id') : undefined;
    const ruleId = typeof id === 'string' ? ruleIdForCheckov(id) : undefined;
    if (!ruleId) return;
    const comment = own(item as Mapping, 'comment');
    suppressions.push({
      ruleId,
      reason: typeof comment === 'string' ? comment.trim() : '',
      location: locate([...skipPath, index, 'id']) ?? resourceLocation,
      source: 'checkov',
      writtenAs: id as string,
    });
  });
  return suppressions;
}
