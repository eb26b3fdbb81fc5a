// Bundles the CLI (and the scan worker) into dist/ so `cloudconform` starts fast:
// one file to load instead of hundreds of modules.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli/main.ts', 'scan-worker': 'src/engine/scan-worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Lets bundled CommonJS dependencies call require() inside an ES module bundle.
  banner: { js: "import { createRequire as __cc_createRequire } from 'node:module'; const require = __cc_createRequire(import.meta.url);" },
});
