// Remote modules `terraform init` downloaded, from `.terraform/modules/modules.json`. That file is
// an input like any other (committed, edited, planted), so a record is used only when Terraform
// itself would use it (configload.moduleWalkerLoad: same source, version within the call's
// constraint) and only for a directory `init` writes: inside the root's .terraform/modules.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { describeFsError, readTextFile, type ReadLimits } from '../read-file';

interface ManifestRecord {
  source: string;
  version?: string;
  dir: string;
}

export type DownloadedModules =
  | { kind: 'none' }
  /** The manifest exists but Terraform could not use it either. */
  | { kind: 'unusable'; path: string; reason: string }
  | { kind: 'manifest'; path: string; records: Map<string, ManifestRecord> };

/** What a remote module call may be evaluated from. */
export type DownloadedModule =
  | { kind: 'ok'; dir: string }
  /** Not downloaded (or no usable manifest): not evaluated, a note says so. */
  | { kind: 'missing'; reason: string }
  /** A copy for another source or version: evaluated, but every verdict in it is unknown. */
  | { kind: 'stale'; dir: string; reason: string }
  /** A record no `terraform init` writes (a directory outside .terraform/modules): not read, an error. */
  | { kind: 'refused'; reason: string };

export function readDownloadedModules(rootDir: string, limits: ReadLimits): DownloadedModules {
  const path = join(rootDir, '.terraform', 'modules', 'modules.json');
  let isFile: boolean;
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return { kind: 'none' };
    isFile = st.isFile();
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === 'ENOTDIR') return { kind: 'none' };
    return { kind: 'unusable', path, reason: describeFsError(e) };
  }
  // Never opened unless a regular file: a FIFO would block the scan.
  if (!isFile) return { kind: 'unusable', path, reason: 'not a regular file, not read' };
  const read = readTextFile(path, limits);
  if (!read.ok) return { kind: 'unusable', path, reason: read.reason };
  let manifest: unknown;
  try {
    manifest = JSON.parse(read.text);
  } catch (e) {
    return { kind: 'unusable', path, reason: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const modules = (manifest as { Modules?: unknown } | null)?.Modules;
  if (modules !== undefined && !Array.isArray(modules)) return { kind: 'unusable', path, reason: 'Modules is not a list' };
  const records = new Map<string, ManifestRecord>();
  for (const m of (modules ?? []) as { Key?: unknown; Source?: unknown; Version?: unknown; Dir?: unknown }[]) {
    if (typeof m?.Key !== 'string' || typeof m.Dir !== 'string') return { kind: 'unusable', path, reason: 'a record has no Key or Dir' };
    // Terraform refuses a manifest with two records for one module (modsdir.ReadManifestSnapshot).
    if (records.has(m.Key)) return { kind: 'unusable', path, reason: `two records for module ${m.Key || '(root)'}` };
    records.set(m.Key, {
      source: typeof m.Source === 'string' ? m.Source : '',
      ...(typeof m.Version === 'string' && m.Version !== '' ? { version: m.Version } : {}),
      dir: m.Dir,
    });
  }
  return { kind: 'manifest', path, records };
}

/**
 * The downloaded copy for the module call `key` (`nb`, `app.nb`) with the given source and
 * `version` argument (undefined: none; null: not a literal string).
 */
export function findDownloadedModule(
  modules: DownloadedModules,
  root: { dir: string; realDir: string },
  key: string,
  source: string,
  version: string | null | undefined,
): DownloadedModule {
  const init = 'run terraform init';
  if (modules.kind === 'none') return { kind: 'missing', reason: `not downloaded (no .terraform/modules/modules.json; ${init})` };
  if (modules.kind === 'unusable') return { kind: 'missing', reason: `not evaluated: ${modules.path} can't be used (${modules.reason})` };
  const record = modules.records.get(key);
  if (!record) return { kind: 'missing', reason: `not downloaded (no record in .terraform/modules/modules.json; ${init})` };
  const modulesDir = join(root.realDir, '.terraform', 'modules');
  let dir: string;
  try {
    dir = realpathSync(isAbsolute(record.dir) ? record.dir : join(root.dir, record.dir));
    if (!statSync(dir).isDirectory()) return { kind: 'missing', reason: `not evaluated: its downloaded copy ${record.dir} is not a directory (${init})` };
  } catch (e) {
    return { kind: 'missing', reason: `not evaluated: its downloaded copy ${record.dir} can't be read: ${describeFsError(e)} (${init})` };
  }
  const inside = relative(modulesDir, dir);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    return { kind: 'refused', reason: `${modules.path} gives it the directory ${record.dir}, outside .terraform/modules where terraform init puts modules; not read, its resources are not evaluated` };
  }
  // Read through its real path (checked inside .terraform/modules above), shown as the root is:
  // findings, keys and error entries spell its files relative like the root's own (red team: the
  // absolute real path changed every key with the checkout's location).
  dir = join(root.dir, relative(root.realDir, dir));
  if (!sameModuleSource(source, record.source)) {
    return { kind: 'stale', dir, reason: `the downloaded copy is of source ${record.source || '(none)'}, not ${source}` };
  }
  if (version !== undefined) {
    const recorded = record.version;
    const ok = version === null || recorded === undefined ? false : versionSatisfies(recorded, version);
    if (ok !== true) {
      const why =
        version === null ? 'the version argument is not a literal string' : ok === undefined ? `can't tell whether it meets "${version}"` : `it does not meet "${version}"`;
      return { kind: 'stale', dir, reason: `the downloaded copy is version ${recorded ?? '(none)'}: ${why}` };
    }
  }
  return { kind: 'ok', dir };
}

