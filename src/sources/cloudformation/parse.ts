import yaml from 'js-yaml';
import { CLOUDFORMATION_SCHEMA } from './yaml-schema';
import { hasOwn } from './objects';

/** 1-based position of a mapping key in the template text. */
export interface KeyPosition {
  line: number;
  column: number;
}

/** A path from the template root to a mapping key: mapping keys and sequence indexes. */
export type KeyPath = readonly (string | number)[];

export interface ParsedTemplate {
  format: 'json' | 'yaml';
  root: unknown;
  /** Where the last key of `path` is written; undefined when it can't be told (e.g. from a YAML alias). */
  keyPosition(path: KeyPath): KeyPosition | undefined;
}

export type ParseOutcome = { ok: true; template: ParsedTemplate } | { ok: false; message: string; line?: number };

export interface ParseOptions {
  /**
   * Record key positions while parsing YAML (about 20% slower). Without it a position request
   * parses the text a second time; ask for it when positions will surely be needed.
   */
  eagerPositions?: boolean;
}

/** Deeper YAML is refused by js-yaml (no stack overflow); CloudFormation templates nest far less. */
export const MAX_YAML_DEPTH = 100;
/** Nodes a YAML document may have once its aliases are expanded: more is an alias bomb. */
export const MAX_EXPANDED_NODES = 1_000_000;
/** Mapping keys deeper than this get no recorded position (nothing reported lies that deep). */
const MAX_POSITION_DEPTH = 24;

/** Key positions of a mapping: [key, line, column, key, line, column, ...] in text order. */
type KeyTable = Map<object, (string | number)[]>;

