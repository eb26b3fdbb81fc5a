import { isMapping, setOwn, type Mapping } from './objects';
import type { KeyPath } from './parse';
import type { TemplateResolver } from './resolve';

/**
 * The resources of a template's Resources section, with `Fn::ForEach::Name` loops (the
 * AWS::LanguageExtensions transform) expanded as CloudFormation would.
 */

export interface TemplateResourceEntry {
  logicalId: string;
  definition: unknown;
  /** Path of the written definition (for a looped resource, the one in the loop's template). */
  path: KeyPath;
}

export interface ExpansionProblem {
  message: string;
  /** Path of the key the problem is about. */
  path: KeyPath;
}

const FOR_EACH_PREFIX = 'Fn::ForEach::';
/** Resources a file may generate through loops, and template nodes copied doing so: more is refused as abuse. */
const MAX_GENERATED = 10_000;
const MAX_COPIED_NODES = 2_000_000;

export function listResources(
  resources: Mapping,
  resolver: TemplateResolver,
  onProblem: (problem: ExpansionProblem) => void,
): TemplateResourceEntry[] {
  const out: TemplateResourceEntry[] = [];
  let limitReported = false;
  let copied = 0;
  collect(resources, resources, ['Resources'], 0);
  return out;

  /** `section` as substituted by enclosing loops; `written` as in the text, for positions. */
  function collect(section: Mapping, written: Mapping, sectionPath: KeyPath, depth: number): void {
    const writtenKeys = Object.keys(written);
    Object.keys(section).forEach((key, index) => {
      const writtenKey = writtenKeys[index] ?? key;
      const path = [...sectionPath, writtenKey];
      if (key === 'Fn::Transform') return; // a macro's call, not a resource (see macros.ts)
      if (!key.startsWith(FOR_EACH_PREFIX)) {
        out.push({ logicalId: key, definition: section[key], path });
        return;
      }
      const loop = section[key];
      if (!Array.isArray(loop) || loop.length !== 3 || typeof loop[0] !== 'string' || !isMapping(loop[2])) {
        onProblem({ message: `${key} needs [Identifier, Collection, { OutputKey: resource }]`, path });
        return;
      }
      if (depth >= 5) {
        onProblem({ message: `${key} nests loops too deeply`, path });
        return;
      }
      const [identifier, collection, outputs] = loop as [string, unknown, Mapping];
      const writtenLoop = written[writtenKey];
      const writtenOutputs = Array.isArray(writtenLoop) && isMapping(writtenLoop[2]) ? writtenLoop[2] : outputs;
      const items = resolver.resolveProperty(collection);
      if (items.kind !== 'value' || !Array.isArray(items.value) || !items.value.every(isLoopItem)) {
        const why = items.kind === 'unknown' ? `: ${items.reason}` : '';
        onProblem({ message: `${key}: its collection can't be resolved offline${why}, so the resources it makes are not checked`, path });
        return;
      }
      for (const item of items.value as (string | number)[]) {
        if (out.length >= MAX_GENERATED) {
          if (!limitReported) onProblem({ message: `${key} makes more than ${MAX_GENERATED} resources; the rest are not checked`, path });
          limitReported = true;
          return;
        }
        const budget = { nodes: MAX_COPIED_NODES - copied };
        const substituted = substitute(outputs, identifier, String(item), 0, budget);
        copied = MAX_COPIED_NODES - budget.nodes;
        if (budget.nodes < 0) {
          if (!limitReported) onProblem({ message: `${key} makes too large a template to expand; the rest is not checked`, path });
          limitReported = true;
          return;
        }
        if (isMapping(substituted)) collect(substituted, writtenOutputs, [...path, 2], depth + 1);
      }
    });
  }
}

function isLoopItem(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number';
}

/** Copies `node` with `${id}` and `&{id}` (alphanumerics only) replaced, and `Ref: id` made the item. */
function substitute(node: unknown, identifier: string, item: string, depth: number, budget: { nodes: number }): unknown {
  if (--budget.nodes < 0 || depth > 100) return null;
  if (typeof node === 'string') {
    return node.split('${' + identifier + '}').join(item).split('&{' + identifier + '}').join(item.replace(/[^A-Za-z0-9]/g, ''));
  }
  if (Array.isArray(node)) return node.map((element) => substitute(element, identifier, item, depth + 1, budget));
  if (!isMapping(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'Ref' && node['Ref'] === identifier) return item;
  const out: Mapping = {};
  for (const key of keys) {
    setOwn(out, substitute(key, identifier, item, depth + 1, budget) as string, substitute(node[key], identifier, item, depth + 1, budget));
  }
  return out;
}

/**
 * A `Fn::ForEach::Name` key of a mapping other than Resources (a resource's Properties, a value in
 * them), quoted and shortened for a message, or undefined. The loop's generated keys are not
 * expanded there: what it makes, and how CloudFormation settles a key it makes that is also written
 * beside it (undocumented), is unknown.
 */
export function loopIn(mapping: Mapping): string | undefined {
  for (const key of Object.keys(mapping)) {
    if (key.startsWith(FOR_EACH_PREFIX)) return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
  }
  return undefined;
}

/**
 * The loop (quoted, as `loopIn`) among a resource's Properties that may generate the property `key`,
 * or undefined: a loop can't when its collection resolves offline and no item makes one of its
 * output keys `key`. A loop that can is unknown: what CloudFormation does when it generates a key
 * also written beside it is not documented.
 */
export function loopGenerating(properties: Mapping, key: string, resolver: TemplateResolver): string | undefined {
  for (const name of Object.keys(properties)) {
    if (!name.startsWith(FOR_EACH_PREFIX)) continue;
    const quoted = loopIn({ [name]: null });
    const loop = properties[name];
    if (!Array.isArray(loop) || loop.length !== 3 || typeof loop[0] !== 'string' || !isMapping(loop[2])) return quoted;
    const outputKeys = Object.keys(loop[2]);
    if (outputKeys.some((k) => k.startsWith(FOR_EACH_PREFIX))) return quoted; // nested loops: not followed
    const items = resolver.resolveProperty(loop[1]);
    if (items.kind !== 'value' || !Array.isArray(items.value) || !items.value.every(isLoopItem)) return quoted;
    const identifier = loop[0];
    for (const item of items.value as (string | number)[]) {
      const budget = { nodes: outputKeys.length + 1 };
      if (outputKeys.some((k) => substitute(k, identifier, String(item), 0, budget) === key)) return quoted;
    }
  }
  return undefined;
}
