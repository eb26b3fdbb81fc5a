import { dirname, join, resolve, sep } from 'node:path';
import { stablePath } from '../paths';
import { DEFAULT_READ_LIMITS, type ReadLimits } from '../read-file';
import type { SourceResource } from '../../model/resource';
import type { SourceResult } from '../source';
import { BudgetExceeded } from './budget';
import { ModuleInstance } from './module-instance';
import { readDownloadedModules } from './downloaded-modules';
import { isLocalModuleSource, literalString, resolveDirectory } from './module-loader';
import { TerraformScanContext } from './scan-context';
import { VariableInputs, type TerraformInputs } from './variables';
import { rootWorkspace } from './workspace';

export { terraformPlanSource } from './plan';
export { ReferenceValue } from './values';

export interface TerraformScanOptions extends TerraformInputs {
  readLimits?: ReadLimits;
}

interface ModuleDirectory {
  dir: string;
  realDir: string;
}

/**
 * Evaluates the Terraform configuration in `dirs` (every directory of the scan holding `.tf` or
 * `.tf.json` files). Directories another one calls as a local module are evaluated through
 * that call, with its inputs, and not again on their own.
 */
export function scanTerraformDirectories(dirs: string[], options: TerraformScanOptions = {}): SourceResult {
  const scan = new TerraformScanContext(options.readLimits ?? DEFAULT_READ_LIMITS, options.scanRoots);
  const inputs = new VariableInputs(options.args ?? [], options.env ?? {}, scan.limits, scan.errors, options.scanRoots);
  const resources: SourceResource[] = [];
  // `--var` sets root modules' variables only (Terraform passes nothing of it to child modules).
  const declared = new Set<string>();
  for (const root of findRootModules(dirs, scan, options.namedPaths ?? [])) {
    try {
      const def = scan.definition(root.dir, root.realDir);
      for (const name of def.variables.keys()) declared.add(name);
      const downloaded = readDownloadedModules(root.dir, scan.limits);
      if (downloaded.kind === 'unusable') scan.report({ file: downloaded.path, message: `can't be used: ${downloaded.reason}; remote modules are not evaluated` });
      const instance = new ModuleInstance(
        scan,
        {
          dir: root.dir,
          realDir: root.realDir,
          downloadedModules: downloaded,
          workspace: rootWorkspace(root.dir, root.realDir, options.workspace, scan.errors, (n) => scan.note(n)),
        },
        def,
        '',
        [],
        { kind: 'root', inputs: inputs.forRoot(root.dir) },
        undefined,
        [],
      );
      const first = resources.length;
      scan.budget.at({ file: root.dir }, () => instance.collectResources(resources));
      // A module's resources are told apart by the root that calls them (two roots, one module).
      const rootDir = resolve(root.dir);
      let shown: string | undefined;
      for (let i = first; i < resources.length; i++) {
        const r = resources[i]!;
        if (r.root === undefined && resolve(dirname(r.location.file)) !== rootDir) r.root = shown ??= stablePath(root.dir);
      }
    } catch (e) {
      // A spent budget has its own error entry already.
      if (e instanceof BudgetExceeded) continue;
      scan.report({ file: root.dir, message: `internal error while evaluating the module: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  // A budget spent while instances were being created: none of them was evaluated, the unit's
  // error entry stands for them all (tens of thousands of "unknown" findings would bury it).
  if (scan.budget.exceeded) resources.length = 0;
  return {
    resources,
    errors: scan.errors,
    notes: scan.notes,
    files: [...scan.files, ...inputs.filesRead],
    inputs: { declared: [...declared], varFiles: inputs.namesInVarFiles() },
    ...(scan.secrets.length > 0 ? { secrets: scan.secrets } : {}),
  };
}

/**
 * Root modules: directories no other directory of the scan calls. Directories only reachable
 * through a loop of calls would have no root; the first of each such group becomes one. A module
 * the user named that only directories beneath it call (its examples/, test/) is a root too: its
 * authors need its verdicts with its own defaults, what a caller who passes nothing gets.
 */
function findRootModules(dirs: readonly string[], scan: TerraformScanContext, namedPaths: readonly string[]): ModuleDirectory[] {
  const modules: ModuleDirectory[] = [];
  const byRealDir = new Map<string, ModuleDirectory>();
  for (const dir of dirs) {
    const resolved = resolveDirectory(dir);
    if (!resolved.ok) {
      scan.report({ file: dir, message: `can't read directory: ${resolved.reason}` });
      continue;
    }
    if (byRealDir.has(resolved.realDir)) continue;
    const module = { dir, realDir: resolved.realDir };
    byRealDir.set(resolved.realDir, module);
    modules.push(module);
  }
  const calls = new Map<string, Set<string>>();
  const called = new Set<string>();
  for (const module of modules) {
    const targets = new Set<string>();
    for (const { node } of scan.definition(module.dir, module.realDir).moduleCalls.values()) {
      const source = literalString(node.body, 'source');
      if (source === undefined || !isLocalModuleSource(source)) continue;
      const target = resolveDirectory(join(module.dir, source));
      if (target.ok && target.realDir !== module.realDir && byRealDir.has(target.realDir)) targets.add(target.realDir);
    }
    calls.set(module.realDir, targets);
    for (const t of targets) called.add(t);
  }
  // Modules `terraform init` downloaded are only ever called.
  const candidates = modules.filter((m) => !m.dir.split(/[\\/]/).includes('.terraform') && !m.realDir.split(sep).includes('.terraform'));
  const reached = new Set<string>();
  const reach = (realDir: string) => {
    if (reached.has(realDir)) return;
    reached.add(realDir);
    for (const t of calls.get(realDir) ?? []) reach(t);
  };
  const named = called.size > 0 ? new Set(namedPaths.map(resolveDirectory).flatMap((r) => (r.ok ? [r.realDir] : []))) : new Set<string>();
  const calledOnlyFromBeneath = (m: ModuleDirectory) =>
    [...calls].every(([caller, targets]) => !targets.has(m.realDir) || caller.startsWith(m.realDir + sep));
  const roots = candidates.filter((m) => !called.has(m.realDir) || (named.has(m.realDir) && calledOnlyFromBeneath(m)));
  roots.forEach((r) => reach(r.realDir));
  for (const m of candidates) {
    if (reached.has(m.realDir)) continue;
    roots.push(m);
    reach(m.realDir);
  }
  return roots;
}
