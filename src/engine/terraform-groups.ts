import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isTerraformFile } from './walk';
import { readTextFile, type ReadLimits } from './files';

const LOCAL_MODULE_SOURCE = /\bsource\s*[=:]\s*"(\.\.?\/[^"]*)"/g;

/**
 * Splits Terraform directories into groups that must be evaluated together: a directory and the
 * local modules it calls (`source = "./modules/x"`). Groups can then be scanned in parallel.
 * This is a cheap text search, not a parse: if it misses a call, the called module is merely
 * evaluated on its own too (a duplicate, never a hidden resource).
 */
export function groupTerraformDirectories(dirs: string[], limits: ReadLimits): string[][] {
  const index = new Map(dirs.map((d, i) => [resolve(d), i]));
  const parent = dirs.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  dirs.forEach((dir, i) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter(isTerraformFile);
    } catch {
      return; // the Terraform source reports unreadable directories
    }
    for (const name of names) {
      const read = readTextFile(join(dir, name), limits);
      if (!read.ok || !read.text.includes('source')) continue;
      for (const m of read.text.matchAll(LOCAL_MODULE_SOURCE)) {
        const target = index.get(resolve(dir, m[1]!));
        if (target !== undefined) parent[find(target)] = find(i);
      }
    }
  });
  const groups = new Map<number, string[]>();
  dirs.forEach((dir, i) => {
    const root = find(i);
    const g = groups.get(root) ?? [];
    g.push(dir);
    groups.set(root, g);
  });
  return [...groups.values()];
}
