import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTree } from '../../test/helpers/fixtures';
import { decodeText, encodeText, readTextFile, type TextEncoding } from './files';

const ENCODINGS: TextEncoding[] = ['utf8', 'utf8-bom', 'utf16le-bom', 'utf16be-bom'];
const SAMPLE = 'Resources:\n  Nb: # ünïcödé, 日本語, 😀\n    Type: AWS::SageMaker::NotebookInstance\n';

test('decodeText finds the encoding by byte-order mark, and encodeText gives the same bytes back (fix writes a file as it was)', () => {
  for (const encoding of ENCODINGS) {
    const bytes = encodeText(SAMPLE, encoding);
    const decoded = decodeText(bytes);
    assert.deepEqual(decoded, { ok: true, text: SAMPLE, encoding }, encoding);
    assert.ok(encodeText(SAMPLE, encoding).equals(bytes));
  }
  assert.deepEqual([...encodeText('A', 'utf16be-bom')], [0xfe, 0xff, 0x00, 0x41]);
  assert.deepEqual([...encodeText('A', 'utf16le-bom')], [0xff, 0xfe, 0x41, 0x00]);
  assert.deepEqual([...encodeText('A', 'utf8-bom')], [0xef, 0xbb, 0xbf, 0x41]);
});

test('decodeText: NUL bytes in UTF-8 and NUL characters in UTF-16 are binary data', () => {
  assert.deepEqual(decodeText(Buffer.from([0x7b, 0x00, 0x7d])), { ok: false, reason: 'binary data (contains NUL bytes), not a text template' });
  assert.equal(decodeText(encodeText('a\0b', 'utf16le-bom')).ok, false);
  assert.equal(decodeText(Buffer.from([0xff, 0xfe, 0x41])).ok, false, 'odd length');
  assert.deepEqual(decodeText(Buffer.alloc(0)), { ok: true, text: '', encoding: 'utf8' });
});

test('readTextFile refuses a FIFO and a device without waiting, in a child process with a deadline', () => {
  const t = makeTree({ 'ok.tfvars': encodeText('a = 1\n', 'utf16le-bom') });
  try {
    const fifo = join(t.root, 'terraform.tfvars');
    execFileSync('mkfifo', [fifo]);
    const script = `
      import { readTextFile } from ${JSON.stringify(new URL('./files.ts', import.meta.url).href)};
      const paths = JSON.parse(process.argv[1]);
      console.log(JSON.stringify(paths.map((p) => readTextFile(p))));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify([fifo, '/dev/zero', join(t.root, 'ok.tfvars')])], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.signal, null, 'readTextFile blocked on the FIFO');
    assert.deepEqual(JSON.parse(r.stdout), [
      { ok: false, reason: 'not a regular file (a named pipe), not read' },
      { ok: false, reason: 'not a regular file (a character device), not read' },
      { ok: true, text: 'a = 1\n', encoding: 'utf16le-bom' },
    ]);
  } finally {
    t.cleanup();
  }
});

test('readTextFile: over the size limit is refused before reading', () => {
  const t = makeTree({ 'big.yaml': 'x'.repeat(100) });
  try {
    assert.deepEqual(readTextFile(join(t.root, 'big.yaml'), { maxFileBytes: 10 }), {
      ok: false,
      reason: 'file is 100 bytes, over the 10-byte limit (--max-file-size)',
    });
  } finally {
    t.cleanup();
  }
});
