// The build's schema-key plugin (scripts/build/inline-schema-keys.mjs): it must leave the SDK's
// API models exactly as they were, and let the bundle drop the parts the audit doesn't call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { inlineSchemaKeys, inlineSchemaKeysPlugin } from '../scripts/build/inline-schema-keys.mjs';

test('computed keys naming a string constant become that string; anything else is left alone', () => {
  const before = [
    'const _xN = "xmlName";',
    'const _n = "x\\"y";',
    'let _v = "not a constant";',
    'export var A$ = [3, n0, _A, 0, [_B], [[() => L, { [_xN]: _M }], { [_n]: 1, [_v]: 2, [other]: 3 }]];',
  ].join('\n');
  const after = inlineSchemaKeys(before);
  assert.equal(after.split('\n')[3], 'export var A$ = [3, n0, _A, 0, [_B], [[() => L, { "xmlName": _M }], { "x\\"y": 1, [_v]: 2, [other]: 3 }]];');
  assert.equal(inlineSchemaKeys(after), after);
});

/** Bundles `source` (resolved from the project) into one ES module and imports it. */
async function bundleAndImport(dir: string, name: string, source: string, plugins: Plugin[]) {
  const outfile = join(dir, `${name}.mjs`);
  await build({ stdin: { contents: source, resolveDir: process.cwd() }, outfile, bundle: true, platform: 'node', format: 'esm', mainFields: ['module', 'main'], plugins, logLevel: 'error', metafile: true });
  return { module: (await import(pathToFileURL(outfile).href)) as Record<string, unknown>, outfile };
}

/** Schemas compared by value; a `() => Other$` link by the name of the schema it returns (the models are cyclic). */
function normalize(value: unknown, depth = 0): unknown {
  if (typeof value === 'function') {
    const target = (value as () => unknown)();
    return Array.isArray(target) ? `-> ${String(target[1])}#${String(target[2])}` : `-> ${typeof target}`;
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, depth + 1));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, depth + 1)]));
  return value;
}

for (const client of ['client-ec2', 'client-sagemaker']) {
  test(`${client}: every schema the plugin rewrites is equal to the original, link for link`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-schemas-'));
    try {
      const source = `export * from '@aws-sdk/${client}/dist-es/schemas/schemas_0.js';`;
      const original = await bundleAndImport(dir, 'original', source, []);
      const rewritten = await bundleAndImport(dir, 'rewritten', source, [inlineSchemaKeysPlugin]);
      const names = Object.keys(original.module).filter((k) => k.endsWith('$'));
      assert.ok(names.length > 500, `${names.length} schemas`);
      assert.deepEqual(Object.keys(rewritten.module).sort(), Object.keys(original.module).sort());
      for (const name of names) assert.deepEqual(normalize(rewritten.module[name]), normalize(original.module[name]), name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('with the plugin, a bundle calling only DescribeRegions leaves out the rest of the EC2 model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-schemas-'));
  try {
    const source = "import { EC2Client, DescribeRegionsCommand } from '@aws-sdk/client-ec2'; export { EC2Client, DescribeRegionsCommand };";
    const sizes: number[] = [];
    for (const plugins of [[], [inlineSchemaKeysPlugin]]) {
      const outfile = join(dir, `b${sizes.length}.mjs`);
      const result = await build({ stdin: { contents: source, resolveDir: process.cwd() }, outfile, bundle: true, platform: 'node', format: 'esm', mainFields: ['module', 'main'], plugins, logLevel: 'error', metafile: true });
      sizes.push(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.bytes);
    }
    const [without, withPlugin] = sizes as [number, number];
    assert.ok(withPlugin < without - 500_000, `bundle ${without} bytes without the plugin, ${withPlugin} with it`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
