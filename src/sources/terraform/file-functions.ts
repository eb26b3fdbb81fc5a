import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, relative, sep } from 'node:path';
import { readTextFile, type ReadLimits } from '../read-file';
import { HclSyntaxError, type TemplatePart } from './hcl/ast';
import { EvalError } from './eval-error';
import type { FunctionHost } from './functions';
import { parseTemplateText } from './template-text';
import { UnknownValue } from './values';

/**
 * `file()`, `fileexists()`, `templatefile()` for one module. Paths are relative to the root
 * module, where Terraform runs. Only files of the configuration are read (see
 * `readableDirectories`): it can't pull other files of the machine into a report.
 */
export class FileFunctions implements FunctionHost {
  constructor(
    private readonly rootDir: string,
    private readonly allowedRealDirs: readonly string[],
    private readonly limits: ReadLimits,
    private readonly cache: Map<string, string | UnknownValue | TemplatePart[]>,
  ) {}

  readFile(path: string): string | UnknownValue {
    const key = `file:${this.resolve(path)}`;
    const cached = this.cache.get(key);
    if (typeof cached === 'string' || cached instanceof UnknownValue) return cached;
    const result = this.read(path);
    this.cache.set(key, result);
    return result;
  }

  fileExists(path: string): boolean | UnknownValue {
    const allowed = this.allowedPath(path);
    if (allowed instanceof UnknownValue) return allowed;
    if (allowed === undefined) return false;
    try {
      return statSync(allowed).isFile();
    } catch {
      return false;
    }
  }

  parseTemplateFile(path: string): TemplatePart[] | UnknownValue {
    const key = `template:${this.resolve(path)}`;
    const cached = this.cache.get(key);
    if (Array.isArray(cached) || cached instanceof UnknownValue) return cached;
    const text = this.readFile(path);
    if (text instanceof UnknownValue) return text;
    let parts: TemplatePart[];
    try {
      parts = parseTemplateText(text);
    } catch (e) {
      const where = e instanceof HclSyntaxError ? `: ${e.message}` : '';
      throw new EvalError(`templatefile("${path}") is not a valid template${where}`);
    }
    this.cache.set(key, parts);
    return parts;
  }

  private resolve(path: string): string {
    return isAbsolute(path) ? path : join(this.rootDir, path);
  }

  /** The real path if the file may be read; undefined if it doesn't exist. */
  private allowedPath(path: string): string | UnknownValue | undefined {
    let real: string;
    try {
      real = realpathSync(this.resolve(path));
    } catch {
      return undefined;
    }
    const inside = this.allowedRealDirs.some((dir) => real !== dir && !isOutside(dir, real));
    return inside ? real : new UnknownValue(`file ${path} is outside the configuration and is not read`);
  }

  private read(path: string): string | UnknownValue {
    const allowed = this.allowedPath(path);
    if (allowed instanceof UnknownValue) return allowed;
    if (allowed === undefined) throw new EvalError(`no file ${path}`);
    const read = readTextFile(allowed, this.limits);
    if (!read.ok) return new UnknownValue(`file ${path} can't be read: ${read.reason}`);
    return read.text;
  }
}

/**
 * Where a module's files may be read: the root module, the module, and the directory both are
 * in (a repository's shared `templates/`), unless that is the file system root or the home
 * directory or above it.
 */
export function readableDirectories(rootRealDir: string, moduleRealDir: string): string[] {
  const dirs = [rootRealDir, moduleRealDir];
  let shared = rootRealDir;
  while (isOutside(shared, moduleRealDir)) {
    const parent = dirname(shared);
    if (parent === shared) break;
    shared = parent;
  }
  const home = homedir();
  const tooHigh = shared === parse(shared).root || !isOutside(shared, home);
  if (!tooHigh && !dirs.includes(shared)) dirs.push(shared);
  return dirs;
}

/** `path` is not `dir` or below it. */
function isOutside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}
