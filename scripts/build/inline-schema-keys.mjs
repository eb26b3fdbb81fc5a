// An esbuild plugin that lets the bundle drop the AWS SDK schemas the audit never uses.
//
// Each SDK v3 client ships its API model as one generated module (`dist-es/schemas/schemas_0.js`)
// of `export var X$ = [...]` arrays. Some arrays hold objects with computed keys naming shape
// traits, `{ [_xN]: _PEA }`, where `_xN` is a module constant such as `"xmlName"`. esbuild can't
// prove a computed key free of side effects, so it keeps every such array and, through their
// `() => Other$` links, most of the model: EC2's alone added 1 MB to the audit bundle and about
// 80 ms of start-up, for the one call (DescribeRegions) the audit makes. Writing each key as the
// string its constant holds changes nothing at run time and lets tree shaking work.
import { readFile } from 'node:fs/promises';

const SCHEMA_MODULE = /@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/** The module's text with `[_name]:` keys written as the string constant `_name` holds. */
export function inlineSchemaKeys(text) {
  const constants = new Map();
  for (const m of text.matchAll(STRING_CONSTANT)) constants.set(m[1], m[2]);
  return text.replace(COMPUTED_KEY, (key, name) => (constants.has(name) ? `${constants.get(name)}:` : key));
}

export const inlineSchemaKeysPlugin = {
  name: 'inline-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => ({ contents: inlineSchemaKeys(await readFile(args.path, 'utf8')), loader: 'js' }));
  },
};
