// Which `module` blocks call a module directory, for the Terraform fixer: with the scan's paths,
// every directory under them (where `envs/prod` calls `../../modules/notebook`); without, the
// module's parent directories (where a configuration's `modules/` folder is called from).
import { compareStrings } from '../../model/report';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BlockNode } from './hcl/ast';
import { isLocalModuleSource, literalString } from './module-loader';
import type { ConfigEntry, TerraformWorkspace } from './fix-module';

/** A module block somewhere that calls a directory. */
export interface ModuleCall {
  entry: ConfigEntry;
  block: BlockNode;
}

export function describeCall(call: ModuleCall): string {
  return `module "${call.block.labels[0] ?? ''}" at ${call.entry.path}:${call.block.range.start.line}`;
}

/** The calls found, and where they were looked for (for messages). */
export interface ModuleCallSearch {
  calls: ModuleCall[];
  /** e.g. `under the scanned paths envs, modules (12 directories)`, `in its parent directories`. */
  where: string;
  /** False when the walk stopped at its bound: other calls may exist. */
  complete: boolean;
}

export type DirectoryEntryKind = 'file' | 'directory' | 'symlink' | 'other';

/** How the walk sees the disk; tests give a tree in memory. */
export interface DirectoryReader {
  /** A root's kind, following a symbolic link; undefined when it can't be read. */
  kind(path: string): 'file' | 'directory' | undefined;
  /** A directory's entries, symbolic links not followed; throws when it can't be read. */
  entries(dir: string): { name: string; kind: DirectoryEntryKind }[];
}

export const diskDirectoryReader: DirectoryReader = {
  kind(path) {
    try {
      const st = statSync(path);
      return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  },
  entries(dir) {
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({
      name: d.name,
      kind: d.isSymbolicLink() ? 'symlink' : d.isDirectory() ? 'directory' : d.isFile() ? 'file' : 'other',
    }));
  },
};

/** Enough for any real repository; a walk of a home directory or `/` stops here instead of running for minutes. */
export const MAX_WALKED_DIRECTORIES = 20_000;

/** Tool caches and dependencies: never the user's callers. Hidden directories are skipped too. */
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

function isTerraformFileName(name: string): boolean {
  return name.endsWith('.tf') || name.endsWith('.tf.json');
}

export interface TerraformDirectoryWalk {
  /** Directories holding `.tf` / `.tf.json` files, in walk order. */
  dirs: string[];
  /** Directories read. */
  visited: number;
  /** True when the bound stopped the walk. */
  truncated: boolean;
}

/**
 * Directories with Terraform files under the roots (a file root stands for its directory, as
 * the scan reads it). Skips hidden directories (`.terraform`, `.git`), `node_modules` and
 * symbolically linked directories (no loops, no trees outside the roots); reads at most
 * `limit` directories.
 */
export function walkTerraformDirectories(roots: readonly string[], reader: DirectoryReader = diskDirectoryReader, limit = MAX_WALKED_DIRECTORIES): TerraformDirectoryWalk {
  const walk: TerraformDirectoryWalk = { dirs: [], visited: 0, truncated: false };
  const seen = new Set<string>();
  const pending: { dir: string; recurse: boolean }[] = [];
  for (const root of roots) {
    const kind = reader.kind(root);
    if (kind === 'directory') pending.push({ dir: root, recurse: true });
    else if (kind === 'file') pending.push({ dir: dirname(root), recurse: false });
  }
  // Breadth first, so a bound hit deep in one tree still leaves the shallow callers found.
  for (let i = 0; i < pending.length; i++) {
    const { dir, recurse } = pending[i]!;
    const key = resolve(dir);
    if (seen.has(key)) continue;
    if (walk.visited >= limit) {
      walk.truncated = true;
      break;
    }
    seen.add(key);
    walk.visited++;
    let entries: { name: string; kind: DirectoryEntryKind }[];
    try {
      entries = reader.entries(dir).sort((a, b) => compareStrings(a.name, b.name));
    } catch {
      // The scan reports unreadable directories; here one simply holds no callers.
      continue;
    }
    // A linked `.tf` file is read like any other; a link to a directory is not followed.
    if (entries.some((e) => (e.kind === 'file' || e.kind === 'symlink') && isTerraformFileName(e.name))) walk.dirs.push(dir);
    if (!recurse) continue;
    for (const e of entries) {
      if (e.kind === 'directory' && !e.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(e.name)) pending.push({ dir: join(dir, e.name), recurse: true });
    }
  }
  return walk;
}

function localCallsIn(ws: TerraformWorkspace, dir: string, found: (target: string, call: ModuleCall) => void): void {
  for (const entry of ws.module(dir).files) {
    for (const block of entry.config?.body.blocks ?? []) {
      if (block.type !== 'module') continue;
      const source = literalString(block.body, 'source');
      if (source !== undefined && isLocalModuleSource(source)) found(resolve(dir, source), { entry, block });
    }
  }
}

/** How many parent directories the fallback search climbs. */
const PARENT_LEVELS = 8;

/**
 * Finds the module blocks calling a directory. With search roots, walks them once (lazily, on
 * the first question) and indexes every local module call by the directory it calls.
 */
export class ModuleCallFinder {
  private index?: { byTarget: Map<string, ModuleCall[]>; walk: TerraformDirectoryWalk };

  constructor(
    private readonly ws: TerraformWorkspace,
    private readonly searchRoots: readonly string[] | undefined,
    private readonly reader: DirectoryReader = diskDirectoryReader,
    private readonly limit = MAX_WALKED_DIRECTORIES,
  ) {}

  find(moduleDir: string): ModuleCallSearch {
    const target = resolve(moduleDir);
    if (!this.searchRoots || this.searchRoots.length === 0) return { calls: this.parentCalls(moduleDir, target), where: 'in its parent directories', complete: true };
    const { byTarget, walk } = this.walk();
    const where =
      `under the scanned paths ${this.searchRoots.join(', ')} (${walk.visited} ${walk.visited === 1 ? 'directory' : 'directories'}` +
      (walk.truncated ? `; the search stopped at its limit of ${this.limit} directories, so calls elsewhere were not seen)` : ')');
    return { calls: byTarget.get(target) ?? [], where, complete: !walk.truncated };
  }

  private walk(): NonNullable<ModuleCallFinder['index']> {
    if (this.index) return this.index;
    const walk = walkTerraformDirectories(this.searchRoots ?? [], this.reader, this.limit);
    const byTarget = new Map<string, ModuleCall[]>();
    for (const dir of walk.dirs) localCallsIn(this.ws, dir, (t, call) => byTarget.set(t, [...(byTarget.get(t) ?? []), call]));
    this.index = { byTarget, walk };
    return this.index;
  }

  private parentCalls(moduleDir: string, target: string): ModuleCall[] {
    const calls: ModuleCall[] = [];
    let dir = moduleDir;
    for (let level = 0; level < PARENT_LEVELS; level++) {
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
      localCallsIn(this.ws, dir, (t, call) => {
        if (t === target) calls.push(call);
      });
    }
    return calls;
  }
}

