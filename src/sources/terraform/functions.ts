import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { TemplatePart } from './hcl/ast';
import { asBool, asInteger, asList, asNumber, asObject, asString, templateString } from './convert';
import type { EvalBudget } from './budget';
import { EvalError } from './eval-error';
import { GoRegexp } from './regex';
import { convertForFunction } from './types';
import {
  ReferenceValue,
  UnknownValue,
  compareStrings,
  distinct,
  findNotKnown,
  findUnknownFirst,
  getKey,
  isObjectValue,
  newObject,
  numberToString,
  setKey,
  sortedKeys,
  valueFromJson,
  valueKey,
  deepSize,
  shallowSize,
  valuesEqual,
  type ObjectValue,
  type Value,
} from './values';

/** What functions need from the module being evaluated (files are read relative to the root module). */
export interface FunctionHost {
  readFile(path: string): string | UnknownValue;
  fileExists(path: string): boolean | UnknownValue;
  parseTemplateFile(path: string): TemplatePart[] | UnknownValue;
}

interface FunctionDef {
  /** `describeCall` renders the call, for results that are references. */
  impl: (args: Value[], host: FunctionHost, describeCall: () => string, budget: EvalBudget) => Value;
  min: number;
  max: number;
  /**
   * What the function copes with itself: `elements` are unknowns and references inside its
   * arguments (`length` of a list holding one), `all` also arguments that are one (`coalesce`).
   * Otherwise any of them makes the whole result unknown or a reference.
   */
  partial: false | 'elements' | 'all';
  /**
   * How lists and maps given are charged: `deep` for functions comparing or keying whole values
   * (contains, distinct...), all levels down; `none` for those that only look one element up
   * (length, lookup, element); by default their number of elements.
   */
  cost?: 'deep' | 'none';
}

/** Terraform's own limit (cty's range function). */
const MAX_RANGE = 1024;

/**
 * Calls a Terraform function on evaluated arguments. Unsupported functions give an unknown
 * value; Terraform errors (wrong types, out of range) throw `EvalError`. The work and what the
 * function builds are charged to `budget` (the scan unit's), which throws `BudgetExceeded`.
 */
export function callFunction(name: string, args: Value[], host: FunctionHost, describeCall: () => string, budget: EvalBudget): Value {
  const def = FUNCTIONS.get(name);
  if (!def) {
    const why = name.includes('::') ? 'provider functions are not evaluated' : 'is not supported by cloudconform';
    return new UnknownValue(`function ${name}() ${why}`);
  }
  if (args.length < def.min || args.length > def.max) {
    const expected = def.min === def.max ? `${def.min}` : def.max === Infinity ? `at least ${def.min}` : `${def.min} to ${def.max}`;
    throw new EvalError(`${name}() takes ${expected} argument${def.min === 1 && def.max === 1 ? '' : 's'}, not ${args.length}`);
  }
  if (def.partial !== 'all') {
    const notKnown = def.partial === 'elements' ? args.find((a) => a instanceof UnknownValue || a instanceof ReferenceValue) : findUnknownFirst(args);
    if (notKnown instanceof UnknownValue) return notKnown;
    if (notKnown instanceof ReferenceValue) return new ReferenceValue(describeCall());
  }
  budget.work(argumentsCost(args, def.cost));
  const result = def.impl(args, host, describeCall, budget);
  // Lists a function returns are charged as built (some are the argument itself: harmless).
  if (Array.isArray(result)) budget.collection(result.length);
  return result;
}

/**
 * The steps a function may take over its arguments: one per list element (all levels down for
 * functions comparing values), one per 16 characters (`upper` of 16 MB takes ~20 ms, like a
 * million evaluation steps).
 */
function argumentsCost(args: readonly Value[], how: FunctionDef['cost']): number {
  let cost = args.length;
  for (const a of args) {
    if (typeof a === 'string') cost += a.length >> 4;
    else if (how === 'deep') cost += deepSize(a);
    else if (how !== 'none') cost += shallowSize(a);
  }
  return cost;
}

/** A function that compares or keys whole values. */
function deep(def: FunctionDef): FunctionDef {
  return { ...def, cost: 'deep' };
}

