// The unified diff `fix` prints, built from the fixer's own edits. The new text is the old one with
// known replacements, so the changed lines are known: only those regions (with their context) go
// through the `diff` package, which is O(N·D) on a whole file. Measured (`fix` on one YAML template
// of N failing notebooks, CPU seconds): before, 1,000: 7.8 s, 2,000: 23.9 s, 8,000: ~223 s; now,
// with the fixer's lookups indexed too, 2,000: 1.4 s, 4,000: 1.9 s, 8,000: 3.0 s.
import { diffLines, formatPatch, type StructuredPatchHunk } from 'diff';
import { lineFinder } from '../../sources/line-finder';
import type { TextEdit } from './fixer';

/** Applies non-overlapping edits in one pass (sorted by offset; edits at one offset keep their order). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const parts: string[] = [];
  let copied = 0;
  for (const e of sortEdits(edits)) {
    if (e.start < copied || e.end < e.start || e.end > text.length) throw new Error(`overlapping or out-of-range edit at offset ${e.start}`);
    parts.push(text.slice(copied, e.start), e.text);
    copied = e.end;
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  return edits.map((e, i) => ({ e, i })).sort((x, y) => x.e.start - y.e.start || x.i - y.i).map(({ e }) => e);
}

/**
 * `a/FILE` -> `b/FILE` unified diff with 3 lines of context, as `createTwoFilesPatch` writes it.
 * `edits` (of `before`) are used when they give `after`; otherwise the changed middle of the file
 * (after the common start and end) is diffed as one region.
 */
export function unifiedDiff(file: string, before: string, after: string, edits?: readonly TextEdit[], context = 3): string {
  let sorted: TextEdit[] | undefined;
  if (edits && edits.length > 0) {
    try {
      sorted = sortEdits(edits);
      if (applyTextEdits(before, sorted) !== after) sorted = undefined;
    } catch {
      sorted = undefined;
    }
  }
  sorted ??= [middleEdit(before, after)];
  const hunks: StructuredPatchHunk[] = [];
  const oldLines = new LineCounter(before);
  let hunk: StructuredPatchHunk | undefined;
  let copied = 0; // `before` up to here is in a hunk or behind one
  let lineDelta = 0; // new line number minus old line number, after the regions so far
  const close = () => {
    if (hunk) hunks.push(hunk);
    hunk = undefined;
  };
  for (const region of changedRegions(before, sorted)) {
    // Unchanged lines since the last region: context, or the gap between two hunks.
    const gap = splitLines(before.slice(copied, region.start));
    if (hunk && gap.length > 2 * context) {
      addLines(hunk, gap.slice(0, context), ' ');
      close();
    }
    if (!hunk) {
      const lead = gap.slice(Math.max(0, gap.length - context));
      const oldStart = oldLines.linesBefore(region.start) - lead.length + 1;
      hunk = { oldStart, oldLines: 0, newStart: oldStart + lineDelta, newLines: 0, lines: [] };
      addLines(hunk, lead, ' ');
    } else {
      addLines(hunk, gap, ' ');
    }
    // The region's own lines, diffed (a small text) so unchanged lines inside it show as such.
    for (const part of diffLines(before.slice(region.start, region.end), region.text)) {
      addLines(hunk, splitLines(part.value), part.added ? '+' : part.removed ? '-' : ' ');
    }
    lineDelta += splitLines(region.text).length - splitLines(before.slice(region.start, region.end)).length;
    copied = region.end;
  }
  if (hunk) {
    addLines(hunk, splitLines(before.slice(copied, forward(before, copied, context))), ' ');
    close();
  }
  return formatPatch({ oldFileName: `a/${file}`, newFileName: `b/${file}`, oldHeader: undefined, newHeader: undefined, hunks });
}

