import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resource, type SourceResource } from '../../model/resource';
import type { RawAttribute } from '../../model/attribute';
import { UnknownValue } from '../../model/attribute';
import { check } from './rule';

const at = (line: number) => ({ file: 'nb.yaml', line });

function notebook(props: Record<string, RawAttribute>): Resource {
  const raw: SourceResource = {
    type: 'AWS::SageMaker::NotebookInstance',
    id: 'Nb',
    source: 'cloudformation',
    location: at(1),
    readProperty: (name) => props[name] ?? { state: 'absent' },
  };
  return new Resource(raw);
}

const set = (value: unknown, line: number): RawAttribute => ({ state: 'set', value, location: at(line) });

test('absent means Enabled: fail at the resource line, saying the default applies', () => {
  const r = check(notebook({}));
  assert.equal(r.result, 'fail');
  assert.match(r.message, /defaults it to Enabled/);
  assert.equal(r.location.line, 1);
});

test('Enabled fails at the property line', () => {
  const r = check(notebook({ DirectInternetAccess: set('Enabled', 7) }));
  assert.deepEqual([r.result, r.location.line], ['fail', 7]);
});

test('values are case-sensitive: disabled is invalid', () => {
  const r = check(notebook({ DirectInternetAccess: set('disabled', 7), SubnetId: set('subnet-1', 6) }));
  assert.equal(r.result, 'fail');
  assert.match(r.message, /'disabled', which is not a valid value/);
});

test('Disabled without a subnet fails because AWS rejects it; an empty subnet counts as none', () => {
  for (const subnet of [undefined, set('', 6), set([], 6)]) {
    const r = check(notebook({ DirectInternetAccess: set('Disabled', 7), ...(subnet ? { SubnetId: subnet } : {}) }));
    assert.equal(r.result, 'fail');
    assert.match(r.message, /AWS rejects/);
  }
});

test('Disabled with a literal or referenced subnet passes', () => {
  for (const subnet of [set('subnet-1', 6), set({ reference: 'aws_subnet.private.id' }, 6)]) {
    assert.equal(check(notebook({ DirectInternetAccess: set('Disabled', 7), SubnetId: subnet })).result, 'pass');
  }
});

test('unknowns are unknown, never a pass', () => {
  const unknownAccess = check(notebook({ DirectInternetAccess: { state: 'unknown', reason: "Fn::ImportValue 'x'", location: at(7) } }));
  assert.equal(unknownAccess.result, 'unknown');
  assert.match(unknownAccess.message, /ImportValue/);
  const unknownSubnet = check(notebook({ DirectInternetAccess: set('Disabled', 7), SubnetId: { state: 'unknown', reason: 'variable s has no value', location: at(6) } }));
  assert.deepEqual([unknownSubnet.result, unknownSubnet.location.line], ['unknown', 6]);
  const partlyUnknown = check(notebook({ DirectInternetAccess: set('Disabled', 7), SubnetId: set(new UnknownValue('x'), 6) }));
  assert.equal(partlyUnknown.result, 'unknown');
});
