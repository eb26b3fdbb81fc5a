import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type ScalarTag, type CollectionTag } from 'yaml';

/**
 * A template as written, for editing it in place: every mapping, sequence and scalar with its
 * character range in the text, the same shape whether the file is JSON or YAML. A YAML short
 * form (`!Ref X`) reads as the one-key mapping it stands for (`{ Ref: X }`), so the fixer's
 * logic sees one shape; only the writer cares how a node is spelled.
 */

export interface MapTree {
  kind: 'map';
  /** Offset where the value starts (a YAML short form: its tag) and where it ends. */
  start: number;
  end: number;
  entries: TreeEntry[];
  /** Written `{ ... }` (JSON, YAML flow) rather than as an indented YAML block. */
  flow: boolean;
  /** The YAML short-form tag (`Ref`, `If`...) this one-entry mapping was written as. */
  shortForm?: string;
}

export interface TreeEntry {
  key: string;
  keyStart: number;
  value: TreeNode;
}

export interface SeqTree {
  kind: 'seq';
  start: number;
  end: number;
  items: TreeNode[];
  flow: boolean;
}

export type ScalarStyle = 'plain' | 'single' | 'double' | 'block' | 'json';

export interface ScalarTree {
  kind: 'scalar';
  start: number;
  end: number;
  /** null for an empty YAML value (`Key:`) or an explicit null. */
  value: string | number | boolean | null;
  style: ScalarStyle;
}

/** A YAML alias (`*name`): its value is written elsewhere, so the fixer does not edit through it. */
export interface AliasTree {
  kind: 'alias';
  start: number;
  end: number;
}

export type TreeNode = MapTree | SeqTree | ScalarTree | AliasTree;

export interface TemplateTree {
  format: 'json' | 'yaml';
  root: TreeNode;
}

export type TreeOutcome = { ok: true; tree: TemplateTree } | { ok: false; message: string; line?: number };

/** Deeper nesting is refused (CloudFormation's own limits are far lower); the walk stays off the stack limit. */
export const MAX_TREE_DEPTH = 150;

/** The CloudFormation short-form tags (see yaml-schema.ts); `!Ref` and `!Condition` have no `Fn::` prefix. */
const SHORT_FORMS = [
  'Ref', 'Condition', 'GetAtt', 'Sub', 'Join', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Select',
  'Split', 'ImportValue', 'GetAZs', 'Base64', 'Cidr', 'Transform', 'Length', 'ToJsonString',
];

export function longFormKey(shortForm: string): string {
  return shortForm === 'Ref' || shortForm === 'Condition' ? shortForm : `Fn::${shortForm}`;
}

// Tags the `yaml` package accepts without warnings; the tree reads the tag name itself.
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = SHORT_FORMS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => value } as ScalarTag,
  { tag: `!${name}`, collection: 'seq', resolve: (value: unknown) => value } as unknown as CollectionTag,
  { tag: `!${name}`, collection: 'map', resolve: (value: unknown) => value } as unknown as CollectionTag,
]);

class TreeTooDeep extends Error {}

