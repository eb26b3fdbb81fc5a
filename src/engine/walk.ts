import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import type { ScanError } from '../sources/source';
import { describeFsError } from './files';

/** What a walk of the scan paths found, before any file is parsed. */
export interface WalkResult {
  /** Files whose format is decided by content (JSON, YAML, extension-less...). */
  candidateFiles: string[];
  /** Directories holding `.tf` / `.tf.json` files: each is a Terraform module. */
  terraformDirs: string[];
  errors: ScanError[];
}

/** Folders that hold tools' caches or dependencies, never the user's templates. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.terraform', '.venv', '__pycache__', '.bench']);

/** Extensions a CloudFormation template or Terraform plan can have; others (code, docs, images) are not opened. */
const CANDIDATE_EXTENSIONS = new Set(['.json', '.yaml', '.yml', '.template', '.cfn', '.tmpl', '.txt', '']);

/**
 * A Terraform configuration file as Terraform sees one: `.tf` or `.tf.json`, and not hidden or an
 * editor's file (configs.IsIgnoredFile), which Terraform never reads.
 */
export function isTerraformFile(name: string): boolean {
  if (name.startsWith('.') || name.endsWith('~') || (name.startsWith('#') && name.endsWith('#'))) return false;
  return name.endsWith('.tf') || name.endsWith('.tf.json');
}

/**
 * Walks the scan paths. Follows symbolic links but reports loops, visits each real file once,
 * skips tool folders and the config's `exclude` globs, and never throws for a bad path.
 */
export function walkScanPaths(paths: string[], exclude: string[] = []): WalkResult {
  const result: WalkResult = { candidateFiles: [], terraformDirs: [], errors: [] };
  const isExcluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const tfDirs = new Set<string>();

  const visitFile = (path: string, real: string) => {
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    const name = basename(path);
    if (isTerraformFile(name)) {
      tfDirs.add(join(path, '..'));
    } else if (!name.endsWith('.tfvars') && !name.endsWith('.tfvars.json') && CANDIDATE_EXTENSIONS.has(extname(name).toLowerCase())) {
      result.candidateFiles.push(path);
    }
  };

  const visitDir = (dir: string, real: string, ancestors: Set<string>) => {
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      result.errors.push({ file: dir, message: `can't read directory: ${describeFsError(e)}` });
      return;
    }
    const inner = new Set(ancestors).add(real);
    for (const name of names) {
      const path = join(dir, name);
      if (isExcluded(path.replace(/\\/g, '/').replace(/^\.\//, ''))) continue;
      visit(path, inner, false);
    }
  };

  const visit = (path: string, ancestors: Set<string>, explicit: boolean) => {
    let link: Stats;
    let st: Stats;
    let real: string;
    try {
      link = lstatSync(path);
      st = link.isSymbolicLink() ? statSync(path) : link;
      real = link.isSymbolicLink() ? realpathSync(path) : resolve(path);
    } catch (e) {
      result.errors.push({ file: path, message: `can't read: ${describeFsError(e)}` });
      return;
    }
    if (st.isDirectory()) {
      if (!explicit && SKIPPED_DIRS.has(basename(path))) return;
      let realDir: string;
      try {
        realDir = realpathSync(path);
      } catch (e) {
        result.errors.push({ file: path, message: `can't read: ${describeFsError(e)}` });
        return;
      }
      if (ancestors.has(realDir)) {
        result.errors.push({ file: path, message: `symbolic link loop: points back to ${realDir}, not followed` });
        return;
      }
      visitDir(path, realDir, ancestors);
    } else if (st.isFile()) {
      if (explicit && !isTerraformFile(basename(path))) {
        // A file named on the command line is always examined, whatever its extension.
        if (!seenFiles.has(real)) {
          seenFiles.add(real);
          result.candidateFiles.push(path);
        }
        return;
      }
      visitFile(path, real);
    }
  };

  for (const p of paths) visit(p, new Set(), true);
  result.terraformDirs = [...tfDirs].sort();
  return result;
}
