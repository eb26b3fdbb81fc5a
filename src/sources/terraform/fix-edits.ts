// Edits the Terraform fixer makes, collected per file and applied at the end: text splices for
// HCL (`.tf`, `.tfvars`), property sets on jsonc-parser's tree for JSON (`.tf.json`,
// `.tfvars.json`). Collecting first lets every splice use offsets into the original text and
// lets each change report its line in the new text. jsonc-parser finds the positions, but its
// `modify` doesn't write them: with formatting options it reformats neighbouring lines (it
// expanded one-line objects such as `{ "type": "string", "default": "Enabled" }`), without them it
// writes unindented JSON; splicing keeps every other byte as it was.
import { parseTree, type JSONPath, type Node } from 'jsonc-parser';
import type { FixChange, TextEdit } from '../../remediation/iac/fixer';
import { hclString } from './hcl/write';
import { lineFinder } from '../line-finder';

/** What a change is, for the summary; its line is computed once the file's new text is known. */
export interface ChangeNote {
  ruleId: string;
  resourceId: string;
  description: string;
}

/** Where a value to replace is written. */
export type ValueSite =
  | { format: 'hcl'; file: string; line: number; start: number; end: number }
  | { format: 'json'; file: string; line: number; path: JSONPath };

interface Splice {
  start: number;
  end: number;
  text: string;
  /** Each note with the index in `text` where its line starts. */
  notes: { at: number; note: ChangeNote }[];
  order: number;
}

interface JsonSet {
  path: JSONPath;
  value: unknown;
  note?: ChangeNote;
}

export class FileEdits {
  private readonly splices = new Map<string, Splice[]>();
  private readonly jsonSets = new Map<string, JsonSet[]>();
  private readonly done = new Set<string>();
  private order = 0;

  constructor(private readonly readFile: (path: string) => string) {}

  /** Replaces `[start, end)` of the original text. False when that exact edit was already made. */
  splice(file: string, start: number, end: number, text: string, notes: { at: number; note: ChangeNote }[] = []): boolean {
    const key = `hcl\0${file}\0${start}\0${end}\0${text}`;
    if (this.done.has(key)) return false;
    this.done.add(key);
    const list = this.splices.get(file) ?? [];
    list.push({ start, end, text, notes, order: this.order++ });
    this.splices.set(file, list);
    return true;
  }

  /** Sets a JSON value at `path`, creating missing objects on the way. */
  setJson(file: string, path: JSONPath, value: unknown, note?: ChangeNote): boolean {
    const key = `json\0${file}\0${JSON.stringify(path)}\0${JSON.stringify(value)}`;
    if (this.done.has(key)) return false;
    this.done.add(key);
    const list = this.jsonSets.get(file) ?? [];
    list.push({ path, value, note });
    this.jsonSets.set(file, list);
    return true;
  }

  /** Writes a string literal at a site: quoted HCL, or a JSON string. */
  setString(site: ValueSite, value: string, note: ChangeNote): boolean {
    if (site.format === 'json') return this.setJson(site.file, site.path, value, note);
    return this.splice(site.file, site.start, site.end, hclString(value), [{ at: 0, note }]);
  }

  /** The new texts, the splices that made the HCL ones (for the diff), and each change's line. */
  finish(): { files: Map<string, string>; edits: Map<string, TextEdit[]>; changes: FixChange[] } {
    const files = new Map<string, string>();
    const edits = new Map<string, TextEdit[]>();
    const changes: FixChange[] = [];
    for (const [file, list] of this.splices) {
      const { text, notes, applied } = applySplices(this.readFile(file), list);
      files.set(file, text);
      edits.set(file, applied);
      const lineOf = lineFinder(text);
      for (const { offset, note } of notes) changes.push({ file, line: lineOf(offset), ...note });
    }
    for (const [file, list] of this.jsonSets) {
      const { text, applied } = applyJsonSets(this.readFile(file), list);
      files.set(file, text);
      if (applied) edits.set(file, applied);
      const root = parseTree(text);
      const lookup = nodeFinder();
      const lineOf = lineFinder(text);
      for (const set of list) {
        if (!set.note) continue;
        const node = root ? lookup(root, set.path) : undefined;
        const at = node?.parent?.type === 'property' ? node.parent : node;
        changes.push({ file, line: at ? lineOf(at.offset) : 1, ...set.note });
      }
    }
    changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    return { files, edits, changes };
  }
}

