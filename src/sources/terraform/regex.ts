import type { Matcher, RE2JS } from 're2js';
import { re2 } from '../../re2';
import { EvalError } from './eval-error';

/**
 * Terraform's `regex`, `regexall` and `replace(s, "/re/", ...)` use Go's `regexp`: RE2 syntax,
 * matching in time linear in the input. JavaScript's backtracking `RegExp` would hang on
 * `regex("^(a+)+$", "aaaa…b")` (6 s for 27 characters), so patterns run on re2js, a port of
 * Go's regexp to JavaScript (same syntax, same limits, leftmost-first matches).
 *
 * Measured on this project's 2-core machine, node 20 (script in the commit adding this file):
 * - re2js 2.10: loads in 17 ms; `^(a+)+$` on 100,000 "a" + "b": 68 ms; 10,000 matches of an
 *   ARN pattern with 4 groups: 137 ms; a search through 1 MB: 6 ms.
 * - re2-wasm 1.0.2 (Google's RE2 as wasm): loads in 77 ms, 72 ms, 316 ms, 115 ms; its .wasm
 *   file would also have to be copied beside the bundle.
 * - re2 (native binding): needs a C++ build at install.
 * The engine is loaded on the first regular expression (src/re2.ts), so scans that call none
 * don't pay its start-up.
 */
/** A compiled pattern: the same one is often applied to every instance of a `count`. */
const compiled = new Map<string, GoRegexp>();
const MAX_CACHED = 256;

/**
 * The largest program compiled. re2js needs ~400 bytes and ~15 µs an instruction to compile
 * (a 20,000-instruction pattern: 170 to 330 ms; `(?:a{2,1000}b?)` 666 times, ~1.3 million,
 * ran out of 512 MB), and searching costs time proportional to text length times program size.
 * Go accepts up to ~3 million instructions; real patterns have tens to a few hundred
 * (`^[a-z0-9-]{1,63}$`: 129), so a larger one is an attack or a mistake: its result is unknown.
 */
export const MAX_PROGRAM = 20_000;

/**
 * Search work charged per (character × instruction): searching 10,000 characters with a
 * 20,000-instruction program took 4 s (~50 million a second, the slow NFA path); an ARN matched
 * by a 4-group pattern takes ~14 µs, about 40 evaluation steps at 32 per step.
 */
const SEARCH_UNITS_PER_STEP = 32;

/** A pattern compiled as Go's regexp.Compile does, with Go's ways of finding and replacing. */
export class GoRegexp {
  /** Names of groups 1..n ('' for an unnamed one), as Go's SubexpNames()[1:]. */
  readonly groupNames: string[];

  /** Instructions of the compiled program: what a search costs per character. */
  private readonly size: number;

  private constructor(
    readonly pattern: string,
    private readonly re: RE2JS,
  ) {
    this.size = Math.max(1, re.programSize());
    this.groupNames = Array.from({ length: re.groupCount() }, () => '');
    const named = re.namedGroups();
    for (const name of Object.keys(named)) this.groupNames[(named[name] as number) - 1] = name;
  }