/** A function that looks at one element of a list or map, or at its size (kept per value). */
function lookupOnly(def: FunctionDef): FunctionDef {
  return { ...def, cost: 'none' };
}

function fn(min: number, max: number, impl: FunctionDef['impl'], partial: FunctionDef['partial'] = false): FunctionDef {
  return { impl, min, max, partial };
}

function str(impl: (s: string) => string): FunctionDef {
  return fn(1, 1, ([s], _host, _call, budget) => limit(impl(asString(s as Value)), budget));
}

/** A string a function built, charged to the budget. */
function limit(s: string, budget: EvalBudget): string {
  budget.string(s.length);
  return s;
}

function arg(args: Value[], i: number): Value {
  return args[i] as Value;
}

/** A partial function met an unknown or reference inside a value it must look into. */
function notKnownResult(v: Value): Value | undefined {
  const found = findNotKnown(v);
  if (!found) return undefined;
  return found instanceof UnknownValue ? found : new UnknownValue(`depends on ${found.reference}, known only after apply`);
}

const FUNCTIONS = new Map<string, FunctionDef>([
  // Strings
  ['lower', str((s) => s.toLowerCase())],
  ['upper', str((s) => s.toUpperCase())],
  ['title', str((s) => s.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, pre: string, c: string) => pre + c.toUpperCase()))],
  ['trimspace', str((s) => s.replace(/^\s+|\s+$/gu, ''))],
  // cty's chomp removes (?:\r\n?|\n)*\z: every trailing \r and \n. A loop, as /(\r?\n)+$/ took
  // quadratic time on newlines followed by another character (40,000: 8 s).
  ['chomp', str((s) => {
    let end = s.length;
    while (end > 0 && (s[end - 1] === '\n' || s[end - 1] === '\r')) end--;
    return s.slice(0, end);
  })],
  ['strrev', str((s) => Array.from(s).reverse().join(''))],
  ['trim', fn(2, 2, ([s, cut]) => trimChars(asString(s as Value), asString(cut as Value), true, true))],
  ['trimprefix', fn(2, 2, ([s, p]) => { const t = asString(s as Value); const pre = asString(p as Value); return t.startsWith(pre) ? t.slice(pre.length) : t; })],
  ['trimsuffix', fn(2, 2, ([s, p]) => { const t = asString(s as Value); const suf = asString(p as Value); return suf && t.endsWith(suf) ? t.slice(0, -suf.length) : t; })],
  ['startswith', fn(2, 2, ([s, p]) => asString(s as Value).startsWith(asString(p as Value)))],
  ['endswith', fn(2, 2, ([s, p]) => asString(s as Value).endsWith(asString(p as Value)))],
  ['strcontains', fn(2, 2, ([s, p]) => asString(s as Value).includes(asString(p as Value)))],
  ['indent', fn(2, 2, ([n, s], _host, _call, budget) => {
    const text = asString(s as Value);
    const spaces = Math.max(0, asInteger(n as Value));
    // Checked before building: indent(1e9, "a\nb") must not try.
    budget.string(text.length + countOf(text, '\n') * spaces);
    return text.replace(/\n/g, `\n${' '.repeat(spaces)}`);
  })],
  ['join', fn(2, Infinity, (args, _host, _call, budget) => {
    const sep = asString(arg(args, 0));
    const items = args.slice(1).flatMap((l) => asList(l, 'join() list'));
    return limit(items.map((i) => templateString(i)).join(sep), budget);
  })],
  ['split', fn(2, 2, ([sep, s], _host, _call, budget) => {
    const text = asString(s as Value);
    const separator = asString(sep as Value);
    // Counted before splitting: a 16 MB string of commas would be 16 million strings.
    budget.collection(separator === '' ? text.length : countOf(text, separator) + 1);
    // Go's strings.Split with "" splits into characters (code points, not UTF-16 units).
    return separator === '' ? Array.from(text) : text.split(separator);
  })],
  ['replace', fn(3, 3, ([s, search, repl], _host, _call, budget) => replace(asString(s as Value), asString(search as Value), asString(repl as Value), budget))],
  ['substr', fn(3, 3, ([s, off, len]) => substr(asString(s as Value), asInteger(off as Value), asInteger(len as Value)))],
  ['format', fn(1, Infinity, (args, _host, _call, budget) => format(asString(arg(args, 0)), args.slice(1), budget))],
  ['formatlist', fn(1, Infinity, (args, _host, _call, budget) => formatList(asString(arg(args, 0)), args.slice(1), budget))],
  ['regex', fn(2, 2, ([p, s], _host, _call, budget) => regexMatch(asString(p as Value), asString(s as Value), false, budget))],
  ['regexall', fn(2, 2, ([p, s], _host, _call, budget) => regexMatch(asString(p as Value), asString(s as Value), true, budget))],

  // Collections
  ['length', lookupOnly(fn(1, 1, ([v]) => {
    if (typeof v === 'string') return codePoints(v);
    if (Array.isArray(v)) return v.length;
    if (isObjectValue(v)) return shallowSize(v);
    throw new EvalError('length() needs a string, list or map');
  }, 'elements'))],
  ['concat', fn(0, Infinity, (args) => args.flatMap((l) => asList(l, 'concat() argument')), 'elements')],
  ['merge', fn(0, Infinity, (args, _host, _call, budget) => {
    const out = newObject();
    for (const m of args) {
      if (m === null) continue;
      const obj = asObject(m, 'merge() argument');
      const keys = Object.keys(obj);
      budget.collection(keys.length);
      for (const k of keys) setKey(out, k, obj[k] as Value);
    }
    return out;
  }, 'elements')],
  ['lookup', lookupOnly(fn(2, 3, (args) => {
    const map = asObject(arg(args, 0), 'lookup() map');
    const key = arg(args, 1);
    if (key instanceof UnknownValue) return key;
    if (key instanceof ReferenceValue) return new UnknownValue(`lookup key depends on ${key.reference}, known only after apply`);
    const v = getKey(map, asString(key));
    if (v !== undefined) return v;
    if (args.length === 3) return arg(args, 2);
    throw new EvalError(`lookup(): the map has no key "${asString(key)}" and no default was given`);
  }, 'elements'))],
  ['element', lookupOnly(fn(2, 2, ([l, i]) => {
    const list = asList(l as Value, 'element() list');
    if (i instanceof UnknownValue) return i;
    if (i instanceof ReferenceValue) return new UnknownValue(`element index depends on ${i.reference}, known only after apply`);
    if (list.length === 0) throw new EvalError('element() can\'t take an element from an empty list');
    const n = asInteger(i as Value, 'element() index');
    if (n < 0) throw new EvalError('element() index must not be negative');
    return list[n % list.length] as Value;
  }, 'elements'))],
  ['keys', fn(1, 1, ([m]) => sortedKeys(asObject(m as Value, 'keys() argument')), 'elements')],
  ['values', fn(1, 1, ([m]) => { const obj = asObject(m as Value, 'values() argument'); return sortedKeys(obj).map((k) => obj[k] as Value); }, 'elements')],
  ['contains', deep(fn(2, 2, ([l, v]) => asList(l as Value, 'contains() list').some((x) => valuesEqual(x, v as Value))))],
  ['coalesce', fn(1, Infinity, (args) => {
    for (const a of args) {
      if (a instanceof UnknownValue) return a;
      if (a instanceof ReferenceValue) return a;
      if (a !== null && a !== '') return a;
    }
    throw new EvalError('coalesce(): every argument is null or an empty string');
  }, 'all')],
  ['coalescelist', fn(1, Infinity, (args) => {
    for (const a of args) {
      if (a instanceof UnknownValue || a instanceof ReferenceValue) return a;
      if (asList(a, 'coalescelist() argument').length > 0) return a;
    }
    return [];
  }, 'all')],
  ['compact', fn(1, 1, ([l]) => asList(l as Value, 'compact() list').filter((x) => x !== null && x !== '').map((x) => templateString(x)))],
  ['flatten', deep(fn(1, 1, ([l], _, describeCall) => {
    const flat = flatten(asList(l as Value, 'flatten() argument'));
    // A reference may stand for a list: the result exists, its elements are not known.
    return flat instanceof ReferenceValue ? new ReferenceValue(describeCall()) : flat;
  }, 'elements'))],
  ['distinct', deep(fn(1, 1, ([l]) => distinct(asList(l as Value, 'distinct() list'))))],
  ['sort', fn(1, 1, ([l]) => asList(l as Value, 'sort() list').map((x) => templateString(x)).sort(compareStrings))],
  ['reverse', fn(1, 1, ([l]) => [...asList(l as Value, 'reverse() list')].reverse(), 'elements')],
  ['slice', fn(3, 3, ([l, a, b]) => {
    const list = asList(l as Value, 'slice() list');
    const notKnown = findUnknownFirst([a as Value, b as Value]);
    if (notKnown) return notKnownResult(notKnown) as Value;
    const start = asInteger(a as Value);
    const end = asInteger(b as Value);
    if (start < 0 || end > list.length || start > end) throw new EvalError(`slice() indexes ${start}, ${end} are out of range`);
    return list.slice(start, end);
  }, 'elements')],
  ['index', deep(fn(2, 2, ([l, v]) => {
    const i = asList(l as Value, 'index() list').findIndex((x) => valuesEqual(x, v as Value));
    if (i < 0) throw new EvalError('index(): the value is not in the list');
    return i;
  }))],
  ['one', fn(1, 1, ([l]) => {
    const list = asList(l as Value, 'one() argument');
    if (list.length > 1) throw new EvalError(`one() needs a list of at most one element, not ${list.length}`);
    return list.length === 0 ? null : (list[0] as Value);
  }, 'elements')],
  ['zipmap', fn(2, 2, ([k, v], _host, _call, budget) => {
    const keys = asList(k as Value, 'zipmap() keys');
    const notKnown = notKnownResult(keys);
    if (notKnown) return notKnown;
    const values = asList(v as Value, 'zipmap() values');
    if (keys.length !== values.length) throw new EvalError('zipmap() needs as many values as keys');
    budget.collection(keys.length);
    return newObject(keys.map((key, i) => [templateString(key), values[i] as Value] as const));
  }, 'elements')],
  ['range', fn(1, 3, (args) => range(args.map((a) => asNumber(a))))],
  ['chunklist', fn(2, 2, ([l, n]) => {
    const list = asList(l as Value, 'chunklist() list');
    const size = asInteger(n as Value, 'chunklist() size');
    if (size < 0) throw new EvalError('chunklist() size must not be negative');
    if (size === 0) return [list];
    const out: Value[] = [];
    for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
    return out;
  }, 'elements')],
  ['setunion', deep(fn(1, Infinity, (args) => distinct(args.flatMap((l) => asList(l, 'setunion() argument')))))],
  ['setintersection', deep(fn(1, Infinity, (args) => {
    const [first, ...rest] = args.map((l) => asList(l, 'setintersection() argument'));
    const others = rest.map((r) => new Set(r.map(valueKey)));
    return distinct((first ?? []).filter((x) => others.every((r) => r.has(valueKey(x)))));
  }))],
  ['setsubtract', deep(fn(2, 2, ([a, b]) => {
    const other = new Set(asList(b as Value, 'setsubtract() argument').map(valueKey));
    return distinct(asList(a as Value, 'setsubtract() argument').filter((x) => !other.has(valueKey(x))));
  }))],
  ['alltrue', fn(1, 1, ([l]) => asList(l as Value, 'alltrue() list').every((x) => asBool(x)))],
  ['anytrue', fn(1, 1, ([l]) => asList(l as Value, 'anytrue() list').some((x) => asBool(x)))],
  ['sum', fn(1, 1, ([l]) => {
    const list = asList(l as Value, 'sum() list');
    if (list.length === 0) throw new EvalError('sum() can\'t sum an empty list');
    return list.reduce<number>((acc, x) => acc + asNumber(x), 0);
  })],
  ['tolist', deep(fn(1, 1, ([v]) => convertForFunction(v as Value, 'list'), 'elements'))],
  ['toset', deep(fn(1, 1, ([v]) => convertForFunction(v as Value, 'set')))],
  ['tomap', deep(fn(1, 1, ([v]) => convertForFunction(v as Value, 'map'), 'elements'))],
  ['tostring', fn(1, 1, ([v]) => (v === null ? null : convertForFunction(v as Value, 'string')), 'elements')],
  ['tonumber', fn(1, 1, ([v]) => (v === null ? null : convertForFunction(v as Value, 'number')))],
  ['tobool', fn(1, 1, ([v]) => (v === null ? null : convertForFunction(v as Value, 'bool')))],
  ['sensitive', fn(1, 1, ([v]) => v as Value, 'all')],
  ['nonsensitive', fn(1, 1, ([v]) => v as Value, 'all')],

  // Numbers
  ['min', fn(1, Infinity, (args) => Math.min(...args.map((a) => asNumber(a))))],
  ['max', fn(1, Infinity, (args) => Math.max(...args.map((a) => asNumber(a))))],
  ['abs', fn(1, 1, ([n]) => Math.abs(asNumber(n as Value)))],
  ['ceil', fn(1, 1, ([n]) => Math.ceil(asNumber(n as Value)))],
  ['floor', fn(1, 1, ([n]) => Math.floor(asNumber(n as Value)))],
  ['signum', fn(1, 1, ([n]) => Math.sign(asNumber(n as Value)))],
  ['pow', fn(2, 2, ([a, b]) => Math.pow(asNumber(a as Value), asNumber(b as Value)))],
  ['log', fn(2, 2, ([a, b]) => Math.log(asNumber(a as Value)) / Math.log(asNumber(b as Value)))],
  ['parseint', fn(2, 2, ([s, b]) => {
    const base = asInteger(b as Value);
    const text = asString(s as Value);
    if (base < 2 || base > 62) throw new EvalError('parseint() base must be between 2 and 62');
    const n = parseInt(text, base);
    if (Number.isNaN(n) || !new RegExp(`^[-+]?[0-9a-z]+$`, 'i').test(text)) throw new EvalError(`parseint(): "${text}" is not a number in base ${base}`);
    return n;
  })],

  // Encoding
  ['jsonencode', deep(fn(1, 1, ([v], _host, _call, budget) => limit(jsonEncode(v as Value), budget)))],
  ['jsondecode', fn(1, 1, ([s], _host, _call, budget) => {
    let json: unknown;
    try {
      json = JSON.parse(asString(s as Value));
    } catch (e) {
      throw new EvalError(`jsondecode(): ${(e as Error).message}`);
    }
    // Each array and object decoded is charged: "[[],[],…]" builds many from few characters.
    return valueFromJson(json, (n) => budget.collection(n));
  })],
  ['base64encode', str((s) => Buffer.from(s, 'utf8').toString('base64'))],
  ['base64decode', str((s) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new EvalError('base64decode(): not valid base64');
    return Buffer.from(s, 'base64').toString('utf8');
  })],
  ['urlencode', str((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))],
  ['md5', str((s) => createHash('md5').update(s).digest('hex'))],
  ['sha1', str((s) => createHash('sha1').update(s).digest('hex'))],
  ['sha256', str((s) => createHash('sha256').update(s).digest('hex'))],
  ['sha512', str((s) => createHash('sha512').update(s).digest('hex'))],
  ['base64sha256', str((s) => createHash('sha256').update(s).digest('base64'))],
  ['base64sha512', str((s) => createHash('sha512').update(s).digest('base64'))],

  // Network
  ['cidrsubnet', fn(3, 3, ([p, bits, num]) => cidrSubnet(asString(p as Value), asInteger(bits as Value), asInteger(num as Value)))],
  ['cidrsubnets', fn(1, Infinity, (args) => cidrSubnets(asString(arg(args, 0)), args.slice(1).map((a) => asInteger(a))))],
  ['cidrhost', fn(2, 2, ([p, num]) => cidrHost(asString(p as Value), asInteger(num as Value)))],
  ['cidrnetmask', fn(1, 1, ([p]) => cidrNetmask(asString(p as Value)))],

  // Files, relative to the root module as Terraform runs there.
  ['file', fn(1, 1, ([p], host) => host.readFile(asString(p as Value)))],
  ['fileexists', fn(1, 1, ([p], host) => host.fileExists(asString(p as Value)))],
  ['filebase64', fn(1, 1, ([p], host) => { const t = host.readFile(asString(p as Value)); return typeof t === 'string' ? Buffer.from(t, 'utf8').toString('base64') : t; })],
  ['basename', str((s) => posix.basename(s))],
  ['dirname', str((s) => posix.dirname(s))],

  // Values that differ on every run or depend on the machine: unknown, as at plan time.
  ['timestamp', fn(0, 0, () => new UnknownValue('timestamp() is known only when applied'))],
  ['uuid', fn(0, 0, () => new UnknownValue('uuid() changes on every run'))],
  ['bcrypt', fn(1, 2, () => new UnknownValue('bcrypt() changes on every run'))],
  ['abspath', fn(1, 1, () => new UnknownValue('abspath() depends on where Terraform runs'))],
  ['pathexpand', fn(1, 1, () => new UnknownValue('pathexpand() depends on the home directory'))],
]);