/** Reads the template like the scanner does: strict JSON when it parses as JSON, YAML otherwise. */
export function readTemplateTree(text: string): TreeOutcome {
  try {
    if (/^\uFEFF?\s*\{/.test(text)) {
      let json = true;
      try {
        JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch {
        json = false; // YAML flow, or broken: the YAML reader says which
      }
      if (json) return readJson(text);
    }
    return readYaml(text);
  } catch (e) {
    if (e instanceof TreeTooDeep || e instanceof RangeError) {
      return { ok: false, message: `the template nests deeper than ${MAX_TREE_DEPTH} levels` };
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// YAML

function readYaml(text: string): TreeOutcome {
  // Duplicate keys are found below with a set: the package's own check (uniqueKeys) compares each
  // key with every earlier one, quadratic in a Resources of thousands of entries.
  const doc = parseDocument(text, { customTags: CUSTOM_TAGS, uniqueKeys: false, keepSourceTokens: false });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    const message = `YAML syntax error: ${problem.message.split('\n')[0]}`;
    return line === undefined ? { ok: false, message } : { ok: false, message, line };
  }
  if (doc.contents === null) return { ok: false, message: 'the template is empty' };
  try {
    return { ok: true, tree: { format: 'yaml', root: yamlNode(text, doc.contents as YamlNode, 0) } };
  } catch (e) {
    if (!(e instanceof DuplicateKey)) throw e;
    return { ok: false, message: 'YAML syntax error: Map keys must be unique', line: lineOf(text, e.offset) };
  }
}

class DuplicateKey extends Error {
  constructor(readonly offset: number) {
    super('duplicate key');
  }
}

function yamlNode(text: string, node: YamlNode, depth: number): TreeNode {
  if (depth > MAX_TREE_DEPTH) throw new TreeTooDeep();
  const [start, end] = node.range ?? [0, 0];
  let tree: TreeNode;
  if (isAlias(node)) return { kind: 'alias', start, end };
  if (isMap(node)) {
    const entries: TreeEntry[] = [];
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      const keyStart = key?.range?.[0] ?? start;
      if (key && isScalar(key)) {
        if (seen.has(key.value)) throw new DuplicateKey(keyStart);
        seen.add(key.value);
      }
      // Only scalar keys name properties; any other key can't be a CloudFormation name.
      const name = key && isScalar(key) ? String(key.value) : '\u0000complex key';
      const value = pair.value as YamlNode | null;
      const valueTree: TreeNode = value
        ? yamlNode(text, value, depth + 1)
        : { kind: 'scalar', start: key?.range?.[1] ?? keyStart, end: key?.range?.[1] ?? keyStart, value: null, style: 'plain' };
      entries.push({ key: name, keyStart, value: valueTree });
    }
    tree = { kind: 'map', start, end, entries, flow: node.flow === true };
  } else if (isSeq(node)) {
    const items = node.items.map((item) => yamlNode(text, item as YamlNode, depth + 1));
    tree = { kind: 'seq', start, end, items, flow: node.flow === true };
  } else if (isScalar(node)) {
    const value = node.value;
    const style: ScalarStyle =
      node.type === 'QUOTE_SINGLE' ? 'single' : node.type === 'QUOTE_DOUBLE' ? 'double' : node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? 'block' : 'plain';
    const literal = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : value === null || value === undefined ? null : String(value);
    tree = { kind: 'scalar', start, end, value: literal, style };
  } else {
    tree = { kind: 'scalar', start, end, value: null, style: 'plain' };
  }
  const tag = node.tag?.startsWith('!') && !node.tag.startsWith('!!') ? node.tag.slice(1) : undefined;
  if (tag === undefined || !SHORT_FORMS.includes(tag)) return tree;
  // The node's range starts after its tag; the short form starts at the tag.
  const tagStart = text.lastIndexOf(`!${tag}`, start);
  const formStart = tagStart >= 0 ? tagStart : start;
  return { kind: 'map', start: formStart, end, flow: true, shortForm: tag, entries: [{ key: longFormKey(tag), keyStart: formStart, value: tree }] };
}

// ---------------------------------------------------------------------------------------------
// JSON

function readJson(text: string): TreeOutcome {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const problem = errors[0];
  if (problem || !root) {
    const message = problem ? `JSON syntax error: ${printParseErrorCode(problem.error)}` : 'the template is empty';
    return problem ? { ok: false, message, line: lineOf(text, problem.offset) } : { ok: false, message };
  }
  return { ok: true, tree: { format: 'json', root: jsonNode(root, 0) } };
}

function jsonNode(node: JsonNode, depth: number): TreeNode {
  if (depth > MAX_TREE_DEPTH) throw new TreeTooDeep();
  const start = node.offset;
  const end = node.offset + node.length;
  switch (node.type) {
    case 'object': {
      const entries: TreeEntry[] = [];
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (!key || !value) continue;
        entries.push({ key: String(key.value), keyStart: key.offset, value: jsonNode(value, depth + 1) });
      }
      return { kind: 'map', start, end, entries, flow: true };
    }
    case 'array':
      return { kind: 'seq', start, end, items: (node.children ?? []).map((child) => jsonNode(child, depth + 1)), flow: true };
    default:
      return { kind: 'scalar', start, end, value: (node.value as string | number | boolean | null) ?? null, style: 'json' };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading helpers

/** Large mappings (Resources with thousands of entries) indexed once: a scan per lookup was quadratic. */
const INDEXED = new WeakMap<MapTree, Map<string, TreeEntry>>();
const INDEX_FROM = 32;

/** The value of `key` in a mapping; the last one when the key is written twice (as parsers keep it). */
export function entryOf(map: MapTree, key: string): TreeEntry | undefined {
  if (map.entries.length >= INDEX_FROM) {
    let index = INDEXED.get(map);
    if (!index) {
      index = new Map(map.entries.map((e) => [e.key, e])); // later entries overwrite: the last wins
      INDEXED.set(map, index);
    }
    return index.get(key);
  }
  for (let i = map.entries.length - 1; i >= 0; i--) if (map.entries[i]!.key === key) return map.entries[i];
  return undefined;
}

/** A plain mapping: not a short form, not a one-key intrinsic function. */
export function isPlainMap(node: TreeNode | undefined): node is MapTree {
  return node?.kind === 'map' && intrinsicOf(node) === undefined;
}

/** `Ref` / `Fn::X` when the node is an intrinsic function call (long or short form). */
export function intrinsicOf(node: TreeNode | undefined): { name: string; argument: TreeNode } | undefined {
  if (node?.kind !== 'map' || node.entries.length !== 1) return undefined;
  const entry = node.entries[0]!;
  if (entry.key === 'Ref' || entry.key === 'Condition' || entry.key.startsWith('Fn::')) return { name: entry.key, argument: entry.value };
  return undefined;
}

export function stringValue(node: TreeNode | undefined): string | undefined {
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Every node of a subtree, parents first. Iterative: the tree's depth is bounded but may be large. */
export function* walkTree(root: TreeNode): Generator<TreeNode> {
  const stack: TreeNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    if (node.kind === 'map') for (let i = node.entries.length - 1; i >= 0; i--) stack.push(node.entries[i]!.value);
    else if (node.kind === 'seq') for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]!);
  }
}
