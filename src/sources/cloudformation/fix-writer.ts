import type { MapTree, ScalarTree, SeqTree, TreeEntry } from './fix-tree';
import { lineFinder } from '../line-finder';

/**
 * Writes values into a template's text without rewriting the rest: each change is a splice at
 * a node's range, rendered in the style of the file (JSON or YAML, its indentation, its line
 * ends, block or flow lists), so every other byte stays as it was. The `yaml` package and
 * jsonc-parser give the ranges; neither writes the change: re-stringifying a `yaml` document
 * reflows comments and quoting elsewhere, and jsonc-parser's `modify` reformats neighbouring lines.
 */

/** A value to write: literal text, a list of texts, a `Ref` to a parameter, or a new mapping. */
export type NewValue =
  | { kind: 'text'; value: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'ref'; name: string }
  | NewMap;

export interface NewMap {
  kind: 'map';
  entries: NewEntry[];
}

export interface NewEntry {
  key: string;
  value: NewValue;
  /** Changes whose line is this entry's key line. */
  marks: unknown[];
}

export interface TextStyle {
  format: 'json' | 'yaml';
  eol: string;
  /** One level of indentation. */
  unit: string;
  /** YAML: write lists as `[a, b]` (else as `- a` lines); JSON: write lists and Refs on one line. */
  flowLists: boolean;
  /** YAML block lists: `- ` one level under its key (else at the key's column). */
  indentedDashes: boolean;
  /** JSON: `{ "Ref": "X" }` on one line (else one key a line, as the file writes objects). */
  inlineRefs: boolean;
}