function trimChars(s: string, cutset: string, left: boolean, right: boolean): string {
  const cut = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (left && a < b && cut.has(chars[a] as string)) a++;
  while (right && b > a && cut.has(chars[b - 1] as string)) b--;
  return chars.slice(a, b).join('');
}

function substr(s: string, offset: number, length: number): string {
  const chars = Array.from(s);
  let start = offset < 0 ? chars.length + offset : offset;
  if (start < 0) start = 0;
  if (start > chars.length) throw new EvalError('substr(): offset is out of range');
  const end = length < 0 ? chars.length : Math.min(chars.length, start + length);
  return chars.slice(start, end).join('');
}

/** Terraform's replace(): a /pattern/ is a regular expression (Go's ReplaceAllString). */
function replace(s: string, search: string, replacement: string, budget: EvalBudget): Value {
  if (search.length > 1 && search.startsWith('/') && search.endsWith('/')) {
    const re = GoRegexp.compile(search.slice(1, -1), (n) => budget.work(n));
    if (typeof re === 'string') return new UnknownValue(re);
    re.chargeSearch(s, (n) => budget.work(n));
    const each = (length: number) => {
      budget.work(2);
      if (length > budget.limits.stringLength) budget.string(length);
    };
    return limit(re.replaceAll(s, replacement, each), budget);
  }
  // Go's strings.Replace with an empty `old` inserts the replacement around every character.
  const pieces = search === '' ? Array.from(s) : s.split(search);
  budget.string(s.length + (pieces.length + (search === '' ? 1 : -1)) * (replacement.length - search.length));
  const joined = pieces.join(replacement);
  return search === '' ? replacement + joined + replacement : joined;
}

