import { sep } from 'node:path';

/** Whether a real (resolved) path is one of `roots` or below one of them. */
export function isInsideAny(real: string, roots: readonly string[]): boolean {
  return roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
}