/**
 * Whether a source written in a module call is the one a manifest recorded. `init` records the
 * normalised address (addrs.ModuleSource.String()): registry sources get their host
 * (`registry.terraform.io/…`), GitHub shorthand becomes a git URL. Anything else must be equal:
 * what can't be confirmed is treated as another source (unknown, never a pass).
 */
export function sameModuleSource(written: string, recorded: string): boolean {
  if (written === recorded) return true;
  const [path, query] = splitOnce(written, '?');
  const [pkg, subdir] = splitOnce(path, '//');
  const withSubdir = (base: string) => {
    const [b, q] = splitOnce(base, '?');
    return `${b}${subdir !== undefined ? `//${subdir}` : ''}${q !== undefined ? `?${q}` : ''}`;
  };
  if (query === undefined && /^[0-9A-Za-z][0-9A-Za-z_-]*\/[0-9A-Za-z][0-9A-Za-z_-]*\/[0-9a-z]+$/.test(pkg)) {
    return recorded === withSubdir(`registry.terraform.io/${pkg}`);
  }
  if (query === undefined && /^[^/]+\.[^/]+\/[0-9A-Za-z][0-9A-Za-z_-]*\/[0-9A-Za-z][0-9A-Za-z_-]*\/[0-9a-z]+$/.test(pkg) && !pkg.startsWith('github.com/')) {
    const [host, rest] = splitOnce(pkg, '/');
    return recorded === withSubdir(`${host.toLowerCase()}/${rest}`);
  }
  const github = /^github\.com\/([^/]+)\/([^/]+?)(\.git)?$/.exec(pkg);
  if (github) return recorded === withSubdir(`git::https://github.com/${github[1]}/${github[2]}.git${query !== undefined ? `?${query}` : ''}`);
  return false;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + sep.length)];
}

interface Version {
  segments: number[];
  /** Segments written (`~> 1.2` has 2). */
  written: number;
  prerelease: string;
}

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  const written = m[1]!.split('.').map(Number);
  const segments = [...written];
  while (segments.length < 3) segments.push(0);
  return { segments, written: written.length, prerelease: m[2] ?? '' };
}

function compareSegments(a: Version, b: Version): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether `version` meets a Terraform version constraint (hashicorp/go-version: `=`, `!=`, `>`,
 * `>=`, `<`, `<=`, `~>`, comma-separated, all must hold). Undefined when that can't be told here
 * (syntax we don't read, pre-release versions, whose ordering rules go-version has its own of).
 */
export function versionSatisfies(version: string, constraint: string): boolean | undefined {
  const v = parseVersion(version);
  if (!v) return undefined;
  const parts = constraint.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) return undefined;
  let all = true;
  for (const part of parts) {
    const m = /^(=|!=|>=|<=|>|<|~>)?\s*(.+)$/.exec(part);
    const c = m ? parseVersion(m[2]!) : undefined;
    if (!m || !c) return undefined;
    if (v.prerelease !== '' || c.prerelease !== '') {
      // Only an exact pin is simple with pre-releases.
      if ((m[1] ?? '=') === '=' && compareSegments(v, c) === 0 && v.prerelease === c.prerelease) continue;
      return undefined;
    }
    const d = compareSegments(v, c);
    let ok: boolean;
    switch (m[1] ?? '=') {
      case '=':
        ok = d === 0;
        break;
      case '!=':
        ok = d !== 0;
        break;
      case '>':
        ok = d > 0;
        break;
      case '>=':
        ok = d >= 0;
        break;
      case '<':
        ok = d < 0;
        break;
      case '<=':
        ok = d <= 0;
        break;
      default:
        // `~> 1.2.3`: >= 1.2.3 and the same 1.2; `~> 1.2`: >= 1.2 and the same 1.
        ok = d >= 0 && c.segments.slice(0, Math.max(c.written - 1, 0)).every((s, i) => v.segments[i] === s);
    }
    all &&= ok;
  }
  return all;
}