/**
 * Terraform's regex() and regexall() (cty's stdlib): no groups gives the matched text, unnamed
 * groups a list, named groups an object; a group that took no part is null.
 */
function regexMatch(pattern: string, s: string, all: boolean, budget: EvalBudget): Value {
  const re = GoRegexp.compile(pattern, (n) => budget.work(n));
  if (typeof re === 'string') return new UnknownValue(re);
  re.chargeSearch(s, (n) => budget.work(n));
  const named = re.groupNames.filter((n) => n !== '').length;
  if (named > 0 && named < re.groupNames.length) {
    throw new EvalError('invalid regexp pattern: cannot mix both named and unnamed capture groups');
  }
  const toValue = (m: number[]): Value => {
    const group = (g: number): Value => ((m[2 * g] as number) < 0 ? null : s.slice(m[2 * g], m[2 * g + 1]));
    if (re.groupNames.length === 0) return group(0);
    if (named === 0) return re.groupNames.map((_, i) => group(i + 1));
    return newObject(re.groupNames.map((name, i) => [name, group(i + 1)] as const));
  };
  if (all) {
    const each = () => {
      budget.work(2);
      budget.collection(1 + re.groupNames.length);
    };
    return re.findAll(s, each).map(toValue);
  }
  const m = re.findAt(s, 0);
  if (!m) throw new EvalError(`regex(): pattern ${JSON.stringify(pattern)} did not match any part of the given string`);
  return toValue(m);
}

