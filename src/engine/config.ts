import { existsSync } from 'node:fs';
import { load as loadYaml, JSON_SCHEMA, YAMLException } from 'js-yaml';
import picomatch from 'picomatch';
import { RISK_ORDER, type Risk } from '../rules/rule';
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
  /** ISO date after which the exception no longer applies. */
  expires?: string;
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
  return { ...parseConfig(data ?? {}, path), file: path };
}

/** The config named on the command line, else `.cloudconform.yml` in the working directory, else none. */
export function findConfig(explicit: string | undefined, cwd: string): Config {
  if (explicit) return loadConfigFile(explicit);
  const candidate = `${cwd}/${CONFIG_FILE_NAME}`;
  return existsSync(candidate) ? loadConfigFile(candidate) : emptyConfig();
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
    config.rules = { include: stringList(r.include, `${file}: rules.include`), exclude: stringList(r.exclude, `${file}: rules.exclude`) };
  }
  const failOn = d.failOn ?? d['fail-on'];
  if (failOn !== undefined) config.failOn = parseRisk(String(failOn), `${file}: failOn`);
  config.exclude = stringList(d.exclude, `${file}: exclude`);
  const exceptions = d.exceptions ?? [];
  if (!Array.isArray(exceptions)) throw new ConfigError(`${file}: 'exceptions' must be a list`);
  exceptions.forEach((raw, i) => {
    const where = `${file}: exceptions[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${where} must be a mapping`);
    const e = raw as Record<string, unknown>;
    const reason = typeof e.reason === 'string' ? e.reason.trim() : '';
    if (!reason) throw new ConfigError(`${where}: a reason is required for every exception`);
    const rules = stringList(e.rule ?? e.rules, `${where}.rules`);
    if (rules.length === 0) throw new ConfigError(`${where}: name the rule(s) it applies to ('rules: [SageMaker-004]' or '*')`);
    const paths = stringList(e.path ?? e.paths, `${where}.paths`);
    const resources = stringList(e.resource ?? e.resources, `${where}.resources`);
    const tags = e.tags === undefined ? undefined : tagMap(e.tags, `${where}.tags`);
    let expires: string | undefined;
    if (e.expires !== undefined) {
      expires = String(e.expires);
      if (Number.isNaN(Date.parse(expires))) throw new ConfigError(`${where}.expires: '${expires}' is not a date (YYYY-MM-DD)`);
    }
    config.exceptions.push({ rules, paths, resources, ...(tags ? { tags } : {}), reason, expires });
  });
  return config;
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

/** Compiled exception matchers; serialisable config in, fast predicate out. */
export class ExceptionMatcher {
  private readonly compiled: {
    exception: ConfigException;
    rule: (id: string) => boolean;
    path: (p: string) => boolean;
    resource: (id: string) => boolean;
    tags: (tags: Record<string, string> | undefined) => boolean;
  }[];

  constructor(exceptions: ConfigException[], now = new Date()) {
    this.compiled = exceptions
      .filter((e) => !e.expires || Date.parse(e.expires) >= now.getTime())
      .map((exception) => ({
        exception,
        rule: (id: string) => exception.rules.some((r) => r === '*' || r.toLowerCase() === id.toLowerCase()),
        path: exception.paths.length ? picomatch(exception.paths, { dot: true }) : () => true,
        resource: exception.resources.length ? picomatch(exception.resources, { dot: true, bash: false, literalBrackets: true, nonegate: false }) : () => true,
        tags: exception.tags ? matchesAllTags(exception.tags) : () => true,
      }));
  }

  /** Whether some exception in force matches on tags: only then are live resources' tags worth reading. */
  get usesTags(): boolean {
    return this.compiled.some((c) => c.exception.tags !== undefined);
  }

  /** Whether some exception in force for this rule matches on tags: which live resources' tags to read. */
  usesTagsFor(ruleId: string): boolean {
    return this.compiled.some((c) => c.exception.tags !== undefined && c.rule(ruleId));
  }

  /** `tags`: the resource's tags when known (live resources); an exception on tags never matches without them. */
  match(ruleId: string, file: string, resourceIds: string[], tags?: Record<string, string>): ConfigException | undefined {
    const path = file.replace(/\\/g, '/').replace(/^\.\//, '');
    for (const c of this.compiled) {
      if (c.rule(ruleId) && c.path(path) && resourceIds.some((id) => c.resource(id)) && c.tags(tags)) return c.exception;
    }
    return undefined;
  }
}

function matchesAllTags(wanted: Record<string, string>): (tags: Record<string, string> | undefined) => boolean {
  const pairs = Object.entries(wanted);
  return (tags) => tags !== undefined && pairs.every(([key, value]) => Object.prototype.hasOwnProperty.call(tags, key) && tags[key] === value);
}