export function detectStyle(text: string, format: 'json' | 'yaml'): TextStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  let unit = '';
  for (const line of lines) {
    const indent = /^[ \t]+(?=[^ \t#\r\n])/.exec(line)?.[0];
    if (indent && (unit === '' || indent.length < unit.length)) unit = indent;
  }
  if (unit === '') unit = '  ';
  if (format === 'json') {
    const inlineArrays = /\[[ \t]*["\]]/.test(text) || !/\[[ \t]*\r?\n/.test(text);
    const inlineRefs = /\{[ \t]*"Ref"/.test(text) || !/\{[ \t]*\r?\n[ \t]*"Ref"/.test(text) && inlineArrays;
    return { format, eol, unit, flowLists: inlineArrays, indentedDashes: true, inlineRefs };
  }
  const flowLists = /:[ \t]+\[/.test(text) || !/^[ \t]*- /m.test(text);
  let indentedDashes = true;
  for (let i = 0; i + 1 < lines.length; i++) {
    const key = /^([ \t]*)[^\s#-][^:#]*:[ \t]*$/.exec(lines[i]!);
    const dash = key && /^([ \t]*)- /.exec(lines[i + 1]!);
    if (key && dash) {
      indentedDashes = dash[1]!.length > key[1]!.length;
      break;
    }
  }
  return { format, eol, unit: unit.includes('\t') && format === 'yaml' ? '  ' : unit, flowLists, indentedDashes, inlineRefs: true };
}

/** Text written in pieces, remembering where each change's mark falls. */
class Out {
  text = '';
  readonly marks: { offset: number; mark: unknown }[] = [];
  add(piece: string): this {
    this.text += piece;
    return this;
  }
  mark(marks: unknown[]): this {
    for (const mark of marks) this.marks.push({ offset: this.text.length, mark });
    return this;
  }
}

// --- Scalars ------------------------------------------------------------------------------

const YAML_SPECIAL_PLAIN = /^(?:~|null|true|false|yes|no|on|off|y|n|[-+]?(?:\.?[0-9][0-9_.:eE+-]*|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan))$/i;

/** A YAML scalar that reads back as this very string, in block and flow context alike. */
export function yamlText(value: string): string {
  // `:` is plain text unless a blank follows it (or it ends the value): `AWS::EC2::Subnet::Id`.
  if (/^[A-Za-z0-9_/][A-Za-z0-9_./:<>-]*$/.test(value) && !value.endsWith(':') && !YAML_SPECIAL_PLAIN.test(value)) return value;
  return JSON.stringify(value);
}

/** Like yamlText, for prose in block context (descriptions): spaces and commas stay unquoted. */
function yamlProse(value: string, flow: boolean): string {
  const safe = flow ? /^[A-Za-z0-9][A-Za-z0-9 ._/()-]*[A-Za-z0-9.)]$/ : /^[A-Za-z0-9][A-Za-z0-9 ._/(),'-]*[A-Za-z0-9.)]$/;
  return safe.test(value) && !YAML_SPECIAL_PLAIN.test(value) ? value : JSON.stringify(value);
}

/** The new spelling of a scalar, in the quoting the old one used where that is sensible. */
export function replacementScalar(node: ScalarTree, value: string, style: TextStyle): string {
  if (style.format === 'json' || node.style === 'json') return JSON.stringify(value);
  if (node.style === 'single') return `'${value.replace(/'/g, "''")}'`;
  if (node.style === 'double') return JSON.stringify(value);
  return yamlText(value);
}

// --- Rendering new values -----------------------------------------------------------------

function renderYamlFlow(value: NewValue, out: Out): void {
  switch (value.kind) {
    case 'text':
      out.add(yamlText(value.value));
      return;
    case 'list':
      out.add(`[${value.items.map(yamlText).join(', ')}]`);
      return;
    case 'ref':
      out.add(`!Ref ${value.name}`);
      return;
    case 'map':
      out.add('{ ');
      value.entries.forEach((entry, i) => {
        if (i > 0) out.add(', ');
        out.mark(entry.marks).add(`${entry.key}: `);
        renderYamlFlowEntryValue(entry, out);
      });
      out.add(' }');
  }
}

function renderYamlFlowEntryValue(entry: NewEntry, out: Out): void {
  if (entry.value.kind === 'text' && entry.key === 'Description') out.add(yamlProse(entry.value.value, true));
  else renderYamlFlow(entry.value, out);
}

/** `key: value` lines at `indent`, each line ended. */
function renderYamlBlockEntries(entries: NewEntry[], indent: string, style: TextStyle, out: Out): void {
  for (const entry of entries) {
    out.add(indent).mark(entry.marks).add(`${entry.key}:`);
    const value = entry.value;
    if (value.kind === 'map') {
      out.add(style.eol);
      renderYamlBlockEntries(value.entries, indent + style.unit, style, out);
    } else if (value.kind === 'list' && !style.flowLists && value.items.length > 0) {
      out.add(style.eol);
      const dashIndent = style.indentedDashes ? indent + style.unit : indent;
      for (const item of value.items) out.add(`${dashIndent}- ${yamlText(item)}${style.eol}`);
    } else if (value.kind === 'text' && entry.key === 'Description') {
      out.add(` ${yamlProse(value.value, false)}${style.eol}`);
    } else {
      out.add(' ');
      renderYamlFlow(value, out);
      out.add(style.eol);
    }
  }
}

/** A JSON value whose first line continues the current one and whose other lines sit at `indent`. */
function renderJson(value: NewValue, indent: string, inline: boolean, style: TextStyle, out: Out): void {
  switch (value.kind) {
    case 'text':
      out.add(JSON.stringify(value.value));
      return;
    case 'list':
      if (inline || style.flowLists || value.items.length === 0) {
        out.add(`[${value.items.map((item) => JSON.stringify(item)).join(', ')}]`);
      } else {
        const inner = indent + style.unit;
        out.add(`[${style.eol}${value.items.map((item) => inner + JSON.stringify(item)).join(`,${style.eol}`)}${style.eol}${indent}]`);
      }
      return;
    case 'ref':
      if (inline || style.inlineRefs) out.add(`{ "Ref": ${JSON.stringify(value.name)} }`);
      else out.add(`{${style.eol}${indent}${style.unit}"Ref": ${JSON.stringify(value.name)}${style.eol}${indent}}`);
      return;
    case 'map':
      if (inline) {
        out.add('{ ');
        value.entries.forEach((entry, i) => {
          if (i > 0) out.add(', ');
          out.mark(entry.marks).add(`${JSON.stringify(entry.key)}: `);
          renderJson(entry.value, indent, true, style, out);
        });
        out.add(' }');
        return;
      }
      out.add('{');
      value.entries.forEach((entry, i) => {
        out.add(`${i > 0 ? ',' : ''}${style.eol}${indent}${style.unit}`);
        renderJsonEntry(entry, indent + style.unit, false, style, out);
      });
      out.add(`${style.eol}${indent}}`);
  }
}

function renderJsonEntry(entry: NewEntry, indent: string, inline: boolean, style: TextStyle, out: Out): void {
  out.mark(entry.marks).add(`${JSON.stringify(entry.key)}: `);
  renderJson(entry.value, indent, inline, style, out);
}

// --- Edits --------------------------------------------------------------------------------

export interface Edit {
  start: number;
  end: number;
  text: string;
  marks: { offset: number; mark: unknown }[];
  /**
   * Among insertions at one offset, the higher goes first: entries added to a nested YAML
   * mapping and to the mapping holding it both go after the same last line, the nested ones first.
   */
  nesting?: number;
}

function edit(start: number, end: number, out: Out, nesting?: number): Edit {
  return nesting === undefined ? { start, end, text: out.text, marks: out.marks } : { start, end, text: out.text, marks: out.marks, nesting };
}

export function replaceScalarEdit(node: ScalarTree, value: string, style: TextStyle, text: string, marks: unknown[]): Edit {
  let end = node.end;
  // A block scalar's range takes its line breaks; they stay.
  while (end > node.start && /\s/.test(text[end - 1]!)) end--;
  return edit(node.start, end, new Out().mark(marks).add(replacementScalar(node, value, style)));
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break ending the line where the text before `offset` last has content. */
function afterContentLine(text: string, offset: number): { at: number; needsBreak: boolean } {
  let last = offset - 1;
  while (last >= 0 && /\s/.test(text[last]!)) last--;
  const newline = text.indexOf('\n', Math.max(last, 0));
  return newline < 0 ? { at: text.length, needsBreak: true } : { at: newline + 1, needsBreak: false };
}

/** The indentation of a YAML block entry: spaces up to its key's column. */
function columnIndent(text: string, offset: number): string {
  return ' '.repeat(offset - lineStartOf(text, offset));
}

/** Whether a JSON/flow object's entries are written one a line (else all on its own line). */
function isMultiLine(text: string, map: MapTree): boolean {
  const first = map.entries[0];
  return first !== undefined && text.lastIndexOf('\n', first.keyStart) > map.start;
}

/** Leading whitespace of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/** Adds entries at the end of an existing mapping, or before the entry `before`. */
export function insertEntriesEdit(map: MapTree, entries: NewEntry[], before: TreeEntry | undefined, text: string, style: TextStyle): Edit {
  const out = new Out();
  if (style.format === 'yaml' && !map.flow) {
    const indent = columnIndent(text, (before ?? map.entries[0]!).keyStart);
    if (before) {
      // Above the comment lines that introduce `before`, so they keep introducing it.
      let at = lineStartOf(text, before.keyStart);
      for (;;) {
        const previous = lineStartOf(text, at - 1);
        if (at === 0 || !/^[ \t]*#/.test(text.slice(previous, at))) break;
        at = previous;
      }
      renderYamlBlockEntries(entries, indent, style, out);
      return edit(at, at, out);
    }
    const last = map.entries[map.entries.length - 1]!;
    const place = afterContentLine(text, Math.max(last.value.end, last.keyStart + 1));
    if (place.needsBreak) out.add(style.eol);
    renderYamlBlockEntries(entries, indent, style, out);
    if (place.needsBreak) out.text = out.text.slice(0, out.text.length - style.eol.length);
    return edit(place.at, place.at, out, indent.length);
  }
  const json = style.format === 'json';
  const writeEntry = (entry: NewEntry, indent: string, inline: boolean) => {
    if (json) renderJsonEntry(entry, indent, inline, style, out);
    else {
      out.mark(entry.marks).add(`${entry.key}: `);
      renderYamlFlowEntryValue(entry, out);
    }
  };
  if (map.entries.length === 0) {
    // `{}` alone at the end of its line opens a mapping written one key a line; inside a
    // one-line object it stays on the line.
    const lineEnd = text.indexOf('\n', map.end);
    const restOfLine = text.slice(map.end, lineEnd < 0 ? text.length : lineEnd);
    if (json && /^[\s,]*$/.test(restOfLine)) {
      // `{}` becomes a mapping written one key a line, indented from the line it opens on.
      const indent = lineIndent(text, map.start);
      out.add('{');
      entries.forEach((entry, i) => {
        out.add(`${i > 0 ? ',' : ''}${style.eol}${indent}${style.unit}`);
        writeEntry(entry, indent + style.unit, false);
      });
      out.add(`${style.eol}${indent}}`);
      return edit(map.start, map.end, out);
    }
    out.add('{ ');
    entries.forEach((entry, i) => {
      if (i > 0) out.add(', ');
      writeEntry(entry, '', true);
    });
    out.add(' }');
    return edit(map.start, map.end, out);
  }
  const multiLine = isMultiLine(text, map);
  const indent = multiLine ? lineIndent(text, (before ?? map.entries[0]!).keyStart) : '';
  if (before) {
    entries.forEach((entry) => {
      writeEntry(entry, indent, !multiLine);
      out.add(multiLine ? `,${style.eol}${indent}` : ', ');
    });
    return edit(before.keyStart, before.keyStart, out);
  }
  const last = map.entries[map.entries.length - 1]!;
  for (const entry of entries) {
    out.add(multiLine ? `,${style.eol}${indent}` : ', ');
    writeEntry(entry, indent, !multiLine);
  }
  return edit(last.value.end, last.value.end, out);
}

/** Gives a key written without a value (`Properties:` in YAML, `null`) these entries. */
export function fillEmptyEntryEdit(entry: TreeEntry, entries: NewEntry[], text: string, style: TextStyle): Edit {
  const out = new Out();
  const value = entry.value as ScalarTree;
  if (style.format === 'json') {
    const indent = lineIndent(text, entry.keyStart);
    renderJson({ kind: 'map', entries }, indent, false, style, out);
    return edit(value.start, value.end, out);
  }
  if (value.end > value.start) {
    // An explicit `~` or `null`: a flow mapping takes its place on the same line.
    renderYamlFlow({ kind: 'map', entries }, out);
    return edit(value.start, value.end, out);
  }
  const place = afterContentLine(text, Math.max(value.end, entry.keyStart + 1));
  if (place.needsBreak) out.add(style.eol);
  const indent = columnIndent(text, entry.keyStart) + style.unit;
  renderYamlBlockEntries(entries, indent, style, out);
  if (place.needsBreak) out.text = out.text.slice(0, out.text.length - style.eol.length);
  return edit(place.at, place.at, out, indent.length);
}

/** Appends a text item to a sequence of scalars; undefined when its layout can't be followed. */
export function appendItemEdit(seq: SeqTree, item: string, text: string, style: TextStyle, marks: unknown[]): Edit | undefined {
  const out = new Out();
  const json = style.format === 'json';
  const spelled = json ? JSON.stringify(item) : yamlText(item);
  const last = seq.items[seq.items.length - 1];
  if (!last) {
    if (!json && !seq.flow) return undefined;
    return edit(seq.start, seq.end, out.add('[').mark(marks).add(spelled).add(']'));
  }
  if (json || seq.flow) {
    const multiLine = text.lastIndexOf('\n', last.start) > seq.start;
    out.add(multiLine ? `,${style.eol}${lineIndent(text, last.start)}` : ', ').mark(marks).add(spelled);
    return edit(last.end, last.end, out);
  }
  const prefix = text.slice(lineStartOf(text, last.start), last.start);
  if (!/^[ \t]*-[ \t]+$/.test(prefix)) return undefined;
  const place = afterContentLine(text, last.end);
  if (place.needsBreak) out.add(style.eol);
  out.add(prefix).mark(marks).add(spelled);
  if (!place.needsBreak) out.add(style.eol);
  return edit(place.at, place.at, out, prefix.length);
}

// --- Applying -----------------------------------------------------------------------------

export interface AppliedEdits {
  text: string;
  /** The edits in the order applied (by offset of the old text). */
  edits: { start: number; end: number; text: string }[];
  /** Each mark with its 1-based line in the new text. */
  marks: { mark: unknown; line: number }[];
  /** The 1-based line in the new text of what stood at this offset of the old text. */
  lineOfOldOffset(offset: number): number;
}

/**
 * Splices the edits into the text, in one pass. Edits at the same offset land in the order given;
 * edits must not overlap (the fixer edits distinct nodes). Lines are found by binary search, so
 * thousands of edits and decisions stay linear-logarithmic (a scan per mark was quadratic).
 */
export function applyEdits(text: string, edits: Edit[]): AppliedEdits {
  const ordered = edits
    .map((e, sequence) => ({ ...e, sequence }))
    .sort((a, b) => a.start - b.start || (b.nesting ?? 0) - (a.nesting ?? 0) || a.sequence - b.sequence);
  const parts: string[] = [];
  let length = 0;
  let copied = 0;
  const placed: { mark: unknown; offset: number }[] = [];
  /** Per edit, the new text's length minus the old's, up to and including it. */
  const shifts: number[] = [];
  let shift = 0;
  for (const e of ordered) {
    if (e.start < copied) throw new Error(`internal error: overlapping edits at offset ${e.start}`);
    const kept = text.slice(copied, e.start);
    parts.push(kept);
    length += kept.length;
    for (const m of e.marks) placed.push({ mark: m.mark, offset: length + m.offset });
    parts.push(e.text);
    length += e.text.length;
    copied = e.end;
    shift += e.text.length - (e.end - e.start);
    shifts.push(shift);
  }
  parts.push(text.slice(copied));
  const result = parts.join('');
  const lineOf = lineFinder(result);
  const lineOfOldOffset = (offset: number): number => {
    // Edits ending at or before the offset move it (those at it too: the text follows them).
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ordered[mid]!.end <= offset && ordered[mid]!.start <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lineOf(offset + (lo > 0 ? shifts[lo - 1]! : 0));
  };
  return {
    text: result,
    edits: ordered.map(({ start, end, text: t }) => ({ start, end, text: t })),
    marks: placed.map((p) => ({ mark: p.mark, line: lineOf(p.offset) })),
    lineOfOldOffset,
  };
}