export function parseTemplate(text: string, options: ParseOptions = {}): ParseOutcome {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let jsonProblem: string | undefined;
  if (firstNonBlank(text) === 0x7b /* { */) {
    // CloudFormation JSON is strict JSON; anything else that starts with `{` may still be YAML flow.
    try {
      return { ok: true, template: jsonTemplate(text, JSON.parse(text)) };
    } catch (e) {
      jsonProblem = e instanceof Error ? e.message : String(e);
    }
  }
  const outcome = parseYaml(text, options.eagerPositions === true);
  if (outcome.ok || jsonProblem === undefined || !outcome.message.startsWith('YAML syntax error')) return outcome;
  // Neither JSON nor YAML. With a quoted first key it was meant as JSON: say what JSON.parse found.
  if (!/^\s*\{\s*["}]/.test(text)) return outcome;
  const position = /at position (\d+)/.exec(jsonProblem);
  const line = position ? lineCount(text.slice(0, Number(position[1]) + 1)) : outcome.line;
  const message = `JSON syntax error: ${jsonProblem}`;
  return line === undefined ? { ok: false, message } : { ok: false, message, line };
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// YAML

function parseYaml(text: string, eagerPositions: boolean): ParseOutcome {
  let root: unknown;
  let table: KeyTable | undefined;
  try {
    if (eagerPositions) {
      const recorder = new KeyPositionRecorder();
      root = loadYaml(text, recorder);
      table = recorder.table;
    } else {
      root = loadYaml(text, undefined);
    }
  } catch (e) {
    return yamlError(e, text);
  }
  if (mayUseAliases(text)) {
    const size = expandedSize(root, MAX_EXPANDED_NODES);
    if (size > MAX_EXPANDED_NODES) {
      return {
        ok: false,
        message: `YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes (an alias bomb?); the file is not read`,
      };
    }
  }
  let reparsedRoot: unknown;
  const index: KeyIndex = new Map();
  const keyTable = (): KeyTable => {
    if (!table) {
      // Positions wanted after a fast parse: parse again, recording them. Same text, same shape.
      const recorder = new KeyPositionRecorder();
      try {
        reparsedRoot = loadYaml(text, recorder);
      } catch {
        reparsedRoot = undefined;
      }
      table = recorder.table;
    }
    return table;
  };
  return {
    ok: true,
    template: {
      format: 'yaml',
      root,
      keyPosition(path) {
        const t = keyTable();
        return lookUpKey(t, index, reparsedRoot === undefined ? root : reparsedRoot, path);
      },
    },
  };
}

function loadYaml(text: string, recorder: KeyPositionRecorder | undefined): unknown {
  // maxDepth is an option of this js-yaml release that its type declarations don't list yet.
  const options: yaml.LoadOptions & { maxDepth: number } = { schema: CLOUDFORMATION_SCHEMA, maxDepth: MAX_YAML_DEPTH };
  if (recorder) options.listener = recorder.listener;
  return yaml.load(text, options);
}

function yamlError(e: unknown, text: string): ParseOutcome {
  if (e instanceof yaml.YAMLException) {
    const mark = (e as yaml.YAMLException & { mark?: { line?: number } }).mark;
    // js-yaml ends the text with a line break of its own: an error at the very end is on the last line.
    const line = typeof mark?.line === 'number' ? Math.min(mark.line + 1, lineCount(text)) : undefined;
    const reason = e.reason || 'invalid YAML';
    const message = reason.startsWith('nesting exceeded maxDepth')
      ? `YAML nesting is deeper than ${MAX_YAML_DEPTH} levels`
      : `YAML syntax error: ${reason}`;
    return line === undefined ? { ok: false, message } : { ok: false, message, line };
  }
  if (e instanceof RangeError) return { ok: false, message: `the template is too deeply nested to read (${e.message})` };
  return { ok: false, message: `the template can't be read: ${e instanceof Error ? e.message : String(e)}` };
}

function lineCount(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** An alias is `*name` after a blank or a flow indicator; only then can expansion blow up. */
function mayUseAliases(text: string): boolean {
  return text.includes('&') && /[\s[{,]\*[^\s,[\]{}]/.test(text);
}

/**
 * Size of a value with every shared (aliased) node counted at each use, stopping once over
 * `limit`. Memoised by identity, so it costs one visit per distinct node however it is shared.
 */
export function expandedSize(root: unknown, limit: number): number {
  const sizes = new Map<object, number>();
  const inProgress = new Set<object>();
  // Post-order walk with an explicit stack: no recursion, whatever the depth.
  const stack: { node: object; children: unknown[]; next: number; total: number }[] = [];
  const childrenOf = (node: object): unknown[] => (Array.isArray(node) ? node : Object.values(node));
  if (root === null || typeof root !== 'object') return 1;
  stack.push({ node: root, children: childrenOf(root), next: 0, total: 1 });
  inProgress.add(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      if (child === null || typeof child !== 'object') {
        frame.total += 1;
      } else {
        const known = sizes.get(child);
        if (known !== undefined) frame.total += known;
        else if (inProgress.has(child)) return limit + 1; // a cycle expands without end
        else {
          inProgress.add(child);
          stack.push({ node: child, children: childrenOf(child), next: 0, total: 1 });
        }
      }
      if (frame.total > limit) return limit + 1;
      continue;
    }
    stack.pop();
    inProgress.delete(frame.node);
    sizes.set(frame.node, frame.total);
    const parent = stack[stack.length - 1];
    if (!parent) return frame.total;
    parent.total += frame.total;
    if (parent.total > limit) return limit + 1;
  }
  return 1;
}

/**
 * Records, through js-yaml's parse events, where each mapping key is written. js-yaml opens a
 * node for every key and value; a scalar node followed by `:` is a key, and it belongs to the
 * mapping built by the node one level up, which closes with that mapping as its result.
 */
class KeyPositionRecorder {
  readonly table: KeyTable = new Map();
  private readonly openLine: number[] = [];
  private readonly openColumn: number[] = [];
  /** Keys seen so far for the node open at each depth. */
  private readonly pending: ((string | number)[] | undefined)[] = [];

  /** Nodes open (every open event is matched by a close event). */
  private depth = 0;

  readonly listener = (event: yaml.EventType, state: yaml.State): void => {
    const depth = event === 'open' ? ++this.depth : this.depth--;
    if (depth > MAX_POSITION_DEPTH) return;
    if (event === 'open') {
      this.openLine[depth] = state.line;
      this.openColumn[depth] = state.position - (state as yaml.State & { lineStart: number }).lineStart;
      this.pending[depth] = undefined;
      return;
    }
    const result: unknown = state.result;
    if (result !== null && typeof result === 'object') {
      const keys = this.pending[depth];
      // An alias closes with a shared mapping and no keys of its own: keep the anchor's table.
      if (keys !== undefined) {
        if (!Array.isArray(result)) this.table.set(result, keys);
        this.pending[depth] = undefined;
      }
      return;
    }
    const input = state.input;
    let i = state.position;
    let c = input.charCodeAt(i);
    while (c === 0x20 || c === 0x09) c = input.charCodeAt(++i);
    if (c !== 0x3a /* : */ || depth === 0) return;
    let keys = this.pending[depth - 1];
    if (keys === undefined) keys = this.pending[depth - 1] = [];
    keys.push(String(result), (this.openLine[depth] ?? 0) + 1, (this.openColumn[depth] ?? 0) + 1);
  };
}

/** Per container: key -> position, built on first lookup from the recorded entries. */
type KeyIndex = Map<object, Map<string, KeyPosition>>;

function lookUpKey(table: KeyTable, index: KeyIndex, root: unknown, path: KeyPath): KeyPosition | undefined {
  if (path.length === 0) return undefined;
  let container: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i]!;
    if (container === null || typeof container !== 'object') return undefined;
    if (Array.isArray(container)) {
      if (typeof step !== 'number') return undefined;
      container = container[step];
    } else {
      const key = String(step);
      if (!hasOwn(container, key)) return undefined;
      container = (container as Record<string, unknown>)[key];
    }
  }
  if (container === null || typeof container !== 'object') return undefined;
  let positions = index.get(container);
  if (!positions) {
    const entries = table.get(container);
    if (!entries) return undefined;
    positions = new Map();
    // Later entries win, as later duplicates do in the parsed value.
    for (let i = 0; i + 2 < entries.length; i += 3) {
      positions.set(String(entries[i]), { line: entries[i + 1] as number, column: entries[i + 2] as number });
    }
    index.set(container, positions);
  }
  // A key brought in by a YAML merge (`<<: *base`) is located at the merge.
  return positions.get(String(path[path.length - 1])) ?? positions.get('<<');
}

// ---------------------------------------------------------------------------------------------
// JSON

function jsonTemplate(text: string, root: unknown): ParsedTemplate {
  let table: KeyTable | undefined;
  const index: KeyIndex = new Map();
  return {
    format: 'json',
    root,
    keyPosition(path) {
      table ??= indexJsonKeys(text, root);
      return lookUpKey(table, index, root, path);
    },
  };
}

interface JsonFrame {
  /** The parsed container this text range is, when known and shallow enough to index. */
  value: object | undefined;
  isArray: boolean;
  index: number;
  keys: (string | number)[] | undefined;
  /** Key just read in an object, waiting for its value. */
  key: string | undefined;
}

/**
 * Finds where each key is written in JSON text already accepted by JSON.parse, walking the text
 * and the parsed value in step (so a key maps to the container JSON.parse built). Iterative:
 * any depth is fine.
 */
function indexJsonKeys(text: string, root: unknown): KeyTable {
  const table: KeyTable = new Map();
  const stack: JsonFrame[] = [];
  let line = 1;
  let lineStart = 0;
  let pendingValue: unknown = root; // the parsed value the next token in the text stands for
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x2c /* , */ || c === 0x3a /* : */) {
      i++;
      continue;
    }
    const frame = stack[stack.length - 1];
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const value =
        pendingValue !== null && typeof pendingValue === 'object' && stack.length < MAX_POSITION_DEPTH ? pendingValue : undefined;
      const isArray = c === 0x5b;
      const keys = value && !isArray ? [] : undefined;
      if (value && keys) table.set(value, keys);
      stack.push({ value, isArray, index: 0, keys, key: undefined });
      pendingValue = isArray ? childOf(value, 0) : undefined;
      i++;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      afterValue(stack[stack.length - 1]);
      i++;
      continue;
    }
    if (c === 0x22 /* " */) {
      const end = endOfJsonString(text, i);
      if (frame && !frame.isArray && frame.key === undefined) {
        // A key: record it, and point at the value it names.
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        frame.key = key;
        frame.keys?.push(key, line, i - lineStart + 1);
        pendingValue = frame.value && hasOwn(frame.value, key) ? (frame.value as Record<string, unknown>)[key] : undefined;
      } else {
        afterValue(frame);
      }
      i = end + 1;
      continue;
    }
    // number, true, false, null
    while (i < length) {
      const d = text.charCodeAt(i);
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
      i++;
    }
    afterValue(frame);
  }
  return table;

  function afterValue(frame: JsonFrame | undefined): void {
    if (!frame) return;
    if (frame.isArray) {
      frame.index++;
      pendingValue = childOf(frame.value, frame.index);
    } else {
      frame.key = undefined;
      pendingValue = undefined;
    }
  }
}

function childOf(container: object | undefined, index: number): unknown {
  return Array.isArray(container) ? container[index] : undefined;
}

/** Index of the closing quote of the JSON string opening at `start`. */
function endOfJsonString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; j > start && text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}
