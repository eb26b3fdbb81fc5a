// `prepare`: builds dist/. npm runs it after `npm install`/`npm ci` in a checkout, before `npm pack`
// and `npm publish`, and when the package is installed from git, which is how pre-commit installs
// a `language: node` hook (`npm install -g git+file://…`). In that last case npm runs it without
// having installed the devDependencies, which hold the bundler (npm/cli#8440: the global flag
// reaches the checkout's own install); then they are installed here first, from the lock file,
// into the checkout only, without running any package's scripts.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('esbuild');
} catch {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const r = spawnSync(npm[0], [...npm.slice(1), 'ci', '--global=false', '--include=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import('./build.mjs');
