import { lstatSync, realpathSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { describeFsError, readTextFile } from '../read-file';
import type { ScanError, ScanNote } from '../source';
import { UnknownValue, type Value } from './values';

/** A workspace name is one line; the file holding it never needs more. */
const MAX_ENVIRONMENT_FILE_BYTES = 1024;

/**
 * Terraform's rule (arguments.ValidWorkspaceName): not empty, and unchanged by Go's
 * url.PathEscape, which leaves only letters, digits and `-._~$&+:=@` alone.
 */
export function isValidWorkspaceName(name: string): boolean {
  return /^[A-Za-z0-9\-._~$&+:=@]+$/.test(name);
}

/**
 * `terraform.workspace` for a root module, as Terraform's Meta.WorkspaceOverridden finds it: the
 * given name (`--workspace`, `TF_WORKSPACE`), else `.terraform/environment` in the root's
 * directory (trimmed), else `default`. A file Terraform would reject, or that can't be read
 * safely (not a regular file, too big, a link out of the root), leaves the workspace unknown
 * with an error entry: the deployed workspace may be any. A workspace the file selects is noted:
 * a committed `.terraform/environment` would otherwise choose it silently for every scan.
 */
export function rootWorkspace(
  rootDir: string,
  rootRealDir: string,
  given: string | undefined,
  errors: ScanError[],
  note: (note: ScanNote) => void = () => {},
): Value {
  if (given !== undefined) {
    if (isValidWorkspaceName(given)) return given;
    return new UnknownValue(`terraform.workspace: '${given}' is not a valid workspace name, which Terraform refuses`);
  }
  const path = join(rootDir, '.terraform', 'environment');
  const unknown = (why: string): Value => {
    errors.push({ file: path, message: `the selected workspace can't be read: ${why}; terraform.workspace is unknown` });
    return new UnknownValue(`terraform.workspace can't be determined: ${path} ${why}`);
  };
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) return 'default';
    // The file, or `.terraform` itself, may be a link: what is read must be in the root module.
    const rel = relative(rootRealDir, realpathSync(path));
    if (rel.startsWith('..') || isAbsolute(rel)) return unknown('leads out of the root module (a symbolic link)');
    // Never opened unless a regular file: a FIFO would block the scan.
    if (!statSync(path).isFile()) return unknown('is not a regular file, not read');
  } catch (e) {
    // ENOTDIR (.terraform is a file) means no workspace was selected, as for Terraform.
    if ((e as NodeJS.ErrnoException)?.code === 'ENOTDIR') return 'default';
    return unknown(describeFsError(e));
  }
  const read = readTextFile(path, { maxFileBytes: MAX_ENVIRONMENT_FILE_BYTES });
  if (!read.ok) return unknown(read.reason);
  const name = read.text.trim();
  if (name === '') return 'default';
  if (!isValidWorkspaceName(name)) return unknown(`holds ${JSON.stringify(name.slice(0, 64))}, not a valid workspace name (Terraform refuses it)`);
  if (name !== 'default') note({ file: path, message: `terraform.workspace is ${JSON.stringify(name)}, read from ${path}; give --workspace to choose` });
  return name;
}
