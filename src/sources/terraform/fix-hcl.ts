// Text to insert into an HCL body so that the result reads as if written by hand: new lines
// take the indentation of their siblings and line up `=` with them when they are aligned
// (as `terraform fmt` does), and nothing else in the file moves.
import type { AttributeNode, Body } from './hcl/ast';
import type { ChangeNote } from './fix-edits';

export interface NewAttribute {
  name: string;
  /** HCL expression text. */
  value: string;
  note: ChangeNote;
}

export interface Insertion {
  offset: number;
  text: string;
  notes: { at: number; note: ChangeNote }[];
}

export type InsertionResult = Insertion | { error: string };

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/** True when only whitespace stands between the start of the line and `offset`. */
function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

/** The last text asked about: one file gets thousands of insertions, each asking. */
let eolSeen: { text: string; eol: string } | undefined;

function eolOf(text: string): string {
  if (eolSeen?.text !== text) eolSeen = { text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  return eolSeen.eol;
}

/** Column of the `=` after an attribute's name, or undefined when the layout is unusual. */
function equalsColumn(text: string, attr: AttributeNode): number | undefined {
  let i = attr.nameRange.end.offset;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text[i] === '=' ? i - lineStart(text, attr.nameRange.start.offset) : undefined;
}

/** Lines for new attributes, each as `indent name = value`, names padded to `width`. */
function attributeLines(attrs: readonly NewAttribute[], indent: string, width: number, eol: string): { text: string; notes: { at: number; note: ChangeNote }[] } {
  let text = '';
  const notes: { at: number; note: ChangeNote }[] = [];
  for (const a of attrs) {
    notes.push({ at: text.length, note: a.note });
    text += `${indent}${a.name.padEnd(width)} = ${a.value}${eol}`;
  }
  return { text, notes };
}

const ownWidth = (attrs: readonly NewAttribute[]) => Math.max(...attrs.map((a) => a.name.length));

/** The body's attributes written before its first nested block, in order. */
function leadingAttributes(body: Body): AttributeNode[] {
  const firstBlock = Math.min(...body.blocks.map((b) => b.range.start.offset), Number.POSITIVE_INFINITY);
  return body.attributes.filter((a) => a.range.end.offset <= firstBlock).sort((a, b) => a.range.start.offset - b.range.start.offset);
}

/** Where sibling lines of a body start, and their indentation. */
function siblingIndent(text: string, body: Body): string {
  const first = [...body.attributes.map((a) => a.range.start.offset), ...body.blocks.map((b) => b.range.start.offset)].sort((a, b) => a - b)[0];
  if (first !== undefined && startsLine(text, first)) return indentOf(text, first);
  const outer = indentOf(text, body.range.start.offset);
  return outer + (outer.startsWith('\t') ? '\t' : '  ');
}

/**
 * New attributes after the body's last attribute line before its nested blocks. Appended to an
 * aligned group when their names fit its `=` column; otherwise, after a blank line, as a group
 * of their own (so the file stays `terraform fmt`-clean without realigning existing lines).
 */
export function insertAttributes(text: string, body: Body, attrs: readonly NewAttribute[]): InsertionResult {
  if (attrs.length === 0) return { error: 'nothing to insert' };
  const eol = eolOf(text);
  const open = body.range.start.offset;
  const close = body.range.end.offset - 1;
  let before = leadingAttributes(body);
  // After the last one-line attribute: a multi-line value (a tags map) usually closes the list.
  const lastOneLine = before.map((a) => a.range.start.line === a.range.end.line).lastIndexOf(true);
  if (lastOneLine >= 0) before = before.slice(0, lastOneLine + 1);
  const anchor = before[before.length - 1];
  if (!anchor) {
    const nl = text.indexOf('\n', open);
    if (nl < 0 || nl >= close) return { error: 'the block is written on one line' };
    const lines = attributeLines(attrs, siblingIndent(text, body), ownWidth(attrs), eol);
    return { offset: nl + 1, ...lines };
  }
  const nl = text.indexOf('\n', anchor.range.end.offset);
  if (nl < 0 || nl >= close || !startsLine(text, anchor.range.start.offset)) return { error: 'the block is written on one line' };
  const indent = indentOf(text, anchor.range.start.offset);
  const offset = nl + 1;

  // The run of one-line attributes on consecutive lines that ends with the anchor.
  const group: AttributeNode[] = [];
  if (anchor.range.start.line === anchor.range.end.line) {
    group.push(anchor);
    for (let i = before.length - 2; i >= 0; i--) {
      const a = before[i]!;
      const next = group[group.length - 1]!;
      if (a.range.start.line !== a.range.end.line || a.range.end.line + 1 !== next.range.start.line) break;
      group.push(a);
    }
  }
  if (group.length === 0) return separateGroup(attrs, indent, eol, offset);
  const columns = new Set(group.map((a) => equalsColumn(text, a)));
  const [column] = columns;
  if (columns.size !== 1 || column === undefined) {
    // Not aligned: one space, as the file does.
    const lines = attrs.map((a) => ({ ...a }));
    let out = '';
    const notes: { at: number; note: ChangeNote }[] = [];
    for (const a of lines) {
      notes.push({ at: out.length, note: a.note });
      out += `${indent}${a.name} = ${a.value}${eol}`;
    }
    return { offset, text: out, notes };
  }
  const width = column - indent.length - 1;
  if (attrs.every((a) => a.name.length <= width)) return { offset, ...attributeLines(attrs, indent, width, eol) };
  return separateGroup(attrs, indent, eol, offset);
}

/** New attributes after a blank line, aligned among themselves. */
function separateGroup(attrs: readonly NewAttribute[], indent: string, eol: string, offset: number): Insertion {
  const own = attributeLines(attrs, indent, ownWidth(attrs), eol);
  return { offset, text: eol + own.text, notes: own.notes.map((n) => ({ at: n.at + eol.length, note: n.note })) };
}

/** A new nested block (`type { attrs }`) at the end of the body, after a blank line. */
export function insertNestedBlock(text: string, body: Body, type: string, attrs: readonly NewAttribute[], note: ChangeNote): InsertionResult {
  const eol = eolOf(text);
  const close = body.range.end.offset - 1;
  const closeLine = lineStart(text, close);
  if (closeLine <= body.range.start.offset || !startsLine(text, close)) return { error: 'the block is written on one line' };
  const indent = siblingIndent(text, body);
  const inner = indent + (indent.startsWith('\t') ? '\t' : '  ');
  const empty = body.attributes.length === 0 && body.blocks.length === 0;
  let out = empty ? '' : eol;
  const notes: { at: number; note: ChangeNote }[] = [{ at: out.length, note }];
  out += `${indent}${type} {${eol}`;
  const lines = attributeLines(attrs, inner, ownWidth(attrs), eol);
  notes.push(...lines.notes.map((n) => ({ at: n.at + out.length, note: n.note })));
  out += lines.text + `${indent}}${eol}`;
  return { offset: closeLine, text: out, notes };
}

/** A top-level block appended at the end of a file, after a blank line. */
export function appendBlock(text: string, block: string, note: ChangeNote): Insertion {
  const eol = eolOf(text);
  let prefix = '';
  if (text.length > 0) prefix = (text.endsWith('\n') ? '' : eol) + eol;
  return { offset: text.length, text: prefix + block.replace(/\n/g, eol), notes: [{ at: prefix.length, note }] };
}
