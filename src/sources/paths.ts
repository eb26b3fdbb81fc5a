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
  for (let dir = dirname(full); ; ) {
    if (existsSync(join(dir, '.git'))) return relative(dir, full).split(sep).join('/') || '.';
    const parent = dirname(dir);
    if (parent === dir) return full.split(sep).join('/');
    dir = parent;
  }
}