  /**
   * The pattern compiled, `work` charged for it (nothing when cached); too large a program
   * (see MAX_PROGRAM) is refused before compiling: a string saying why.
   */
  static compile(pattern: string, work: (steps: number) => void): GoRegexp | string {
    let re = compiled.get(pattern);
    if (re) return re;
    const estimate = estimateProgramSize(pattern);
    if (estimate > MAX_PROGRAM) {
      return `regular expression ${abbreviate(pattern)} compiles to about ${estimate.toLocaleString('en-US')} instructions, more than the ${MAX_PROGRAM.toLocaleString('en-US')} evaluated offline`;
    }
    work(estimate * 50);
    let inner: RE2JS;
    try {
      inner = re2().compile(pattern);
    } catch (e) {
      // Lookaround, backreferences and other syntax RE2 doesn't have end here, as in Terraform.
      const message = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
      throw new EvalError(`invalid regular expression ${JSON.stringify(pattern)}: ${message}`);
    }
    re = new GoRegexp(pattern, inner);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, re);
    return re;
  }

  /**
   * The leftmost match at or after `pos` (the text before `pos` still counts for `^` and `\b`):
   * [start, end] of the match then of each group, -1 for a group that took no part.
   */
  /** Charges a search through `s` (linear in its length, times the program's size). */
  chargeSearch(s: string, work: (steps: number) => void): void {
    work(Math.ceil(((s.length + 1) * this.size) / SEARCH_UNITS_PER_STEP));
  }

  findAt(s: string, pos: number): number[] | undefined {
    return this.find(this.re.matcher(s), pos);
  }

  // One matcher for all the matches in a text: a new one for each made regexall() quadratic
  // (40,000 matches: 0.5 s, 4 times as long for twice as many).
  private find(m: Matcher, pos: number): number[] | undefined {
    if (!m.find(pos)) return undefined;
    const out = [m.start(), m.end()];
    for (let g = 1; g <= this.groupNames.length; g++) out.push(m.start(g), m.end(g));
    return out;
  }

  /**
   * Every match as Go's FindAllStringSubmatchIndex(s, -1) finds them: an empty match right
   * after the previous match is skipped. `each` is called per match (to charge a budget): the
   * search is linear, ~1.6 µs a match (1.6 million matches of "a": 2.6 s).
   */
  findAll(s: string, each: () => void): number[][] {
    const out: number[][] = [];
    const matcher = this.re.matcher(s);
    let prevEnd = -1;
    for (let pos = 0; pos <= s.length; ) {
      const m = this.find(matcher, pos);
      if (!m) break;
      const [start, end] = m as [number, number];
      let accept = true;
      if (end === pos) {
        if (start === prevEnd) accept = false;
        pos += codePointWidth(s, pos);
      } else {
        pos = end;
      }
      prevEnd = end;
      if (accept) {
        each();
        out.push(m);
      }
    }
    return out;
  }

  /**
   * Go's ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` in `template` are groups, `$$` is a
   * dollar sign; a group that doesn't exist or took no part gives nothing. `each` is called per
   * match with the length of the text so far, to charge a budget and stop a runaway result.
   */
  replaceAll(s: string, template: string, each: (length: number) => void): string {
    let out = '';
    let lastEnd = 0;
    const matcher = this.re.matcher(s);
    for (let pos = 0; pos <= s.length; ) {
      const m = this.find(matcher, pos);
      if (!m) break;
      const [start, end] = m as [number, number];
      out += s.slice(lastEnd, start);
      // No replacement for an empty match right after another match (Go's rule).
      if (end > lastEnd || start === 0) out += this.expand(template, s, m);
      each(out.length);
      lastEnd = end;
      const width = codePointWidth(s, pos);
      if (pos + width > end) pos += width;
      else if (pos + 1 > end) pos++;
      else pos = end;
    }
    return out + s.slice(lastEnd);
  }

  /** Go's Regexp.Expand. */
  private expand(template: string, s: string, m: number[]): string {
    let out = '';
    let rest = template;
    for (let dollar = rest.indexOf('$'); dollar >= 0; dollar = rest.indexOf('$')) {
      out += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith('$')) {
        out += '$';
        rest = rest.slice(1);
        continue;
      }
      const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
      if (!ref) {
        out += '$';
        continue;
      }
      rest = rest.slice(ref[0].length);
      const name = (ref[1] ?? ref[2]) as string;
      const group = /^(0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : this.groupNames.indexOf(name) + 1;
      if (group === 0 && name !== '0') continue;
      const a = m[2 * group];
      const b = m[2 * group + 1];
      if (a !== undefined && b !== undefined && a >= 0) out += s.slice(a, b);
    }
    return out + rest;
  }
}

function codePointWidth(s: string, pos: number): number {
  if (pos >= s.length) return 1;
  const c = s.codePointAt(pos) as number;
  return c > 0xffff ? 2 : 1;
}

function abbreviate(pattern: string): string {
  return JSON.stringify(pattern.length > 40 ? `${pattern.slice(0, 37)}...` : pattern);
}

/**
 * An upper bound of the instructions RE2 compiles a pattern to, from its text, to refuse huge
 * ones before compiling them: every literal, class or escape is one; a counted repetition
 * `x{m,n}` copies x (and an alternation) max(m, n) times, nested ones multiply; groups and
 * operators add one or two.
 * Not a parser: anything it misreads only makes the bound larger or is rejected by RE2 anyway.
 */
export function estimateProgramSize(pattern: string): number {
  const stack: { size: number; last: number }[] = [{ size: 0, last: 0 }];
  const top = () => stack[stack.length - 1] as { size: number; last: number };
  const atom = (n: number) => {
    top().size += n;
    top().last = n;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      if (pattern[i + 1] === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = end < 0 ? pattern.length - i - 2 : end - i - 2;
        atom(Math.max(1, literal));
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      const braced = /^\\[pPx]\{[^}]*\}/.exec(pattern.slice(i, i + 64));
      atom(1);
      i += braced ? braced[0].length : 2;
      continue;
    }
    if (c === '[') {
      // A class is one instruction (a range list); skip to its end.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') j += 2;
        else if (pattern.startsWith('[:', j)) {
          const end = pattern.indexOf(':]', j + 2);
          j = end < 0 ? j + 1 : end + 2;
        } else j++;
      }
      atom(1);
      i = j + 1;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?[a-zA-Z-]*\)/.exec(pattern.slice(i, i + 16));
      if (flags) {
        i += flags[0].length;
        continue;
      }
      stack.push({ size: 0, last: 0 });
      i++;
      continue;
    }
    if (c === ')') {
      const group = stack.length > 1 ? (stack.pop() as { size: number }) : { size: 0 };
      atom(group.size + 2);
      i++;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
      if (m) {
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? min + 1 : Number(m[3]);
        const times = Math.max(min, max, 1);
        // Each copy past the first may be optional: an alternation instruction more.
        const t = top();
        t.size += (t.last + 1) * (times - 1) + 1;
        t.last = (t.last + 1) * times;
        i += m[0].length;
        continue;
      }
    }
    if (c === '*' || c === '+' || c === '?' || c === '|') {
      top().size += 1;
      i++;
      continue;
    }
    atom(1);
    i += c.codePointAt(0)! > 0xffff ? 2 : 1;
  }
  let total = 0;
  for (const frame of stack) total += frame.size;
  return total + 2;
}