function applySplices(original: string, splices: Splice[]): { text: string; notes: { offset: number; note: ChangeNote }[]; applied: TextEdit[] } {
  // Same start: in the order they were made (several insertions at one point).
  const sorted = [...splices].sort((a, b) => a.start - b.start || a.order - b.order);
  const parts: string[] = [];
  let length = 0;
  let cursor = 0;
  const notes: { offset: number; note: ChangeNote }[] = [];
  const applied: TextEdit[] = [];
  for (const s of sorted) {
    // Overlapping edits can't both apply; the first one made wins. Callers never make them.
    if (s.start < cursor) continue;
    const kept = original.slice(cursor, s.start);
    parts.push(kept, s.text);
    length += kept.length;
    for (const { at, note } of s.notes) notes.push({ offset: length + at, note });
    length += s.text.length;
    applied.push({ start: s.start, end: s.end, text: s.text });
    cursor = s.end;
  }
  parts.push(original.slice(cursor));
  return { text: parts.join(''), notes, applied };
}

/** 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  return lineFinder(text)(offset);
}


export function hclStringList(values: readonly string[]): string {
  return `[${values.map(hclString).join(', ')}]`;
}

/**
 * Applies the sets to a JSON file as splices of the text as read, found on one parse and applied
 * in one pass (a parse per set was quadratic: 1,000 resources in one .tf.json took 23 s). Sets
 * under an object the file lacks (a first `variable`) are gathered into that object, written
 * once where the first of them would have put it. Anything else (a key set twice) falls back to
 * applying the sets one after another; `applied` is given only when the splices made the text.
 */
function applyJsonSets(original: string, sets: JsonSet[]): { text: string; applied?: TextEdit[] } {
  const sequential = () => ({ text: sets.reduce((text, set) => setJsonValue(text, set.path, set.value), original) });
  const root = parseTree(original);
  if (!root) return sequential();
  const style = jsonStyle(original);
  const nodeAt = nodeFinder();
  const inserted = new Map<Node, Set<string | number>>();
  const splices: { edit: TextEdit; order: number }[] = [];
  /** Objects to create, by the path of the first missing one: what goes in them, and the first set's place. */
  const created = new Map<string, { path: JSONPath; value: Record<string, unknown>; order: number }>();
  for (const [order, set] of sets.entries()) {
    let depth = set.path.length - 1;
    while (depth > 0 && nodeAt(root, set.path.slice(0, depth)) === undefined) depth--;
    if (depth === set.path.length - 1) {
      const edit = jsonSplice(original, root, style, set.path, set.value, inserted, nodeAt);
      if (!edit) return sequential();
      splices.push({ edit, order });
      continue;
    }
    // set.path[depth] is the first missing object: the value goes into what is created there.
    const rest = set.path.slice(depth + 1);
    if (rest.some((segment) => typeof segment !== 'string') || typeof set.path[depth] !== 'string') return sequential();
    const key = JSON.stringify(set.path.slice(0, depth + 1));
    const entry = created.get(key) ?? { path: set.path.slice(0, depth + 1), value: {}, order };
    created.set(key, entry);
    let into = entry.value;
    for (const segment of rest.slice(0, -1) as string[]) {
      const next = into[segment];
      if (next !== undefined && (typeof next !== 'object' || next === null || Array.isArray(next))) return sequential();
      into = (into[segment] ??= {}) as Record<string, unknown>;
    }
    into[rest[rest.length - 1] as string] = set.value;
  }
  for (const { path, value, order } of created.values()) {
    const edit = jsonSplice(original, root, style, path, value, inserted, nodeAt);
    if (!edit) return sequential();
    splices.push({ edit, order });
  }
  const applied = splices.sort((x, y) => x.order - y.order).map((x) => x.edit);
  try {
    return { text: applyInOrder(original, applied), applied };
  } catch {
    return sequential(); // two sets of one value (never made)
  }
}

