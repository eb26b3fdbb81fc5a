import { cloudFormationNestedName, type ResourceTypeInfo } from '../../model/resource-types';
import { templateString } from './convert';
import { ReferenceValue, UnknownValue, isObjectValue, newObject, setKey, sortedKeys, type ObjectValue, type Value } from './values';

/**
 * A Terraform value of a top-level property in CloudFormation's shape, so rules read every source
 * alike: a single nested block (a list of one in plans and HCL) is an object, a repeated one a
 * list; nested names are CloudFormation's; null (not set) is left out; `tags` (a map) is a
 * `[{ Key, Value }]` list in Terraform's key order. Unknown and reference parts stay as they are.
 * Undefined when nothing is left (an empty single block list is no block).
 */
export function cloudFormationShape(info: ResourceTypeInfo, property: string, terraformName: string, value: Value): Value | undefined {
  // The awscc provider's tags are a list of { key, value } already.
  if (property === 'Tags' && isObjectValue(value)) return tagList(value);
  return shaped(info, value, terraformName);
}

function shaped(info: ResourceTypeInfo, value: Value, terraformName: string | undefined): Value | undefined {
  if (value === null) return undefined;
  if (typeof value !== 'object' || value instanceof UnknownValue || value instanceof ReferenceValue) return value;
  const blocks = info.terraformBlocks;
  if (terraformName !== undefined && blocks?.single.includes(terraformName)) {
    // A single block: the first (Terraform refuses more than one), none when the list is empty.
    const block = Array.isArray(value) ? value[0] : value;
    return block === undefined ? undefined : shaped(info, block, undefined);
  }
  if (Array.isArray(value)) return value.map((item) => shaped(info, item, undefined) ?? null);
  // A repeated block written as one object (Terraform JSON allows it) is a list of one.
  if (terraformName !== undefined && blocks?.repeated.includes(terraformName)) return [objectShape(info, value)];
  return objectShape(info, value);
}

function objectShape(info: ResourceTypeInfo, value: ObjectValue): Value {
  const out = newObject();
  for (const key of Object.keys(value)) {
    const inner = shaped(info, value[key] as Value, key);
    if (inner !== undefined) setKey(out, cloudFormationNestedName(info, key), inner);
  }
  return out;
}

/** `{ team = "ml" }` -> `[{ Key: 'team', Value: 'ml' }]`; a number or bool value is its string, as the provider's map(string) makes it. */
function tagList(tags: ObjectValue): Value {
  return sortedKeys(tags).map((Key) => {
    const v = tags[Key] as Value;
    let text: Value = v;
    if (typeof v === 'number' || typeof v === 'boolean') text = templateString(v);
    return newObject([
      ['Key', Key],
      ['Value', text],
    ]);
  });
}
