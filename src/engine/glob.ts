import { re2 } from '../re2';

/**
 * Path and name globs (`exclude`, `exceptions[].paths`, `exceptions[].resources`, `--skip-path`),
 * matched in time linear in the text.
 *
 * Why our own: these patterns come from a repository's `.cloudconform.yml`, written by whoever
 * wants their notebook to pass, and they are matched against paths and resource names the same
 * person chooses. picomatch compiles globs to JavaScript's backtracking RegExp: `*a*a*a*b` took
 * 20.7 s on a 1,000-character name and `*a` x 14 + `*b` hung a scan for hours on a 45-character
 * file name (red team, issue 11). No maintained glob library we found runs on a linear-time
 * engine, so globs are translated here to RE2 syntax and run on re2js (already used for
 * Terraform's regex(); measured: 4,000 characters against `*a*a*a*b` in 1 ms, 10,000 matches
 * of a short path in 11 ms). Fuzzed against picomatch in test/glob.property.test.ts.
 *
 * The syntax, as picomatch with `dot: true` reads it (and bash's globstar):
 * - `*` any characters but `/`; `?` one character but `/`;
 * - `**` as a whole path segment: any number of segments, none included (`a/**` matches `a`);
 *   elsewhere it is `*`;
 * - `[abc]`, `[a-z]`, `[!a]` / `[^a]`: one character of a class (never `/`), unless `literalBrackets`;
 * - `{a,b}`: alternatives (nestable); `{a}` without a comma is literal;
 * - `\x`: `x` literally; a leading `!` negates the pattern when `negate` is set.
 * Not supported (taken literally): extglobs `+(a|b)`, POSIX classes, ranges `{1..3}`.
 * Where picomatch differs (the fuzz test says where): `[!a]` is bash's negated class (picomatch
 * read `[!a]b` as not matching `cb`), and a trailing `/**` after a segment with a star matches
 * the directory itself, as `x/**` does in both (picomatch: only without a star; what such an
 * `exclude` leaves out is the same, its files match either way); `**` inside a segment (`a**`)
 * is `*`, as in bash (picomatch lets it cross `/`).
 */

export interface GlobOptions {
  /** `[` and `]` are literal (resource addresses such as `x["k"]`). */
  literalBrackets?: boolean;
  /** A leading `!` matches what the rest of the pattern does not. */
  negate?: boolean;
  /** A pattern without `/` is matched against the last path segment (a name at any depth). */
  basename?: boolean;
}

/** Longest pattern accepted: globs are short, and the translation is linear in them. */
export const MAX_GLOB_LENGTH = 1024;
/**
 * Most pattern text in one matcher. Matching is linear in the text but also grows with the
 * patterns: 150 patterns of 1,000 characters took 1 to 3 s a file (red team), while 4 KB of the
 * worst patterns (`*a*a…`) costs about 0.3 ms a 250-character name once RE2's cache is warm.
 */
export const MAX_GLOBS_LENGTH = 4096;

export class GlobError extends Error {
  override name = 'GlobError';
}

/** A predicate true when any of the patterns matches the whole text. */
export function globMatcher(patterns: readonly string[], options: GlobOptions = {}): (text: string) => boolean {
  if (patterns.length === 0) return () => false;
  const total = patterns.reduce((n, p) => n + p.length, 0);
  if (total > MAX_GLOBS_LENGTH) throw new GlobError(`${patterns.length} globs of ${total} characters in all: at most ${MAX_GLOBS_LENGTH} characters in one list`);
  const plain: string[] = [];
  const names: string[] = [];
  const negatedPatterns: string[] = [];
  for (const pattern of patterns) {
    if (pattern.length > MAX_GLOB_LENGTH) throw new GlobError(`the glob '${shortened(pattern)}' is longer than ${MAX_GLOB_LENGTH} characters`);
    if (options.negate && pattern.startsWith('!') && pattern.length > 1) {
      negatedPatterns.push(pattern.slice(1));
    } else if (options.basename && !pattern.includes('/')) {
      names.push(globToRegex(pattern, options));
    } else {
      plain.push(globToRegex(pattern, options));
    }
  }
  const RE2 = re2();
  const compile = (sources: string[]) => {
    try {
      return RE2.compile(`^(?:${sources.join('|')})$`, RE2.DOTALL);
    } catch (e) {
      // A class such as `[z-a]`: RE2 refuses the range.
      throw new GlobError(`a glob of ${patterns.map((p) => `'${shortened(p)}'`).join(', ')} is not valid: ${(e as Error).message.slice(0, 200)}`);
    }
  };
  const whole = plain.length ? compile(plain) : undefined;
  const name = names.length ? compile(names) : undefined;
  const positive = (text: string) =>
    (whole !== undefined && whole.matches(text)) || (name !== undefined && name.matches(text.slice(text.lastIndexOf('/') + 1)));
  if (negatedPatterns.length === 0) return positive;
  // Negations narrow, as in .gitignore: `['!prod', '!staging']` is everything but those two (read
  // one by one and OR'ed, the list matched everything); with positive patterns, those minus these.
  const excluded = globMatcher(negatedPatterns, { ...options, negate: false });
  const hasPositive = whole !== undefined || name !== undefined;
  return (text) => (!hasPositive || positive(text)) && !excluded(text);
}

function shortened(pattern: string): string {
  return pattern.length > 40 ? `${pattern.slice(0, 40)}…` : pattern;
}

