// `monitor package`: the Lambda zip. The handler is one esbuild bundle (dist/lambda.js, built by
// `npm run build` with every library in it), so the zip holds that file, the files it loads by a
// relative path (chunks), and a package.json saying the bundle is an ES module. Deterministic:
// fixed timestamps and permissions, sorted entries — the same build gives the same bytes (and
// the same S3 ETag), so an unchanged handler is not redeployed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

export const LAMBDA_ENTRY = 'lambda.js';

/**
 * 1980-01-01 00:00 in local time, made at each call: a zip stores local DOS times, which fflate
 * reads from the Date's local fields, so the stored bytes are the same in every time zone.
 */
const fixedTime = () => new Date(1980, 0, 1, 0, 0, 0);
/** rw-r--r--: Lambda needs the files world-readable. Unix "made by" so the mode is kept. */
const FILE_MODE = 0o100644 * 0x10000;
const UNIX = 3;

/** Relative files the bundle loads: `import ... from "./chunk-X.js"`, `import("./x.js")`, `require("./re2js.cjs")`. */
const RELATIVE_SPECIFIER = /["'`](\.\/[\w.-]+\.(?:m|c)?js)["'`]/g;

function isEsModule(code: string): boolean {
  return /^\s*(import\s*[\w{*"']|export\s*[{*]|export\s+(const|function|async|class|default|let|var)\b)/m.test(code);
}

export interface LambdaPackage {
  zip: Uint8Array;
  files: string[];
}

export function packageLambda(distDir: string): LambdaPackage {
  const entry = join(distDir, LAMBDA_ENTRY);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first (it bundles the Lambda handler)`);
  const contents = new Map<string, Uint8Array>();
  const pending = [LAMBDA_ENTRY];
  let esm = false;
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (contents.has(name)) continue;
    const data = readFileSync(join(distDir, name));
    contents.set(name, data);
    const code = data.toString('utf8');
    if (name === LAMBDA_ENTRY) esm = isEsModule(code);
    for (const m of code.matchAll(RELATIVE_SPECIFIER)) {
      // `./NAME` only (the pattern has no `/` after it): files beside the bundle, never outside dist/.
      const target = normalize(join(dirname(name), m[1]!));
      if (existsSync(join(distDir, target))) pending.push(target.split(sep).join('/'));
    }
  }
  if (esm) contents.set('package.json', new TextEncoder().encode('{"type":"module"}\n'));
  const files = [...contents.keys()].sort();
  const zippable: Zippable = {};
  const mtime = fixedTime();
  for (const name of files) zippable[name] = [contents.get(name)!, { mtime, attrs: FILE_MODE, os: UNIX, level: 9 }];
  return { zip: zipSync(zippable), files };
}
