// Runs every *.test.ts under src/ and test/ with node's test runner (TypeScript through tsx).
// Node 20's runner takes no globs, so the files are listed here.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...findTests('src'), ...findTests('test')].sort();
if (filter.length) files = files.filter((f) => filter.some((p) => f.includes(p)));
// Every scan and audit records its run in the history: the tests' go to a scratch data
// directory, never the user's (~/.local/share/cloudconform/history.db) or CLOUDCONFORM_DB.
const dataHome = mkdtempSync(join(tmpdir(), 'cc-test-data-'));
const env = { ...process.env, XDG_DATA_HOME: dataHome };
delete env.CLOUDCONFORM_DB;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env,
});
rmSync(dataHome, { recursive: true, force: true });
process.exit(result.status ?? 1);
