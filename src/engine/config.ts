import { existsSync, lstatSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { load as loadYaml, JSON_SCHEMA, YAMLException } from 'js-yaml';
import { GlobError, globMatcher, type GlobOptions } from './glob';
import { RISK_ORDER, type Risk } from '../rules/rule';
import { findRule } from '../rules/index';
import { repositoryRootOf } from '../sources/paths';
import { unknownRuleMessage } from '../sources/skips';
import { expiryProblem, hasExpired, isReasonGiven } from '../model/expires';
import type { ScanNote } from '../sources/source';
import { readTextFile } from './files';

/**
 * `.cloudconform.yml`: which rules run, and exceptions (by rule, path, resource id) with a
 * required reason. Suppressed results stay in every report, marked with the reason.
 */
export interface Config {
  rules?: { include?: string[]; exclude?: string[] };
  failOn?: Risk;
  exclude?: string[];
  exceptions: ConfigException[];
  /** Where the config came from, for messages. */
  file?: string;
}

export interface ConfigException {
  /** Rule ids, or `*` for all. */
  rules: string[];
  /** Globs on the finding's file path (relative, forward slashes); empty = any. */
  paths: string[];
  /** Globs on the resource id (logical id, Terraform address, ARN) or name; empty = any. */
  resources: string[];
  /**
   * Tags the live resource must carry, every one with exactly this value (`{ team: sandbox }`).
   * Live audits only: a template's tags are not all a resource gets (stack tags, default_tags).
   */
  tags?: Record<string, string>;
  reason: string;
  /** The last day it applies (YYYY-MM-DD, to the end of that day in UTC); then findings show it expired. */
  expires?: string;
  /** The config file it was read from, for the findings it suppresses. */
  file?: string;
}

export const CONFIG_FILE_NAME = '.cloudconform.yml';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function emptyConfig(): Config {
  return { exceptions: [] };
}

export function loadConfigFile(path: string): Config {
  // Not a regular file (a FIFO would block the scan), too large or binary: an error, never a wait.
  const read = readTextFile(path);
  if (!read.ok) throw new ConfigError(`${path}: can't read: ${read.reason}`);
  let data: unknown;
  try {
    data = loadYaml(read.text, { schema: JSON_SCHEMA, filename: path });
  } catch (e) {
    // The reason and position only: js-yaml's message quotes the lines around the error, and a
    // planted `.cloudconform.yml` linked to a credentials file would print them into CI logs.
    if (e instanceof YAMLException && e.mark) throw new ConfigError(`${path}:${e.mark.line + 1}:${e.mark.column + 1}: ${e.reason}`);
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
  const config = parseConfig(data ?? {}, path);
  for (const e of config.exceptions) e.file = path;
  return { ...config, file: path };
}

/**
 * The config named on the command line; else the `.cloudconform.yml` nearest each scanned path,
 * looking in its directory and then its parents up to the repository root (the first directory
 * holding `.git`); else the one in the working directory; else none. Outside a repository only
 * the scanned directory itself is looked in: a parent such as `/tmp` may hold anyone's file.
 * Paths whose configs differ are a usage error: one run has one configuration.
 */
export function findConfig(explicit: string | undefined, cwd: string, scanned: readonly string[] = []): Config {
  if (explicit) return loadConfigFile(explicit);
  // The working directory's is yours to trust only if it is yours (`cd /tmp && … | cloudconform scan -`).
  const inCwd = join(cwd, CONFIG_FILE_NAME);
  const fallback = existsSync(inCwd) && isOurs(inCwd) ? inCwd : undefined;
  // Each path's configuration: its nearest, else the working directory's, else none. A path
  // without one of its own takes no other path's: `scan vendor/lib infra` must not apply
  // vendor/lib's exclusions to infra.
  const chosen = new Map<string, string>();
  for (const path of scanned) {
    if (path === '-' || path.startsWith('/dev/')) continue;
    const config = nearestConfig(resolve(cwd, path)) ?? fallback;
    chosen.set(config ?? 'no configuration', path);
  }
  if (chosen.size > 1) {
    const which = [...chosen].map(([config, path]) => `${path}: ${config}`).join('; ');
    throw new ConfigError(`the scanned paths have different configurations (${which}): scan them separately, or choose one with --config`);
  }
  const [only] = chosen.keys();
  if (only !== undefined) return only === 'no configuration' ? emptyConfig() : loadConfigFile(only);
  return fallback ? loadConfigFile(fallback) : emptyConfig();
}

/** The directory a config's path globs are relative to: its own, or the working directory for none. */
export function configDir(config: Config): string | undefined {
  return config.file ? dirname(resolve(config.file)) : undefined;
}

/**
 * The `.cloudconform.yml` in `path`'s directory, else in a parent up to the repository root. A
 * parent's is used only if it is yours (owned by the user running the scan), as git trusts a
 * repository only if it is (safe.directory): on a shared machine, anyone can write `/tmp/.git`
 * and `/tmp/.cloudconform.yml` above your checkout.
 */
function nearestConfig(path: string): string | undefined {
  // A directory you scan is trusted as it is; the directory of a file you scan is not (a plan in
  // a shared /tmp: `scan /tmp/plan.json` must not take /tmp/.cloudconform.yml from anyone).
  const scannedDir = isDirectory(path) ? path : undefined;
  const start = scannedDir ?? dirname(path);
  const root = repositoryRootOf(start, isOurs);
  for (let dir = start; ; ) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate) && (dir === scannedDir || isOurs(candidate))) return candidate;
    if (root === undefined || dir === root) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Owned by the user running the scan (always true where there are no user ids). */
function isOurs(path: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return true;
  try {
    return lstatSync(path).uid === uid;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A matcher for path globs written relative to `baseDir` (a config's own directory, or the
 * working directory for --skip-path), given paths as the scan shows them (relative to the working
 * directory, or absolute). A path outside `baseDir` is matched as the scan shows it.
 */
export function pathGlobMatcher(patterns: readonly string[], baseDir: string | undefined, options: { basename?: boolean } = {}): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const isMatch = globMatcher(patterns, options);
  return (path) => isMatch(globPathFrom(baseDir, path));
}

/**
 * A file as path globs see it: relative to `baseDir` with forward slashes when inside it, else as
 * the scan shows it (relative to the working directory, or absolute), without a leading `./`.
 */
export function globPathFrom(baseDir: string | undefined, file: string): string {
  const shown = file.replace(/\\/g, '/').replace(/^\.\//, '');
  if (baseDir === undefined) return shown;
  const rel = relative(baseDir, resolve(file)).replace(/\\/g, '/');
  return rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel) ? shown : rel;
}

/** Most glob text in one configuration: each exception's globs are matched for every finding. */
const MAX_CONFIG_GLOB_TEXT = 16_384;

/** Globs a matcher accepts (length, braces, classes): a bad one is a configuration error, found before the scan. */
function checkedGlobs(globs: string[], where: string, options: GlobOptions = {}): string[] {
  try {
    globMatcher(globs, options);
  } catch (e) {
    if (e instanceof GlobError) throw new ConfigError(`${where}: ${e.message}`);
    throw e;
  }
  return globs;
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new ConfigError(`${where} must be a string or a list of strings`);
}

export function parseConfig(data: unknown, file = CONFIG_FILE_NAME): Config {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${file}: the configuration must be a mapping`);
  }
  const d = data as Record<string, unknown>;
  const known = new Set(['rules', 'failOn', 'fail-on', 'exclude', 'exceptions']);
  for (const key of Object.keys(d)) {
    if (!known.has(key)) throw new ConfigError(`${file}: unknown setting '${key}' (expected one of ${[...known].join(', ')})`);
  }
  const config: Config = { exceptions: [] };
  if (d.rules !== undefined) {
    const r = d.rules as Record<string, unknown>;
    if (typeof r !== 'object' || r === null) throw new ConfigError(`${file}: 'rules' must be a mapping with include/exclude`);
    config.rules = {
      include: ruleIds(stringList(r.include, `${file}: rules.include`), `${file}: rules.include`),
      exclude: ruleIds(stringList(r.exclude, `${file}: rules.exclude`), `${file}: rules.exclude`),
    };
  }
  const failOn = d.failOn ?? d['fail-on'];
  if (failOn !== undefined && String(failOn).trim().toLowerCase() === 'none') {
    // The repository is the input under test: its configuration can't turn the gate off.
    throw new ConfigError(`${file}: failOn: none is not allowed in a configuration file: only --fail-on none or CLOUDCONFORM_FAIL_ON=none can say findings never fail`);
  }
  if (failOn !== undefined) config.failOn = parseRisk(String(failOn), `${file}: failOn`);
  const globText = [d.exclude, ...(Array.isArray(d.exceptions) ? d.exceptions.flatMap((e: Record<string, unknown>) => [e?.path, e?.paths, e?.resource, e?.resources]) : [])]
    .flat()
    .reduce((n: number, g) => n + (typeof g === 'string' ? g.length : 0), 0);
  if (globText > MAX_CONFIG_GLOB_TEXT) {
    throw new ConfigError(`${file}: its globs hold ${globText} characters in all: at most ${MAX_CONFIG_GLOB_TEXT} (each is matched against every path or finding)`);
  }
  config.exclude = checkedGlobs(stringList(d.exclude, `${file}: exclude`), `${file}: exclude`);
  const exceptions = d.exceptions ?? [];
  if (!Array.isArray(exceptions)) throw new ConfigError(`${file}: 'exceptions' must be a list`);
  exceptions.forEach((raw, i) => {
    const where = `${file}: exceptions[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${where} must be a mapping`);
    const e = raw as Record<string, unknown>;
    const reason = typeof e.reason === 'string' ? e.reason.trim() : '';
    if (!isReasonGiven(reason)) throw new ConfigError(`${where}: a reason is required for every exception`);
    const rules = stringList(e.rule ?? e.rules, `${where}.rules`);
    if (rules.length === 0) throw new ConfigError(`${where}: name the rule(s) it applies to ('rules: [SageMaker-004]' or '*')`);
    const canonical = rules.map((id) => (id === '*' ? id : ruleIds([id], `${where}.rules`)[0]!));
    const paths = checkedGlobs(stringList(e.path ?? e.paths, `${where}.paths`), `${where}.paths`);
    const resources = checkedGlobs(stringList(e.resource ?? e.resources, `${where}.resources`), `${where}.resources`, { literalBrackets: true, negate: true });
    const tags = e.tags === undefined ? undefined : tagMap(e.tags, `${where}.tags`);
    let expires: string | undefined;
    if (e.expires !== undefined) {
      expires = String(e.expires);
      const problem = expiryProblem(expires);
      if (problem) throw new ConfigError(`${where}.expires: ${problem}`);
    }
    config.exceptions.push({ rules: canonical, paths, resources, ...(tags ? { tags } : {}), reason, expires });
  });
  return config;
}

/**
 * Rule ids as the rules name themselves, aliases (CKV_AWS_122) accepted. An unknown id is an
 * error, never ignored: an exception with a typo would suppress nothing, and `include` with one
 * would run no rule and pass.
 */
function ruleIds(ids: string[], where: string): string[] {
  return ids.map((id) => {
    const rule = findRule(id.trim());
    if (!rule) throw new ConfigError(`${where}: ${unknownRuleMessage(id)}`);
    return rule.meta.id;
  });
}

/** `{ team: sandbox, cost-center: 42 }`: AWS tag values are strings, so scalars are read as text. */
function tagMap(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where} must be a mapping of tag keys to values`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new ConfigError(`${where} must name at least one tag`);
  const tags: Record<string, string> = Object.create(null);
  for (const [key, v] of entries) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new ConfigError(`${where}.${key} must be a single value`);
    tags[key] = String(v);
  }
  return tags;
}

export function parseRisk(value: string, where: string): Risk {
  const found = RISK_ORDER.find((r) => r.toLowerCase().replace(' ', '-') === value.toLowerCase().replace(' ', '-'));
  if (!found) throw new ConfigError(`${where}: '${value}' is not a risk level (${RISK_ORDER.map((r) => r.toLowerCase().replace(' ', '-')).join(', ')})`);
  return found;
}

/** A config exception that matches a finding: `index` in the config's list; `expired` once past its `expires`. */
export interface ExceptionMatch {
  exception: ConfigException;
  index: number;
  expired: boolean;
}

const NO_MATCHES: readonly ExceptionMatch[] = Object.freeze([]);

/**
 * Compiled exception matchers; serialisable config in, fast predicate out. Expired exceptions are
 * kept: they no longer suppress, but a finding they match says that its exception expired.
 */
export class ExceptionMatcher {
  private readonly compiled: {
    exception: ConfigException;
    index: number;
    expired: boolean;
    rule: (id: string) => boolean;
    path: (p: string) => boolean;
    resource: (id: string) => boolean;
    tags: (tags: Record<string, string> | undefined) => boolean;
  }[];

  /**
   * `baseDir`: the config's own directory; exceptions' path globs are relative to it, whatever the
   * working directory (findings' files are relative to the working directory, or absolute).
   */
  constructor(exceptions: ConfigException[], now = new Date(), private readonly baseDir?: string) {
    this.compiled = exceptions.map((exception, index) => ({
      exception,
      index,
      expired: hasExpired(exception.expires, now.getTime()),
      rule: (id: string) => exception.rules.some((r) => r === '*' || r.toLowerCase() === id.toLowerCase()),
      path: exception.paths.length ? globMatcher(exception.paths) : () => true,
      resource: exception.resources.length ? globMatcher(exception.resources, { literalBrackets: true, negate: true }) : () => true,
      tags: exception.tags ? matchesAllTags(exception.tags) : () => true,
    }));
  }

  /**
   * Whether some exception matches on tags: only then are live resources' tags worth reading.
   * Expired ones count, so that a finding can say its tag exception expired.
   */
  get usesTags(): boolean {
    return this.compiled.some((c) => c.exception.tags !== undefined);
  }

  /** Whether some exception for this rule matches on tags (expired ones too): which live resources' tags to read. */
  usesTagsFor(ruleId: string): boolean {
    return this.compiled.some((c) => c.exception.tags !== undefined && c.rule(ruleId));
  }

  /** `tags`: the resource's tags when known (live resources); an exception on tags never matches without them. */
  match(ruleId: string, file: string, resourceIds: string[], tags?: Record<string, string>): ConfigException | undefined {
    return this.matchAll(ruleId, file, resourceIds, tags).find((m) => !m.expired)?.exception;
  }

  /** Every exception that matches, in config order, expired ones included. */
  matchAll(ruleId: string, file: string, resourceIds: string[], tags?: Record<string, string>): readonly ExceptionMatch[] {
    if (this.compiled.length === 0) return NO_MATCHES;
    const path = globPathFrom(file.startsWith('aws://') ? undefined : this.baseDir, file);
    let out: ExceptionMatch[] | undefined;
    for (const c of this.compiled) {
      if (c.rule(ruleId) && c.path(path) && resourceIds.some((id) => c.resource(id)) && c.tags(tags)) {
        (out ??= []).push({ exception: c.exception, index: c.index, expired: c.expired });
      }
    }
    return out ?? NO_MATCHES;
  }
}

function matchesAllTags(wanted: Record<string, string>): (tags: Record<string, string> | undefined) => boolean {
  const pairs = Object.entries(wanted);
  return (tags) => tags !== undefined && pairs.every(([key, value]) => Object.prototype.hasOwnProperty.call(tags, key) && tags[key] === value);
}

/**
 * `--verbose`: a note for each exception that matched no finding in this run (`matched`: indices
 * of those that did, expired ones included), so stale exceptions get removed. The note is at the
 * config file; it names the exception by its place in the list, its rules and its reason.
 */
export function unusedExceptionNotes(config: Config, matched: Iterable<number>): ScanNote[] {
  const used = new Set(matched);
  const file = configShownAs(config.file);
  return config.exceptions.flatMap((e, i) =>
    used.has(i) ? [] : [{ file, message: `exceptions[${i}] (${e.rules.join(', ')}: ${e.reason}) matched no finding in this run` }],
  );
}

/** A config's path as reports show files: relative to the working directory when inside it. */
export function configShownAs(file: string | undefined): string {
  if (!file) return CONFIG_FILE_NAME;
  const rel = relative(process.cwd(), resolve(file)).replace(/\\/g, '/');
  return rel === '' || rel.startsWith('../') || rel === '..' || isAbsolute(rel) ? file : rel;
}
