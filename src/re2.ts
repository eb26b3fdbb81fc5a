import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

/**
 * re2js, Go's linear-time regexp ported to JavaScript: Terraform's regex() functions
 * (src/sources/terraform/regex.ts, where the engines were measured) and our globs
 * (src/engine/glob.ts) run on it. It is loaded on first use (a synchronous require of its
 * CommonJS build), so scans that need neither don't pay its start-up (17 ms). The build bundles
 * it beside the chunks (dist/re2js.cjs, see scripts/build.mjs), so an installed package needs
 * nothing from node_modules; from source, node_modules has it.
 */
let engine: typeof RE2JS | undefined;

export function re2(): typeof RE2JS {
  if (engine) return engine;
  const require = createRequire(import.meta.url);
  try {
    engine = (require('./re2js.cjs') as typeof import('re2js')).RE2JS;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    engine = (require('re2js') as typeof import('re2js')).RE2JS;
  }
  return engine;
}
