/**
 * Character-level scanning shared by the HCL parser: character classes, trivia (whitespace and
 * comments), identifiers, numbers, and offset -> line/column mapping.
 *
 * Everything works on `charCodeAt` over the original string; no regular expression runs per
 * character (the only regexes classify non-ASCII identifier characters, which are rare).
 */
import { lineIndexAt } from '../../line-finder';
import { HclSyntaxError, type Comment, type Position, type Range } from './ast';

export const CH_TAB = 9;
export const CH_LF = 10;
export const CH_CR = 13;
export const CH_SPACE = 32;
export const CH_BANG = 33;
export const CH_QUOTE = 34;
export const CH_HASH = 35;
export const CH_DOLLAR = 36;
export const CH_PERCENT = 37;
export const CH_AMP = 38;
export const CH_LPAREN = 40;
export const CH_RPAREN = 41;
export const CH_STAR = 42;
export const CH_PLUS = 43;
export const CH_COMMA = 44;
export const CH_MINUS = 45;
export const CH_DOT = 46;
export const CH_SLASH = 47;
export const CH_0 = 48;
export const CH_9 = 57;
export const CH_COLON = 58;
export const CH_LT = 60;
export const CH_EQ = 61;
export const CH_GT = 62;
export const CH_QUESTION = 63;
export const CH_E_UPPER = 69;
export const CH_U_UPPER = 85;
export const CH_LBRACK = 91;
export const CH_BACKSLASH = 92;
export const CH_RBRACK = 93;
export const CH_E_LOWER = 101;
export const CH_N_LOWER = 110;
export const CH_R_LOWER = 114;
export const CH_T_LOWER = 116;
export const CH_U_LOWER = 117;
export const CH_LBRACE = 123;
export const CH_PIPE = 124;
export const CH_RBRACE = 125;
export const CH_TILDE = 126;
export const CH_BOM = 0xfeff;

const IDENT_START = 1;
const IDENT_PART = 2;
const DIGIT = 4;

/** Classes of ASCII characters, indexed by char code. */
const asciiClass = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const digit = c >= CH_0 && c <= CH_9;
  asciiClass[c] = (letter ? IDENT_START | IDENT_PART : 0) | (digit ? DIGIT | IDENT_PART : 0) | (c === CH_MINUS ? IDENT_PART : 0);
}

const unicodeIdStart = /^\p{ID_Start}$/u;
const unicodeIdContinue = /^\p{ID_Continue}$/u;

export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

export function isAsciiIdentStart(c: number): boolean {
  return c < 128 && (asciiClass[c]! & IDENT_START) !== 0;
}

