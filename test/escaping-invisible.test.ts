// Invisible and line-breaking characters from templates are shown escaped on the terminal (red
// team, issue 11: U+2028, U+2029, U+061C and U+200B reached it raw from a value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { printable } from '../src/reporters/printable';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

test('printable escapes line separators, the Arabic letter mark and zero-width characters; keeps the emoji joiner', () => {
  assert.equal(printable('a\u2028b\u2029c\u061cd\u200be\ufefff'), 'a\\u2028b\\u2029c\\u061cd\\u200be\\ufefff');
  assert.equal(printable('\u{1F469}\u200d\u{1F4BB}'), '\u{1F469}\u200d\u{1F4BB}');
});

test('attack: a value with invisible characters is shown escaped in the text report', () => {
  const template = [
    'Resources:',
    '  Nb:',
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    '      InstanceType: ml.t3.medium',
    '      RoleArn: arn:aws:iam::123456789012:role/r',
    '      DirectInternetAccess: "Ena\\u200bbled\\u2028x"',
    '',
  ].join('\n');
  const t = makeTree({ 't.yaml': template });
  try {
    const { NO_COLOR, FORCE_COLOR, ...env } = process.env;
    const r = spawnSync(process.execPath, [CLI, 'scan', join(t.root, 't.yaml')], { encoding: 'utf8', env });
    assert.equal(r.status, 1, r.stderr);
    assert.doesNotMatch(r.stdout, /[\u200b\u2028]/);
    assert.match(r.stdout, /\\u200b/);
  } finally {
    t.cleanup();
  }
});

test('red team: soft hyphens, the grapheme joiner, Hangul fillers and tag characters are escaped too', () => {
  assert.equal(printable('a\u00adb\u034fc\u3164d\u{e0041}e'), 'a\\xadb\\u034fc\\u3164d\\u{e0041}e');
});
