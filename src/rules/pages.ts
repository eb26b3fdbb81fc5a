import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root: the nearest folder above this module (source or bundle) with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cloudconform: package root not found');
    dir = parent;
  }
  return dir;
}

/** A rule's knowledge-base page, `src/rules/<folder>/page.md` (shipped with the package). */
export function readRulePage(folder: string): string {
  return readFileSync(join(packageRoot(), 'src', 'rules', folder, 'page.md'), 'utf8');
}