/** How many items of the sorted array are below `limit` (binary search). */
function countBelow(sorted: number[], limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The maximum nesting of blocks, expressions and template directives. */
export const MAX_DEPTH = 256;

/**
 * Source text plus a cursor. The parser extends this; `i` is the current offset.
 */
export class Scanner {
  readonly src: string;
  readonly len: number;
  i = 0;
  readonly comments: Comment[] = [];
  /** Offset at which each line starts; lineStarts[0] is 0. */
  private readonly lineStarts: number[] = [0];
  /** Index into lineStarts of the last looked-up line; lookups are mostly monotonic. */
  private lineHint = 0;
  /**
   * Columns count characters, so each astral character (two UTF-16 units) shifts later columns
   * on its line by one: the sorted offsets of their second halves, or null if there are none.
   */
  private readonly lowSurrogates: number[] | null = null;

  constructor(src: string) {
    this.src = src;
    this.len = src.length;
    for (let nl = src.indexOf('\n'); nl !== -1; nl = src.indexOf('\n', nl + 1)) this.lineStarts.push(nl + 1);
    if (/[\uDC00-\uDFFF]/.test(src)) {
      const lows: number[] = [];
      for (let k = 1; k < src.length; k++) {
        const c = src.charCodeAt(k);
        const previous = src.charCodeAt(k - 1);
        if (c >= 0xdc00 && c <= 0xdfff && previous >= 0xd800 && previous <= 0xdbff) lows.push(k);
      }
      this.lowSurrogates = lows;
    }
  }

  pos(offset: number): Position {
    const starts = this.lineStarts;
    let line = this.lineHint;
    if (offset < starts[line]! || (line + 1 < starts.length && offset >= starts[line + 1]!)) {
      if (line + 2 < starts.length && offset >= starts[line + 1]! && offset < starts[line + 2]!) {
        line++;
      } else {
        line = lineIndexAt(starts, offset);
      }
      this.lineHint = line;
    }
    const lineStart = starts[line]!;
    let column = offset - lineStart + 1;
    if (this.lowSurrogates !== null) {
      column -= countBelow(this.lowSurrogates, offset) - countBelow(this.lowSurrogates, lineStart);
    }
    return { line: line + 1, column, offset };
  }

  range(start: number, end: number): Range {
    return { start: this.pos(start), end: this.pos(end) };
  }

  fail(message: string, offset: number = this.i): never {
    throw new HclSyntaxError(message, this.pos(Math.min(Math.max(offset, 0), this.len)));
  }

  /** How to name the character at `offset` in an error message. */
  describe(offset: number = this.i): string {
    if (offset >= this.len) return 'the end of the file';
    const c = this.src.codePointAt(offset)!;
    if (c === CH_LF || c === CH_CR) return 'a line break';
    if (c > 32 && c < 127) return `"${String.fromCharCode(c)}"`;
    return `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }

  /**
   * Skips spaces, tabs, carriage returns and comments, recording the comments. Line breaks are
   * skipped only when `crossNewlines` (inside brackets); elsewhere they end the current item.
   */
  skipTrivia(crossNewlines: boolean): void {
    const src = this.src;
    const len = this.len;
    let i = this.i;
    while (i < len) {
      const c = src.charCodeAt(i);
      if (c === CH_SPACE || c === CH_TAB || c === CH_CR) {
        i++;
      } else if (c === CH_LF) {
        if (!crossNewlines) break;
        i++;
      } else if (c === CH_HASH) {
        i = this.lineComment(i, i + 1);
      } else if (c === CH_SLASH) {
        const next = src.charCodeAt(i + 1);
        if (next === CH_SLASH) i = this.lineComment(i, i + 2);
        else if (next === CH_STAR) i = this.blockComment(i);
        else break;
      } else {
        break;
      }
    }
    this.i = i;
  }

  /** Like skipTrivia(true) but records nothing and moves nothing: for one-token lookahead. */
  peekPastTrivia(from: number): number {
    const src = this.src;
    const len = this.len;
    let i = from;
    while (i < len) {
      const c = src.charCodeAt(i);
      if (c === CH_SPACE || c === CH_TAB || c === CH_CR || c === CH_LF) {
        i++;
      } else if (c === CH_HASH || (c === CH_SLASH && src.charCodeAt(i + 1) === CH_SLASH)) {
        const nl = src.indexOf('\n', i);
        i = nl === -1 ? len : nl;
      } else if (c === CH_SLASH && src.charCodeAt(i + 1) === CH_STAR) {
        const close = src.indexOf('*/', i + 2);
        if (close === -1) return len;
        i = close + 2;
      } else {
        break;
      }
    }
    return i;
  }

  /** Records a `#` or `//` comment; returns the offset of the line break that ends it. */
  private lineComment(start: number, from: number): number {
    const nl = this.src.indexOf('\n', from);
    const end = nl === -1 ? this.len : nl;
    const textEnd = end > start && this.src.charCodeAt(end - 1) === CH_CR ? end - 1 : end;
    this.comments.push({ text: this.src.slice(start, textEnd), range: this.range(start, textEnd) });
    return end;
  }

  private blockComment(start: number): number {
    const close = this.src.indexOf('*/', start + 2);
    if (close === -1) this.fail('Unterminated comment: "/*" has no closing "*/"', start);
    const end = close + 2;
    this.comments.push({ text: this.src.slice(start, end), range: this.range(start, end) });
    return end;
  }

  /** End offset of the identifier starting at `from`, or `from` if none starts there. */
  identEnd(from: number): number {
    const src = this.src;
    const len = this.len;
    if (from >= len) return from;
    let i = from;
    const first = src.charCodeAt(i);
    if (first < 128) {
      if ((asciiClass[first]! & IDENT_START) === 0) return from;
      i++;
    } else {
      const n = this.unicodeIdentCharLength(i, unicodeIdStart);
      if (n === 0) return from;
      i += n;
    }
    while (i < len) {
      const c = src.charCodeAt(i);
      if (c < 128) {
        if ((asciiClass[c]! & IDENT_PART) === 0) break;
        i++;
      } else {
        const n = this.unicodeIdentCharLength(i, unicodeIdContinue);
        if (n === 0) break;
        i += n;
      }
    }
    return i;
  }

  /** UTF-16 length of the code point at `i` if it belongs to `charClass`, else 0. */
  private unicodeIdentCharLength(i: number, charClass: RegExp): number {
    const cp = this.src.codePointAt(i)!;
    if (!charClass.test(String.fromCodePoint(cp))) return 0;
    return cp > 0xffff ? 2 : 1;
  }

  /** True if the identifier at `i` is exactly `word` (not just a prefix of a longer name). */
  atKeyword(word: string, i: number = this.i): boolean {
    return this.src.startsWith(word, i) && this.identEnd(i) === i + word.length;
  }

  /** End offset of the number literal starting at `from` (which must be a digit). */
  numberEnd(from: number): number {
    const src = this.src;
    let i = from + 1;
    while (isDigit(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) === CH_DOT && isDigit(src.charCodeAt(i + 1))) {
      i += 2;
      while (isDigit(src.charCodeAt(i))) i++;
    }
    const e = src.charCodeAt(i);
    if (e === CH_E_LOWER || e === CH_E_UPPER) {
      let j = i + 1;
      const sign = src.charCodeAt(j);
      if (sign === CH_PLUS || sign === CH_MINUS) j++;
      if (isDigit(src.charCodeAt(j))) {
        i = j + 1;
        while (isDigit(src.charCodeAt(i))) i++;
      }
    }
    return i;
  }
}
