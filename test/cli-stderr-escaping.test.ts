// Error messages on standard error quote what a hostile repository wrote (its .cloudconform.yml,
// a parameters file): terminal control sequences in them are shown escaped, never sent to the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTree, NOTEBOOK_CFN_YAML } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test('attack: an OSC title sequence in .cloudconform.yml or a parameters file never reaches standard error raw (scan and fix)', () => {
  const t = makeTree({
    'repo/nb.yaml': NOTEBOOK_CFN_YAML('Nb', 'Enabled'),
    // YAML's own escapes: the file holds only printable text, the value holds ESC and BEL.
    'repo/.cloudconform.yml': 'failOn: "\\e]0;OWNED\\a\\e[2J"\n',
    'params.json': JSON.stringify([{ ParameterKey: '\u001b]0;PWN\u0007', ParameterValue: 'x' }]),
  });
  try {
    for (const [cwd, args] of [
      ['repo', ['scan', '.']],
      ['repo', ['fix', '--dry-run', '.']],
      ['.', ['scan', '--parameters-file', 'params.json', 'repo/nb.yaml']],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: join(t.root, cwd), encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /\\x1b\]0;(OWNED|PWN)\\x07/, r.stderr);
      assert.doesNotMatch(r.stderr, CONTROL, JSON.stringify(r.stderr));
    }
  } finally {
    t.cleanup();
  }
});

test('attack: C1 controls and bidi overrides from a template are escaped in JSON, SARIF, JUnit and fix --format json, and read back the same', () => {
  const value = '\u009b2J\u009d0;T\u009c\u202eEnabled';
  const t = makeTree({ 'nb.yaml': NOTEBOOK_CFN_YAML('Nb', JSON.stringify(value)) });
  try {
    for (const args of [['scan', '-f', 'json', '.'], ['scan', '-f', 'sarif', '.'], ['scan', '-f', 'junit', '.'], ['fix', '--dry-run', '-f', 'json', '.']]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: t.root, encoding: 'utf8', timeout: 30_000 });
      assert.ok(r.status === 1, `${args.join(' ')}: ${r.status} ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /[\u007f-\u009f\u202a-\u202e]/, `${args.join(' ')} writes them raw`);
      if (args.includes('junit')) assert.match(r.stdout, /&#x9b;2J/);
      else assert.ok(JSON.stringify(JSON.parse(r.stdout)).includes(value), `${args.join(' ')}: the value reads back the same`);
    }
  } finally {
    t.cleanup();
  }
});
