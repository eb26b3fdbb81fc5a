import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Whether a real (resolved) path is one of `roots` or below one of them. */
export function isInsideAny(real: string, roots: readonly string[]): boolean {
  return roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
}

/**
 * A path as it stays the same whichever directory the scan runs from: relative to the repository
 * root (the nearest directory above holding `.git`), else absolute; forward slashes. Resources'
 * roots (SourceResource.root) use it, so that `cd envs/prod && scan .` and `cd envs/dev && scan .`
 * don't both call their root module `.` (red team: one baseline entry then covered both).
 */
export function stablePath(path: string): string {
  const full = resolve(path);
  const root = repositoryRootOf(dirname(full));
  return root === undefined ? full.split(sep).join('/') : relative(root, full).split(sep).join('/') || '.';
}

/**
 * The nearest directory at or above `dir` holding a `.git` (a directory, or a worktree's file)
 * that `accept` takes (the configuration trusts only one its user owns).
 */
export function repositoryRootOf(dir: string, accept: (git: string) => boolean = () => true): string | undefined {
  for (let d = dir; ; ) {
    const git = join(d, '.git');
    if (existsSync(git) && accept(git)) return d;
    const parent = dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}
