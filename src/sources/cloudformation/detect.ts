import yaml from 'js-yaml';
import { hasOwn, isMapping, own } from './objects';
import { MAX_YAML_DEPTH, parseTemplate, type ParseOutcome } from './parse';
import { CLOUDFORMATION_SCHEMA } from './yaml-schema';

/**
 * Is this text a CloudFormation template? It runs on every YAML and JSON file of a tree, so a
 * cheap text check accepts the usual YAML template. Text checks can be defeated (escaped keys,
 * indented documents, block-scalar types), so a file the check does not accept is parsed and
 * decided on its top level: a template has a `Resources` mapping (the one section CloudFormation
 * requires) or `AWSTemplateFormatVersion`. The parse is kept for the scan that follows.
 */

// YAML block style: top-level keys start a line, unindented.
const YAML_VERSION_KEY = /^\ufeff?["']?AWSTemplateFormatVersion["']?[ \t]*:/m;
const YAML_RESOURCES_KEY = /^\ufeff?["']?Resources["']?[ \t]*:/m;
// A resource type: `Type: AWS::S3::Bucket`, `"Type": "Custom::Thing"`, `Type: Alexa::ASK::Skill`.
const RESOURCE_TYPE = /["']?Type["']?\s*:\s*["']?(?:AWS|Custom|Alexa)::[A-Za-z0-9]/;
// Resources written by a macro (`Nb: { Fn::Transform: { Name: AWS::Include ... } }`) have no Type.
const MACRO_CALL = 'Fn::Transform';
// Files named like data (not .txt, scripts or Makefiles, which often name AWS types in passing).
const DATA_FILE = /\.(?:json|ya?ml|template|cfn)$/i;
const RESOURCES_WORD = /\bResources\b/; // not StackResources, ListStackResources

export function isCloudFormationTemplate(text: string, path = ''): boolean {
  kept = undefined;
  const hasVersion = text.includes('AWSTemplateFormatVersion');
  // Neither word and no backslash (JSON's and YAML's only way to escape a letter): no key can be either.
  if (!hasVersion && !text.includes('Resources') && !text.includes('\\')) return false;
  const start = firstNonBlank(text);
  // JSON is always decided on its parse (kept for the scan, so not parsed twice): text in nested
  // values (a Terraform plan's embedded template, a "format_version" in Metadata) can't mislead it.
  if (start !== 0x7b /* { */ && start !== -1) {
    if (hasVersion && YAML_VERSION_KEY.test(text)) return true;
    if (YAML_RESOURCES_KEY.test(text) && (RESOURCE_TYPE.test(text) || text.includes(MACRO_CALL))) return true;
  }
  return decidedOnParse(text, path);
}

/** The parse done while detecting, for the scan of the same text that follows (one entry). */
let kept: { text: string; outcome: ParseOutcome } | undefined;

/** The parse `isCloudFormationTemplate` did of `text`, if it did one; given once. */
export function takeDetectionParse(text: string): ParseOutcome | undefined {
  const entry = kept;
  kept = undefined;
  return entry !== undefined && entry.text === text ? entry.outcome : undefined;
}

function decidedOnParse(text: string, path: string): boolean {
  const outcome = parseTemplate(text);
  let template: boolean;
  if (outcome.ok) template = isTemplateRoot(outcome.template.root);
  else if (outcome.message.includes('expected a single document')) {
    // Kubernetes manifests are YAML streams. A stream with a template in it is scanned (and its error
    // reported: CloudFormation reads one document); other streams are not templates.
    template = someDocument(text, path, isTemplateRoot);
  } else {
    // Any text may fail to parse as YAML: stay silent, unless it looks like a template. Then it is
    // scanned so its syntax error is reported: a template we can't read must not pass silently.
    template = looksLikeTemplate(text, path);
  }
  if (template) kept = { text, outcome };
  return template;
}

/**
 * Text that doesn't parse is reported when it names the template format version, or AWS types
 * and either the word Resources or a data file's name (a broken notes.txt or Makefile stays silent).
 */
function looksLikeTemplate(text: string, path: string): boolean {
  if (text.includes('AWSTemplateFormatVersion')) return true;
  return text.includes('AWS::') && (RESOURCES_WORD.test(text) || DATA_FILE.test(path));
}

function isTemplateRoot(root: unknown): boolean {
  return isMapping(root) && (isMapping(own(root, 'Resources')) || hasOwn(root, 'AWSTemplateFormatVersion'));
}

function someDocument(text: string, path: string, test: (root: unknown) => boolean): boolean {
  let found = false;
  try {
    const options: yaml.LoadOptions & { maxDepth: number } = { schema: CLOUDFORMATION_SCHEMA, maxDepth: MAX_YAML_DEPTH };
    yaml.loadAll(text, (document) => (found ||= test(document)), options);
  } catch {
    return found || looksLikeTemplate(text, path);
  }
  return found;
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfeff || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    // A YAML comment or document marker line: look past it.
    if (c === 0x23 /* # */ || (c === 0x2d /* - */ && text.startsWith('---', i))) {
      const end = text.indexOf('\n', i);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    return c;
  }
  return -1;
}