/** RE2 syntax for one glob (unanchored; see the syntax above). */
export function globToRegex(pattern: string, options: GlobOptions = {}): string {
  // `./vendor/**` is `vendor/**`: paths are matched without a leading `./`.
  // `**/**` is `**`.
  const simplified = pattern.replace(/^(?:\.\/)+/, '').replace(/(^|\/)\*\*(?:\/\*\*)+(?=\/|$)/g, '$1**');
  return translate(simplified, options, 0, { start: true, end: true });
}

const ANY_DIRS = '(?:.*/)?';
const META = /[\\^$.|?*+()[\]{}]/;

function literal(ch: string): string {
  return META.test(ch) ? `\\${ch}` : ch;
}

/** Braces nest at most this deep: a deeper pattern is refused rather than recursed into. */
const MAX_BRACE_DEPTH = 10;

/**
 * `edges`: whether the text's start and end are a path segment's (the whole pattern's are; a brace
 * alternative's are only where its brace stands alone in a segment), so `**` inside `a{b,**}` is a
 * `*`, not any depth (red team: `sandbox{,**}.tf` matched `sandbox/x/prod.tf`).
 */
function translate(p: string, options: GlobOptions, depth: number, edges: { start: boolean; end: boolean }): string {
  if (depth > MAX_BRACE_DEPTH) throw new GlobError(`the glob nests braces more than ${MAX_BRACE_DEPTH} deep`);
  let out = '';
  let i = 0;
  const atSegmentStart = (k: number) => (k === 0 ? edges.start : p[k - 1] === '/');
  const atSegmentEnd = (k: number) => (k === p.length ? edges.end : p[k] === '/');
  while (i < p.length) {
    const ch = p[i]!;
    if (ch === '*' && p[i + 1] === '*' && atSegmentStart(i) && atSegmentEnd(i + 2)) {
      // A whole-segment `**`.
      if (i + 2 === p.length) {
        // Trailing: the previous `/` (if any) was written; `a/**` also matches `a`.
        if (i === 0 || out.endsWith(ANY_DIRS)) out += '.*';
        else out = out.slice(0, -1) + '(?:/.*)?';
        // (A brace alternative `{…,**}` after a `/`: `.*`, the directory's contents.)
        i += 2;
      } else {
        // `**/`: any number of directories, none included.
        out += ANY_DIRS;
        i += 3;
      }
      continue;
    }
    if (ch === '*') {
      // Runs of `*` inside a segment are one `*`.
      while (p[i] === '*') i++;
      out += '[^/]*';
      continue;
    }
    if (ch === '?') {
      out += '[^/]';
      i++;
      continue;
    }
    if (ch === '\\' && i + 1 < p.length) {
      out += literal(p[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === '[' && !options.literalBrackets) {
      const cls = characterClass(p, i);
      if (cls) {
        out += cls.regex;
        i = cls.end;
        continue;
      }
    }
    if (ch === '{') {
      const alt = alternatives(p, i);
      if (alt) {
        const partEdges = { start: atSegmentStart(i), end: atSegmentEnd(alt.end) };
        out += `(?:${alt.parts.map((part) => translate(part, options, depth + 1, partEdges)).join('|')})`;
        i = alt.end;
        continue;
      }
    }
    out += literal(ch);
    i++;
  }
  return out;
}

/** `[...]` from `start`: its RE2 class (never matching `/`) and the index after it, or undefined when unclosed. */
function characterClass(p: string, start: number): { regex: string; end: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (p[i] === '!' || p[i] === '^') {
    negated = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < p.length) {
    const ch = p[i]!;
    if (ch === ']' && !first) {
      if (body === '') return undefined;
      if (!negated && classMatchesSlash(body)) throw new GlobError(`the class '${shortened(p.slice(start, i + 1))}' may match '/': a class stands for one character of a name`);
      return { regex: negated ? `[^/${body}]` : `(?:[${body}])`, end: i + 1 };
    }
    if (ch === '/') return undefined;
    if (ch === '\\' && i + 1 < p.length) {
      // `\W` is the letter W, as in bash; RE2 would read it as a class of its own.
      const next = p[i + 1]!;
      body += /[\\\]^[-]/.test(next) ? `\\${next}` : /[\p{L}\p{N}]/u.test(next) ? next : `\\${next}`;
      i += 2;
    } else {
      // `-` between two characters is a range; anything else RE2 treats specially is escaped.
      body += ch === '-' && !first && p[i + 1] !== ']' ? '-' : /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
      i++;
    }
    first = false;
  }
  return undefined;
}

/** Whether a class body (`+-0`) takes in `/`: RE2 can't subtract it from a range, so such a class is refused. */
function classMatchesSlash(body: string): boolean {
  try {
    return re2().compile(`[${body}]`).matches('/');
  } catch (e) {
    throw new GlobError(`the class [${shortened(body)}] is not valid: ${(e as Error).message.slice(0, 200)}`);
  }
}

/** `{a,b}` from `start`: the top-level alternatives and the index after `}`, or undefined (unclosed, or no comma). */
function alternatives(p: string, start: number): { parts: string[]; end: number } | undefined {
  let depth = 0;
  const parts: string[] = [];
  let from = start + 1;
  for (let i = start; i < p.length; i++) {
    const ch = p[i];
    if (ch === '\\') {
      i++;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) {
        if (parts.length === 0) return undefined;
        parts.push(p.slice(from, i));
        return { parts, end: i + 1 };
      }
    } else if (ch === ',' && depth === 1) {
      parts.push(p.slice(from, i));
      from = i + 1;
    }
  }
  return undefined;
}