/**
 * Maps a line of `after` to the line of `before` it stands for: what `fix --dry-run` cites, since
 * the file on disk is still `before`. A line in unchanged text maps to its own old line; a line
 * inside new text to the old line where that text goes in: the line it follows when it is
 * inserted at a line start (line 1 at the very start), else the line the edit begins on.
 * `edits` are the fixer's (of `before`); without them, or when they don't give `after`, the
 * lines are diffed.
 */
export function oldLineMapper(before: string, after: string, edits?: readonly TextEdit[]): (newLine: number) => number {
  const sorted = validEdits(before, after, edits);
  // Each edit's place in `after`, and the shift (new minus old length) up to and including it.
  const placed: { start: number; end: number; edit: TextEdit; shift: number }[] = [];
  let shift = 0;
  for (const e of sorted) {
    const start = e.start + shift;
    shift += e.text.length - (e.end - e.start);
    placed.push({ start, end: start + e.text.length, edit: e, shift });
  }
  const newStarts = [0];
  for (let i = after.indexOf('\n'); i >= 0; i = after.indexOf('\n', i + 1)) newStarts.push(i + 1);
  const oldLineOf = lineFinder(before);
  return (newLine) => {
    const offset = newStarts[Math.min(Math.max(newLine, 1), newStarts.length) - 1]!;
    // The last edit starting at or before the offset (binary search: thousands of edits in one file).
    let lo = -1;
    let hi = placed.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (placed[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    if (lo < 0) return oldLineOf(offset);
    const p = placed[lo]!;
    if (offset < p.end) {
      const { start, end } = p.edit;
      const insertedAtLineStart = start === end && start > 0 && before.charCodeAt(start - 1) === 10;
      return oldLineOf(insertedAtLineStart ? start - 1 : start);
    }
    return oldLineOf(offset - p.shift);
  };
}

/**
 * Maps a line of `before` to the line of `after` where it now stands: what a decision found in the
 * text as read cites once `fix` has written the file. A line inside replaced text maps to where the
 * replacement begins; text inserted at a line's start pushes that line down.
 */
export function newLineMapper(before: string, after: string, edits?: readonly TextEdit[]): (oldLine: number) => number {
  const sorted = validEdits(before, after, edits);
  const placed: { edit: TextEdit; shiftBefore: number; shiftAfter: number }[] = [];
  let shift = 0;
  for (const e of sorted) {
    const shiftBefore = shift;
    shift += e.text.length - (e.end - e.start);
    placed.push({ edit: e, shiftBefore, shiftAfter: shift });
  }
  const oldStarts = [0];
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) oldStarts.push(i + 1);
  const newLineOf = lineFinder(after);
  return (oldLine) => {
    const offset = oldStarts[Math.min(Math.max(oldLine, 1), oldStarts.length) - 1]!;
    let lo = -1;
    let hi = placed.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (placed[mid]!.edit.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    if (lo < 0) return newLineOf(offset);
    const p = placed[lo]!;
    if (offset < p.edit.end) return newLineOf(p.edit.start + p.shiftBefore);
    return newLineOf(offset + p.shiftAfter);
  };
}

/** The fixer's edits sorted when they turn `before` into `after`; otherwise whole-line edits from a line diff. */
function validEdits(before: string, after: string, edits?: readonly TextEdit[]): TextEdit[] {
  if (edits && edits.length > 0) {
    try {
      const sorted = sortEdits(edits);
      if (applyTextEdits(before, sorted) === after) return sorted;
    } catch {
      // overlapping or out of range: diffed below
    }
  }
  return lineEdits(before, after);
}

/** Whole-line edits turning `before` into `after`, from a line diff (the fallback when a fixer gives none). */
function lineEdits(before: string, after: string): TextEdit[] {
  const edits: TextEdit[] = [];
  let at = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) {
      const last = edits.at(-1);
      if (last && last.end === at) last.text += part.value;
      else edits.push({ start: at, end: at, text: part.value });
    } else if (part.removed) {
      const last = edits.at(-1);
      if (last && last.end === at) last.end = at + part.value.length;
      else edits.push({ start: at, end: at + part.value.length, text: '' });
      at += part.value.length;
    } else {
      at += part.value.length;
    }
  }
  return edits;
}

