// Fitting plain text (no ANSI codes: colour is added after fitting) to a terminal's columns.
// Cuts fall between grapheme clusters, so never inside a surrogate pair, a combining sequence or
// an emoji sequence; wide characters (CJK, emoji) count two columns.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Zero-width: combining marks, joiners, variation selectors. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]+$/u;
/** Two columns: East Asian wide and fullwidth ranges, and emoji presentation. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]|\p{Extended_Pictographic}\ufe0f?/u;
/**
 * Text that needs no grapheme segmentation: one column per UTF-16 unit (printable ASCII, Latin-1,
 * Latin Extended, dashes, quotes and the ellipsis; no combining marks). Segmenting every row of a
 * 5,000-finding report cost ~0.5 s; this path keeps it near the unfitted report's ~0.1 s.
 */
const SIMPLE = /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027]*$/;

function graphemeWidth(g: string): number {
  if (ZERO_WIDTH.test(g)) return 0;
  return WIDE.test(g) ? 2 : 1;
}

/** Columns the text takes in a terminal. */
export function displayWidth(text: string): number {
  if (SIMPLE.test(text)) return text.length;
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += graphemeWidth(segment);
  return width;
}

/** The text in at most `width` columns: cut at the end with `…` when longer. */
export function truncateEnd(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  const out = takeColumns(text, width - 1);
  return `${out.text}…`;
}

/** The text in at most `width` columns, cut in the middle (`…`): ids keep their start and their name. */
export function truncateMiddle(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return truncateEnd(text, width);
  if (SIMPLE.test(text)) {
    const tail = Math.floor((width - 1) / 2);
    return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
  }
  const graphemes = [...segmenter.segment(text)].map((s) => s.segment);
  const tailBudget = Math.floor((width - 1) / 2);
  let tail = '';
  let tailWidth = 0;
  for (let i = graphemes.length - 1; i >= 0; i--) {
    const w = graphemeWidth(graphemes[i]!);
    if (tailWidth + w > tailBudget) break;
    tail = graphemes[i]! + tail;
    tailWidth += w;
  }
  return `${takeColumns(text, width - 1 - tailWidth).text}…${tail}`;
}

/**
 * Lines of at most `width` columns, broken at spaces where it can (a word longer than a line is
 * cut), the lines after the first led by `indent`.
 */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let rest = text;
  let lead = '';
  const indentWidth = displayWidth(indent);
  // A width too narrow for the indent and a few characters: the text is left whole.
  if (width < indentWidth + 8) return [text];
  while (displayWidth(lead + rest) > width) {
    const room = width - displayWidth(lead);
    const head = takeColumns(rest, room).text;
    const space = head.lastIndexOf(' ');
    // A break at a space after the text's own indentation; a longer word is cut (one grapheme at least).
    const indented = /^ */.exec(rest)![0].length;
    const cut = space > indented && rest.charAt(head.length) !== ' ' ? space : Math.max(head.length, firstGraphemeLength(rest));
    lines.push(lead + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ +/, '');
    lead = indent;
    if (rest === '') break;
  }
  if (rest !== '' || lines.length === 0) lines.push(lead + rest);
  return lines;
}

/** The longest start of `text` within `columns`, whole graphemes only. */
function takeColumns(text: string, columns: number): { text: string; width: number } {
  if (SIMPLE.test(text)) return { text: text.slice(0, Math.max(0, columns)), width: Math.min(text.length, Math.max(0, columns)) };
  let width = 0;
  let end = 0;
  for (const { segment, index } of segmenter.segment(text)) {
    const w = graphemeWidth(segment);
    if (width + w > columns) break;
    width += w;
    end = index + segment.length;
  }
  return { text: text.slice(0, end), width };
}

function firstGraphemeLength(text: string): number {
  for (const { segment } of segmenter.segment(text)) return segment.length;
  return 0;
}
