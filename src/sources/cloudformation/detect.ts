/**
 * Is this text a CloudFormation template? Decided by content, cheaply: it runs on every YAML and
 * JSON file of a tree. A template has `AWSTemplateFormatVersion` at the top level, or a top-level
 * `Resources` mapping whose entries have `Type: AWS::...` (SAM and CDK output included).
 */

// YAML block style: top-level keys start a line, unindented.
const YAML_VERSION_KEY = /^\ufeff?["']?AWSTemplateFormatVersion["']?[ \t]*:/m;
const YAML_RESOURCES_KEY = /^\ufeff?["']?Resources["']?[ \t]*:/m;
// JSON (and YAML written in flow style): keys may be anywhere on a line, quoted or not.
const FLOW_VERSION_KEY = /[{,\s]["']?AWSTemplateFormatVersion["']?\s*:/;
const FLOW_RESOURCES_KEY = /[{,\s]["']?Resources["']?\s*:\s*\{/;
// A resource type: `Type: AWS::S3::Bucket`, `"Type": "Custom::Thing"`, `Type: Alexa::ASK::Skill`.
const RESOURCE_TYPE = /["']?Type["']?\s*:\s*["']?(?:AWS|Custom|Alexa)::[A-Za-z0-9]/;
// Resources written by a macro (`Nb: { Fn::Transform: { Name: AWS::Include ... } }`) have no Type.
const MACRO_CALL = 'Fn::Transform';
// Terraform plans and state can embed templates; they are never templates themselves.
const TERRAFORM_JSON = /"(?:terraform_version|format_version|resource_changes)"\s*:/;

export function isCloudFormationTemplate(text: string, _path?: string): boolean {
  const hasVersion = text.includes('AWSTemplateFormatVersion');
  if (!hasVersion && !text.includes('Resources')) return false;
  const start = firstNonBlank(text);
  if (start === 0x7b /* { */) {
    if (TERRAFORM_JSON.test(text)) return false;
    if (hasVersion && FLOW_VERSION_KEY.test(text)) return true;
    return FLOW_RESOURCES_KEY.test(text) && (RESOURCE_TYPE.test(text) || text.includes(MACRO_CALL));
  }
  if (start === 0x5b /* [ */ || start === -1) return false;
  if (hasVersion && YAML_VERSION_KEY.test(text)) return true;
  return YAML_RESOURCES_KEY.test(text) && (RESOURCE_TYPE.test(text) || text.includes(MACRO_CALL));
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