/** Lines with their line breaks; the last may have none. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Adds lines to a hunk; a line without a line break (the text's last) is marked as diff marks it. */
function addLines(hunk: StructuredPatchHunk, lines: string[], sign: ' ' | '-' | '+'): void {
  for (const line of lines) {
    if (line.endsWith('\n')) hunk.lines.push(sign + line.slice(0, -1));
    else hunk.lines.push(sign + line, '\\ No newline at end of file');
    if (sign !== '+') hunk.oldLines++;
    if (sign !== '-') hunk.newLines++;
  }
}

/** One edit replacing what lies between the common start and the common end of the two texts. */
function middleEdit(before: string, after: string): TextEdit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return { start, end: before.length - tail, text: after.slice(start, after.length - tail) };
}

/**
 * The whole lines of `before` each run of edits touches: `[start, end)` from a line start to a
 * line start (or the end of the text), and the new text of those lines.
 */
function changedRegions(before: string, edits: TextEdit[]): { start: number; end: number; text: string }[] {
  const regions: { start: number; end: number; text: string }[] = [];
  const lineEndAfter = (offset: number) => {
    const nl = before.indexOf('\n', offset);
    return nl < 0 ? before.length : nl + 1;
  };
  // An edit ending at a line start (just after a line break) touches no line beyond it.
  const endOf = (e: TextEdit, start: number) => (e.end === start || before.charCodeAt(e.end - 1) === 10 ? e.end : lineEndAfter(e.end));
  // (lastIndexOf clamps a negative start to 0, where a line break would match.)
  const lineStart = (offset: number) => (offset === 0 ? 0 : before.lastIndexOf('\n', offset - 1) + 1);
  for (let i = 0; i < edits.length; ) {
    const start = lineStart(edits[i]!.start);
    let end = endOf(edits[i]!, start);
    let j = i;
    for (;;) {
      while (j + 1 < edits.length && lineStart(edits[j + 1]!.start) < end) end = Math.max(end, endOf(edits[++j]!, start));
      // The region's new text must end a line too, or the next old line joins it.
      const replaced = regionText(before, edits, i, j, start, end);
      if (replaced !== '' && !replaced.endsWith('\n')) {
        if (end < before.length) {
          end = lineEndAfter(end);
          continue;
        }
        if (j + 1 < edits.length) {
          j++; // an insertion at the very end continues this last line
          continue;
        }
      }
      regions.push({ start, end, text: replaced });
      break;
    }
    i = j + 1;
  }
  return regions;
}

/** The new text of `[start, end)` of `before`, edits `i..j` applied. */
function regionText(before: string, edits: TextEdit[], i: number, j: number, start: number, end: number): string {
  const parts: string[] = [];
  let at = start;
  for (let k = i; k <= j; k++) {
    parts.push(before.slice(at, edits[k]!.start), edits[k]!.text);
    at = edits[k]!.end;
  }
  parts.push(before.slice(at, end));
  return parts.join('');
}

/** The offset `lines` whole lines after `offset` (a line start), or the end of the text. */
function forward(text: string, offset: number, lines: number): number {
  let at = offset;
  for (let n = 0; n < lines && at < text.length; n++) {
    const nl = text.indexOf('\n', at);
    at = nl < 0 ? text.length : nl + 1;
  }
  return at;
}

/** Counts line breaks before increasing offsets, in one pass over the text. */
class LineCounter {
  private offset = 0;
  private lines = 0;
  constructor(private readonly text: string) {}
  linesBefore(offset: number): number {
    for (let nl = this.text.indexOf('\n', this.offset); nl >= 0 && nl < offset; nl = this.text.indexOf('\n', nl + 1)) this.lines++;
    this.offset = Math.max(this.offset, offset);
    return this.lines;
  }
}
