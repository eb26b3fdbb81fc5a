// Bundles the CLI and the scan worker into dist/ so `cloudconform` starts fast: a few files to
// load instead of hundreds of modules, and commands' code split into chunks loaded on demand.
// Every library is bundled, so package.json lists them all as devDependencies: `npm install -g`
// of the package fetches nothing else (2.7 MB installed instead of ~80 MB in 45 packages), but
// for better-sqlite3, the history's native module, an optional dependency.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { inlineSchemaKeysPlugin } from './build/inline-schema-keys.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Chunk names change with their content: old ones would pile up.
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli/main.ts', 'scan-worker': 'src/engine/scan-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[name]-[hash]',
  platform: 'node',
  // Prefer dependencies' ES module builds: jsonc-parser's UMD build loads its parts dynamically.
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [inlineSchemaKeysPlugin],
  define: { __CLOUDCONFORM_VERSION__: JSON.stringify(version) },
  // The history's SQLite is a native module: installed beside the package (an optional
  // dependency, built by npm), required at run time by src/history/sqlite.ts, never bundled.
  external: ['better-sqlite3'],
  // Lets bundled CommonJS dependencies call require() inside an ES module bundle.
  banner: { js: "import { createRequire as __ccCreateRequire } from 'node:module'; const require = __ccCreateRequire(import.meta.url);" },
});

// The monitor's Lambda function: its own build (no chunk shared with the CLI's), dist/lambda.js and
// the lambda-chunk-* files it loads (the monitor's zip follows its imports). Its heavy parts (the
// SDK, rules, history: 5.4 MB, 2.3 of them the EC2 client) are dynamic imports, split into chunks,
// so importing dist/lambda.js reads a few KB: one file of everything took 125-180 ms to import on
// an idle machine and 450-640 ms on a busy one. better-sqlite3 stays external: Lambda's history is DynamoDB.
await build({
  entryPoints: { lambda: 'src/lambda.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'lambda-chunk-[name]-[hash]',
  platform: 'node',
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  plugins: [inlineSchemaKeysPlugin],
  define: { __CLOUDCONFORM_VERSION__: JSON.stringify(version) },
  external: ['better-sqlite3'],
  banner: { js: "import { createRequire as __ccCreateRequire } from 'node:module'; const require = __ccCreateRequire(import.meta.url);" },
});

// re2js is loaded only when a Terraform regular expression runs (src/sources/terraform/regex.ts
// requires it synchronously, which a split ES chunk can't be), so it is bundled on its own beside
// the chunks: the installed package needs nothing from node_modules.
await build({
  entryPoints: { re2js: 'node_modules/re2js/build/index.cjs' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});