/** The flattened list, or the first unknown or reference met where a list may be. */
function flatten(list: Value[]): Value[] | UnknownValue | ReferenceValue {
  const out: Value[] = [];
  for (const item of list) {
    if (item instanceof UnknownValue) return item;
    if (item instanceof ReferenceValue) return item;
    if (Array.isArray(item)) {
      const inner = flatten(item);
      if (!Array.isArray(inner)) return inner;
      out.push(...inner);
    } else {
      out.push(item);
    }
  }
  return out;
}

function range(nums: number[]): Value {
  const [a, b, c] = nums;
  const start = nums.length === 1 ? 0 : (a as number);
  const end = nums.length === 1 ? (a as number) : (b as number);
  const step = nums.length === 3 ? (c as number) : start <= end ? 1 : -1;
  if (step === 0) throw new EvalError('range() step must not be zero');
  if ((end > start && step < 0) || (end < start && step > 0)) {
    throw new EvalError('range() step goes the wrong way');
  }
  const out: number[] = [];
  for (let i = start; step > 0 ? i < end : i > end; i += step) {
    if (out.length >= MAX_RANGE) throw new EvalError(`range() would generate more than ${MAX_RANGE} values`);
    out.push(i);
  }
  return out;
}

/** Go's fmt verbs as Terraform's format() knows them. */
function format(spec: string, args: Value[], budget: EvalBudget): string {
  let out = '';
  let next = 0;
  // The width starts with 1-9 (a 0 is a flag): with `(\d+)?` after `[-+# 0]*`, "%000…0!" was
  // split every way between the two (40,000 zeros: 28 s).
  const re = /%(?:\[(\d+)\])?([-+# 0]*)([1-9]\d*)?(?:\.(\d+))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(spec); m; m = re.exec(spec)) {
    out += spec.slice(last, m.index);
    last = re.lastIndex;
    const [, explicit, flags = '', widthText, precisionText, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (explicit) next = Number(explicit) - 1;
    if (next >= args.length) throw new EvalError(`format(): not enough arguments for "${spec}"`);
    const v = args[next++] as Value;
    const precision = precisionText === undefined ? undefined : Number(precisionText);
    let text = formatVerb(verb as string, v, flags, precision);
    const width = Number(widthText ?? 0);
    // Checked before padding: format("%999999999s", "") must not try to build it.
    if (out.length + width > budget.limits.stringLength) budget.string(out.length + width);
    if (text.length < width) {
      if (flags.includes('-')) text = text.padEnd(width);
      else if (flags.includes('0') && /[dfeEgGxXob]/.test(verb as string)) {
        const sign = /^[-+]/.test(text) ? (text[0] as string) : '';
        text = sign + text.slice(sign.length).padStart(width - sign.length, '0');
      } else text = text.padStart(width);
    }
    out += text;
    if (out.length > budget.limits.stringLength) budget.string(out.length);
  }
  out += spec.slice(last);
  return limit(out, budget);
}

function formatVerb(verb: string, v: Value, flags: string, precision: number | undefined): string {
  const signed = (n: number, s: string) => (n >= 0 && flags.includes('+') ? `+${s}` : n >= 0 && flags.includes(' ') ? ` ${s}` : s);
  switch (verb) {
    case 'v':
      if (flags.includes('#')) return jsonEncode(v);
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? templateString(v) : v === null ? 'null' : jsonEncode(v);
    case 's': {
      const s = templateString(v);
      return precision === undefined ? s : Array.from(s).slice(0, precision).join('');
    }
    case 'q':
      return JSON.stringify(templateString(v));
    case 't':
      return String(asBool(v));
    case 'd': {
      const n = asNumber(v);
      if (!Number.isInteger(n)) throw new EvalError(`format(): %d needs a whole number, not ${n}`);
      return signed(n, numberToString(n));
    }
    case 'f':
    case 'F': {
      const n = asNumber(v);
      return signed(n, n.toFixed(precision ?? 6));
    }
    case 'e':
    case 'E': {
      const n = asNumber(v);
      const s = n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return signed(n, verb === 'E' ? s.toUpperCase() : s);
    }
    case 'g':
    case 'G': {
      const n = asNumber(v);
      return signed(n, precision === undefined ? String(n) : n.toPrecision(precision));
    }
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      if (typeof v === 'string' && verb !== 'b' && verb !== 'o' && !/^-?\d+$/.test(v)) {
        const hex = Buffer.from(v, 'utf8').toString('hex');
        return verb === 'X' ? hex.toUpperCase() : hex;
      }
      const n = asInteger(v);
      const base = verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
      const s = n.toString(base);
      return verb === 'X' ? s.toUpperCase() : s;
    }
    default:
      throw new EvalError(`format(): unsupported verb %${verb}`);
  }
}

function formatList(spec: string, args: Value[], budget: EvalBudget): Value {
  const lists = args.filter((a) => Array.isArray(a)) as Value[][];
  const n = lists.length === 0 ? 1 : (lists[0] as Value[]).length;
  if (lists.some((l) => l.length !== n)) throw new EvalError('formatlist(): all lists must have the same length');
  const out: Value[] = [];
  for (let i = 0; i < n; i++) out.push(format(spec, args.map((a) => (Array.isArray(a) ? (a[i] as Value) : a)), budget));
  return out;
}

/** Terraform's jsonencode: object keys sorted, HTML-sensitive characters escaped as Go does. */
function jsonEncode(v: Value): string {
  const encode = (x: Value): string => {
    if (x === null) return 'null';
    if (typeof x === 'string') return JSON.stringify(x).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new EvalError('jsonencode(): a number must be finite');
      return numberToString(x);
    }
    if (typeof x === 'boolean') return String(x);
    if (Array.isArray(x)) return `[${x.map(encode).join(',')}]`;
    if (x instanceof UnknownValue || x instanceof ReferenceValue) throw new EvalError('jsonencode(): value not known');
    return `{${sortedKeys(x).map((k) => `${encode(k)}:${encode((x as ObjectValue)[k] as Value)}`).join(',')}}`;
  };
  return encode(v);
}