/** Splices sorted by offset (those at one offset in the order made), in one pass; throws on overlap. */
function applyInOrder(text: string, splices: TextEdit[]): string {
  const sorted = splices.map((s, order) => ({ s, order })).sort((a, b) => a.s.start - b.s.start || a.order - b.order);
  const parts: string[] = [];
  let at = 0;
  for (const { s } of sorted) {
    if (s.start < at) throw new Error('overlapping JSON edits');
    parts.push(text.slice(at, s.start), s.text);
    at = s.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * Sets a value in JSON text, creating missing objects on the way, and writes it the way the
 * file is written: a new property in a multi-line object goes on its own line with its
 * siblings' indentation, in a one-line object on the same line. jsonc-parser's own formatting
 * would reformat the neighbouring lines too, so only its tree is used here.
 */
export function setJsonValue(text: string, path: JSONPath, value: unknown): string {
  const root = parseTree(text);
  if (!root) throw new Error('not a JSON document');
  const splice = jsonSplice(text, root, jsonStyle(text), path, value, new Map(), nodeFinder(), true)!;
  return text.slice(0, splice.start) + splice.text + text.slice(splice.end);
}

/**
 * The splice setting `path` to `value` in `text` (whose tree is `root`). Undefined when the parent
 * object is missing, unless `create` (then the missing objects are written around the value).
 * `inserted`: the keys already spliced into each object; a key added twice, or a second key for an
 * empty object (it would need the first one's comma), is left to the one-after-another way.
 */
function jsonSplice(
  text: string,
  root: Node,
  style: JsonStyle,
  path: JSONPath,
  value: unknown,
  inserted: Map<Node, Set<string | number>>,
  nodeAt: (from: Node, path: JSONPath) => Node | undefined,
  create = false,
): TextEdit | undefined {
  const parentPath = path.slice(0, -1);
  let last = path[path.length - 1];
  let wrapped = value;
  while (parentPath.length > 0 && nodeAt(root, parentPath) === undefined) {
    if (!create) return undefined;
    wrapped = typeof last === 'string' ? { [last]: wrapped } : [wrapped];
    last = parentPath.pop();
  }
  const parent = parentPath.length === 0 ? root : nodeAt(root, parentPath);
  if (!parent || last === undefined) throw new Error(`can't set ${JSON.stringify(path)}`);
  const children = parent.children ?? [];
  if (parent.type === 'object' && typeof last === 'string') {
    const existing = nodeAt(parent, [last]);
    if (existing) {
      const indent = lineIndent(text, existing.parent?.offset ?? existing.offset);
      return edit(existing.offset, existing.length, renderJson(wrapped, indent, style));
    }
  } else if (parent.type === 'array' && typeof last === 'number') {
    const existing = last >= 0 ? children[last] : undefined;
    if (existing) return edit(existing.offset, existing.length, renderJson(wrapped, lineIndent(text, existing.offset), style));
  } else {
    throw new Error(`can't set ${JSON.stringify(path)}: the parent is a ${parent.type}`);
  }
  const item = parent.type === 'object' ? `${JSON.stringify(last)}: ` : '';
  const previous = children[children.length - 1];
  const added = inserted.get(parent) ?? new Set<string | number>();
  if (added.has(last) || (!previous && added.size > 0)) return undefined;
  added.add(last);
  inserted.set(parent, added);
  const multiline = previous ? /\n/.test(text.slice(parent.offset, children[0]!.offset)) : false;
  if (!multiline) {
    const content = `${item}${renderJson(wrapped, null, style)}`;
    if (previous) return edit(previous.offset + previous.length, 0, `, ${content}`);
    return edit(parent.offset + 1, 0, ` ${content} `);
  }
  const indent = lineIndent(text, previous!.offset);
  return edit(previous!.offset + previous!.length, 0, `,${style.eol}${indent}${item}${renderJson(wrapped, indent, style)}`);
}

/**
 * findNodeAtLocation with each object's keys indexed on first use: it scans an object's
 * properties per lookup, quadratic for thousands of resources under one type.
 */
function nodeFinder(): (from: Node, path: JSONPath) => Node | undefined {
  const keys = new Map<Node, Map<string, Node>>();
  return (from, path) => {
    let node: Node | undefined = from;
    for (const segment of path) {
      if (!node) return undefined;
      if (typeof segment === 'number') {
        node = node.type === 'array' ? node.children?.[segment] : undefined;
        continue;
      }
      if (node.type !== 'object') return undefined;
      let index = keys.get(node);
      if (!index) {
        index = new Map();
        // The first of a key written twice, as findNodeAtLocation finds it.
        for (const property of node.children ?? []) {
          const key = property.children?.[0]?.value;
          if (typeof key === 'string' && !index.has(key) && property.children?.[1]) index.set(key, property.children[1]);
        }
        keys.set(node, index);
      }
      node = index.get(segment);
    }
    return node;
  };
}

interface JsonStyle {
  unit: string;
  eol: string;
}

/** The file's own indentation (tabs, or the smallest run of spaces) and line ending. */
function jsonStyle(text: string): JsonStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let smallest = 0;
  for (const match of text.matchAll(/\n([ \t]+)\S/g)) {
    const indent = match[1]!;
    if (indent.startsWith('\t')) return { unit: '\t', eol };
    if (smallest === 0 || indent.length < smallest) smallest = indent.length;
  }
  return { unit: ' '.repeat(smallest || 2), eol };
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

function edit(offset: number, length: number, content: string): TextEdit {
  return { start: offset, end: offset + length, text: content };
}

/** Scalars and lists of scalars on one line; objects over lines at `indent` (one line when null). */
function renderJson(value: unknown, indent: string | null, style: JsonStyle): string {
  if (Array.isArray(value)) return `[${value.map((v) => renderJson(v, null, style)).join(', ')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  if (indent === null) return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${renderJson(v, null, style)}`).join(', ')} }`;
  const inner = indent + style.unit;
  return `{${style.eol}${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${renderJson(v, inner, style)}`).join(`,${style.eol}`)}${style.eol}${indent}}`;
}
