// Property tests: whatever the text, scanning and reading properties never throws, and what comes
// back is well-formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RawAttribute } from '../../model/attribute';
import type { SourceResult } from '../source';
import { cloudFormationSource } from './index';
import { NOTEBOOK } from './test-helpers';

const PROPERTY_NAMES = ['DirectInternetAccess', 'SubnetId', 'P0', 'P1', 'P2', 'Tags', '__proto__', 'constructor'];

function checkAttribute(attribute: RawAttribute): void {
  assert.ok(['set', 'absent', 'unknown'].includes(attribute.state));
  if (attribute.state === 'unknown') assert.equal(typeof attribute.reason, 'string');
  if (attribute.state !== 'absent') assert.ok(attribute.location.line >= 1);
}

/** Scans and reads every property a rule might; returns the result for further checks. */
function exercise(text: string, file = 'fuzz.yaml'): SourceResult {
  cloudFormationSource.detect(text, file);
  const result = cloudFormationSource.scanFile(file, text);
  assert.ok(Array.isArray(result.resources) && Array.isArray(result.errors));
  for (const error of result.errors) {
    assert.equal(typeof error.message, 'string');
    assert.equal(error.file, file);
    if (error.line !== undefined) assert.ok(error.line >= 1);
  }
  for (const resource of result.resources) {
    assert.ok(resource.location.line >= 1);
    for (const name of PROPERTY_NAMES) checkAttribute(resource.readProperty(name));
    for (const suppression of resource.suppressions ?? []) assert.equal(typeof suppression.reason, 'string');
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  return result;
}

const VALID_YAML = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::LanguageExtensions
Parameters:
  Stage: { Type: String, Default: prod }
  Names: { Type: CommaDelimitedList, Default: 'a,b' }
Mappings:
  Access: { eu: { Mode: Disabled } }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Other: !Or [!Condition IsProd, !Not [!Equals [!Ref 'AWS::Region', x]]]
Base: &base
  Key: value
Resources:
  Subnet: { Type: AWS::EC2::Subnet }
  Nb:
    Type: ${NOTEBOOK}
    Condition: Other
    Metadata:
      cloudconform:
        skip:
          - id: SageMaker-004
            reason: test
    Properties:
      DirectInternetAccess: !If [IsProd, Disabled, !Ref AWS::NoValue]
      SubnetId: !Sub '\${Subnet}-\${Stage}'
      P0: !FindInMap [Access, eu, Mode]
      P1: !Join ['-', !Split [',', !Select [0, [a, b]]]]
      P2: { <<: *base, K: !GetAtt Subnet.Arn }
      Tags: [{ Key: a, Value: !Base64 x }]
  Fn::ForEach::Loop:
    - X
    - !Ref Names
    - Nb\${X}: { Type: ${NOTEBOOK}, Properties: { P0: !Ref X } }
`;

const VALID_JSON = JSON.stringify(
  {
    Parameters: { Stage: { Type: 'String', Default: 'prod' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    Resources: {
      Nb: {
        Type: NOTEBOOK,
        Properties: {
          DirectInternetAccess: { 'Fn::If': ['IsProd', 'Disabled', 'Enabled'] },
          SubnetId: { 'Fn::ImportValue': 'x' },
          P0: { 'Fn::Sub': ['${A}', { A: { Ref: 'Stage' } }] },
        },
      },
    },
  },
  null,
  2,
);

const TOKENS = [
  '!Ref ', '!GetAtt ', '!If [', '!Sub ', '!Condition ', '&a ', '*a', '*base', '<<: ', '{', '}', '[', ']', ':', ': ', ', ', '- ',
  '\n', '\n  ', '\n      ', '"', "'", '__proto__: ', 'constructor: ', 'Fn::If: ', 'Ref: ', '${', '}', '#', '|\n', '>', '\t',
  '? ', '%', '\\', '\u0000', '\ud800', 'AWS::NoValue', 'IsProd', 'Fn::ForEach::L: ', '---\n', '...\n', '!!str ', '\r',
];

const mutation = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 30 }),
  insert: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })),
});

function mutate(text: string, mutations: { at: number; remove: number; insert: string }[]): string {
  for (const m of mutations) {
    const at = m.at % (text.length + 1);
    text = text.slice(0, at) + m.insert + text.slice(at + m.remove);
  }
  return text;
}

test('the unmutated templates scan cleanly', () => {
  const yaml = exercise(VALID_YAML);
  assert.deepEqual(yaml.errors, []);
  assert.deepEqual(
    yaml.resources.map((r) => r.id),
    ['Nb', 'Nba', 'Nbb'],
  );
  assert.deepEqual(exercise(VALID_JSON, 'fuzz.json').errors, []);
});

test('scanFile never throws for arbitrary strings', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
      exercise(text);
    }),
    { numRuns: 500 },
  );
});

test('scanFile never throws for mutated templates', () => {
  fc.assert(
    fc.property(fc.constantFrom(VALID_YAML, VALID_JSON), fc.array(mutation, { minLength: 1, maxLength: 6 }), (text, mutations) => {
      exercise(mutate(text, mutations));
    }),
    { numRuns: 600 },
  );
});

/** Template values built from intrinsic functions with arbitrary (often wrong) arguments. */
const { node } = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.constantFrom('Stage', 'AWS::Region', 'AWS::NoValue', 'Nb', 'Subnet', 'IsProd', 'Loop', 'Access', 'eu', 'Mode', '${Stage}', 'a.b', '${Nb.Arn}', ''),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 6 }),
    ),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('Ref', 'Condition', 'DefaultValue', 'Key', '__proto__', 'constructor'), tie('node'), { maxKeys: 3 }),
    fc
      .tuple(
        fc.constantFrom(
          'Ref', 'Condition', 'Fn::If', 'Fn::Sub', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::Equals',
          'Fn::And', 'Fn::Or', 'Fn::Not', 'Fn::Base64', 'Fn::Cidr', 'Fn::Length', 'Fn::ToJsonString', 'Fn::ImportValue', 'Fn::GetAZs',
        ),
        tie('node'),
      )
      .map(([fn, arg]) => ({ [fn]: arg })),
  ),
}));

test('resolution never throws for arbitrary intrinsic trees', () => {
  fc.assert(
    fc.property(fc.array(node, { minLength: 3, maxLength: 3 }), node, node, (properties, condition, loopCondition) => {
      const template = {
        Parameters: { Stage: { Type: 'String', Default: 'prod' }, List: { Type: 'CommaDelimitedList', Default: 'a,b' } },
        Mappings: { Access: { eu: { Mode: 'Disabled' } } },
        Conditions: { IsProd: condition, Loop: { Condition: 'Loop' }, Other: loopCondition },
        Resources: {
          Subnet: { Type: 'AWS::EC2::Subnet' },
          Nb: { Type: NOTEBOOK, Condition: 'Other', Properties: { P0: properties[0], P1: properties[1], P2: properties[2] } },
          Always: { Type: NOTEBOOK, Properties: { P0: properties[2], P1: { 'Fn::If': ['IsProd', properties[1], properties[0]] } } },
          'Fn::ForEach::L': ['X', properties[0], { 'R${X}': { Type: NOTEBOOK, Properties: { P0: { Ref: 'X' } } } }],
        },
      };
      exercise(JSON.stringify(template), 'fuzz.json');
    }),
    { numRuns: 500 },
  );
});