function parseIpv4Cidr(prefix: string): { ip: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(prefix);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new EvalError(`invalid CIDR ${prefix}`);
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { ip, bits };
}

function ipv4ToString(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function cidrSubnet(prefix: string, newbits: number, netnum: number): Value {
  const cidr = parseIpv4Cidr(prefix);
  if (!cidr) return new UnknownValue(`cidrsubnet() of ${prefix} is not evaluated offline (IPv6)`);
  const bits = cidr.bits + newbits;
  if (newbits < 0 || bits > 32) throw new EvalError(`cidrsubnet(): ${newbits} more bits don't fit in ${prefix}`);
  if (netnum < 0 || netnum >= 2 ** newbits) throw new EvalError(`cidrsubnet(): network number ${netnum} doesn't fit in ${newbits} bits`);
  const base = cidr.ip - (cidr.ip % 2 ** (32 - cidr.bits));
  return `${ipv4ToString(base + netnum * 2 ** (32 - bits))}/${bits}`;
}

/** Consecutive subnets of the given sizes, each aligned to its own size, as Terraform allocates them. */
function cidrSubnets(prefix: string, newbits: number[]): Value {
  const cidr = parseIpv4Cidr(prefix);
  if (!cidr) return new UnknownValue(`cidrsubnets() of ${prefix} is not evaluated offline (IPv6)`);
  const base = cidr.ip - (cidr.ip % 2 ** (32 - cidr.bits));
  const end = base + 2 ** (32 - cidr.bits);
  let next = base;
  const out: Value[] = [];
  for (const bits of newbits) {
    const length = cidr.bits + bits;
    if (bits < 1 || length > 32) throw new EvalError(`cidrsubnets(): ${bits} more bits don't fit in ${prefix}`);
    const size = 2 ** (32 - length);
    const start = Math.ceil(next / size) * size;
    if (start + size > end) throw new EvalError(`cidrsubnets(): not enough room in ${prefix}`);
    out.push(`${ipv4ToString(start)}/${length}`);
    next = start + size;
  }
  return out;
}

function cidrHost(prefix: string, hostnum: number): Value {
  const cidr = parseIpv4Cidr(prefix);
  if (!cidr) return new UnknownValue(`cidrhost() of ${prefix} is not evaluated offline (IPv6)`);
  const size = 2 ** (32 - cidr.bits);
  const n = hostnum < 0 ? size + hostnum : hostnum;
  if (n < 0 || n >= size) throw new EvalError(`cidrhost(): host number ${hostnum} doesn't fit in ${prefix}`);
  return ipv4ToString(cidr.ip - (cidr.ip % size) + n);
}

function cidrNetmask(prefix: string): Value {
  const cidr = parseIpv4Cidr(prefix);
  if (!cidr) return new UnknownValue(`cidrnetmask() of ${prefix} is not evaluated offline (IPv6)`);
  return ipv4ToString(2 ** 32 - 2 ** (32 - cidr.bits));
}

/** Characters as Terraform counts them (Unicode code points), without building an array. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function countOf(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}
