import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { NOTEBOOK, resourceOf, scan, setValue, unknownReason } from './test-helpers';

describe('inline suppressions', () => {
  test('Metadata.cloudconform.skip entries, with the id line as location', () => {
    const text = `Resources:
  Nb:
    Type: ${NOTEBOOK}
    Metadata:
      cfn_nag: { rules_to_suppress: [{ id: W1, reason: ignored }] }
      cloudconform:
        skip:
          - id: SageMaker-004
            reason: lab notebook, no data
          - { reason: "reason first", id: SageMaker-005 }
          - id: CKV_AWS_122
          - sagemaker-005
`;
    const nb = resourceOf(text, 'Nb');
    assert.deepEqual(nb.suppressions, [
      { ruleId: 'SageMaker-004', reason: 'lab notebook, no data', location: { file: 'template.yaml', line: 8, column: 13 }, source: 'inline' },
      { ruleId: 'SageMaker-005', reason: 'reason first', location: { file: 'template.yaml', line: 10, column: 39 }, source: 'inline' },
      { ruleId: 'SageMaker-004', reason: '', location: { file: 'template.yaml', line: 11, column: 13 }, source: 'inline', writtenAs: 'CKV_AWS_122' },
      { ruleId: 'SageMaker-005', reason: '', location: { file: 'template.yaml', line: 7, column: 9 }, source: 'inline', writtenAs: 'sagemaker-005' },
    ]);
  });

  test('an unknown rule id is an error at its line, and that skip is dropped', () => {
    const result = scan(`Resources:
  Nb:
    Type: ${NOTEBOOK}
    Metadata:
      cloudconform:
        skip:
          - id: SageMaker-006
            reason: typo
          - id: SageMaker-004
            reason: lab
`);
    assert.deepEqual(result.errors.map((e) => [e.line, e.message.split(' (rules:')[0]]), [[7, "Metadata.cloudconform.skip of Nb: no rule 'SageMaker-006'"]]);
    assert.deepEqual(result.resources[0]!.suppressions?.map((s) => s.ruleId), ['SageMaker-004']);
  });

  test('JSON', () => {
    const text = JSON.stringify(
      { Resources: { Nb: { Type: NOTEBOOK, Metadata: { cloudconform: { skip: [{ id: 'SageMaker-004', reason: 'r' }] } } } } },
      null,
      2,
    );
    const nb = resourceOf(text, 'Nb', 't.json');
    assert.deepEqual(nb.suppressions, [{ ruleId: 'SageMaker-004', reason: 'r', location: { file: 't.json', line: 9, column: 15 }, source: 'inline' }]);
  });

  test('no Metadata, or other tools only: no suppressions', () => {
    assert.equal(resourceOf(`Resources:\n  Nb: { Type: ${NOTEBOOK} }\n`, 'Nb').suppressions, undefined);
    assert.equal(resourceOf(`Resources:\n  Nb: { Type: ${NOTEBOOK}, Metadata: { checkov: { skip: [] } } }\n`, 'Nb').suppressions, undefined);
  });

  test('malformed entries are reported, the resource is still checked', () => {
    const result = scan(`Resources:
  A:
    Type: ${NOTEBOOK}
    Metadata: { cloudconform: { skip: SageMaker-004 } }
  B:
    Type: ${NOTEBOOK}
    Metadata:
      cloudconform:
        skip:
          - reason: no id
  C:
    Type: ${NOTEBOOK}
    Metadata: { cloudconform: yes }
`);
    assert.deepEqual(
      result.resources.map((r) => r.id),
      ['A', 'B', 'C'],
    );
    assert.deepEqual(
      result.errors.map((e) => [e.line, e.message.slice(0, 45)]),
      [
        [4, 'Metadata.cloudconform.skip of A must be a lis'],
        [9, 'Metadata.cloudconform.skip entry 1 of B has n'],
        [13, 'Metadata.cloudconform of C must be a mapping '],
      ],
    );
  });
});

describe('template shape errors', () => {
  const cases: [name: string, text: string, message: RegExp, line?: number][] = [
    ['a list', '- a\n- b\n', /not a CloudFormation template: the document is a list/],
    ['a scalar', 'hello\n', /the document is a string/],
    ['empty', '', /the document is empty/],
    ['no Resources', 'AWSTemplateFormatVersion: "2010-09-09"\nOutputs: {}\n', /no Resources section/],
    ['Resources not a mapping', 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [a, b]\n', /Resources must be a mapping/, 2],
    ['a resource not a mapping', 'Resources:\n  A: 5\n', /resource A must be a mapping/, 2],
    ['a resource without Type', 'Resources:\n  A: { Properties: {} }\n', /resource A has no Type/, 2],
    ['Parameters not a mapping', 'Parameters: 3\nResources: {}\n', /Parameters must be a mapping/, 1],
    ['YAML syntax error', 'Resources:\n  A:\n    Type: [unclosed\n', /YAML syntax error/, 3],
    ['duplicate keys', `Resources:\n  A: { Type: ${NOTEBOOK} }\n  A: { Type: ${NOTEBOOK} }\n`, /duplicated mapping key/, 3],
    ['an unknown tag', 'Resources:\n  A: !Nope x\n', /unknown tag/, 2],
    ['several documents', 'Resources: {}\n---\nResources: {}\n', /single document/],
    ['invalid JSON', '{"Resources": {"A": }', /JSON syntax error: /, 1],
    ['invalid JSON, error position given', '{\n  "Resources": {\n    "A": {} "B": {}\n  }\n}\n', /JSON syntax error: /, 3],
    ['YAML flow style starting with a brace', '{ Resources: [ }', /YAML syntax error/, 1],
  ];
  for (const [name, text, message, line] of cases) {
    test(name, () => {
      const result = scan(text);
      assert.equal(result.errors.length, 1, JSON.stringify(result.errors));
      assert.match(result.errors[0]!.message, message);
      assert.equal(result.errors[0]!.file, 'template.yaml');
      if (line !== undefined) assert.equal(result.errors[0]!.line, line);
    });
  }
});

describe('hostile input', () => {
  test('a 1 KB alias bomb is refused quickly', () => {
    let text = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 10; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    text += `Resources:\n  Nb:\n    Type: ${NOTEBOOK}\n    Properties: { Tags: *a9 }\n`;
    assert.ok(text.length < 1100);
    const start = performance.now();
    const result = scan(text);
    assert.ok(performance.now() - start < 1000, 'within a second');
    assert.deepEqual(result.resources, []);
    assert.match(result.errors[0]?.message ?? '', /aliases expand to more than .* nodes/);
  });

  test('modest alias use is fine', () => {
    const nb = resourceOf(
      `Tags: &tags [{ Key: a, Value: b }]\nResources:\n  Nb:\n    Type: ${NOTEBOOK}\n    Properties: { Tags: *tags, Other: *tags }\n`,
      'Nb',
    );
    assert.deepEqual(setValue(nb.readProperty('Tags')), [{ Key: 'a', Value: 'b' }]);
  });

  test('10,000-deep nesting: YAML is refused, JSON resolves to unknown, no crash', () => {
    const deepYaml = `Resources:\n  Nb:\n    Type: ${NOTEBOOK}\n    Properties: { Deep: ${'['.repeat(10_000)}${']'.repeat(10_000)} }\n`;
    const yamlResult = scan(deepYaml);
    assert.match(yamlResult.errors[0]?.message ?? '', /deeper than 100 levels/);
    let blockYaml = 'Resources:\n';
    for (let i = 1; i <= 10_000; i++) blockYaml += `${' '.repeat(i)}k:\n`;
    assert.match(scan(blockYaml).errors[0]?.message ?? '', /deeper than 100 levels/);

    const deepJson = `{"Resources": {"Nb": {"Type": "${NOTEBOOK}", "Properties": {"Deep": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}, "Ok": 1}}}}`;
    const nb = resourceOf(deepJson, 'Nb', 'deep.json');
    assert.match(unknownReason(nb.readProperty('Deep')), /deeper than 100 levels/);
    assert.equal(setValue(nb.readProperty('Ok')), 1);
    const deepList = `{"Resources": {"Nb": {"Type": "${NOTEBOOK}", "Properties": {"Deep": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}}}`;
    assert.match(unknownReason(resourceOf(deepList, 'Nb', 'deep.json').readProperty('Deep')), /deeper than 100 levels/);
  });

  test('__proto__, constructor and prototype keys are ordinary data', () => {
    const yamlText = `__proto__: { polluted: yes }
Parameters:
  __proto__: { Type: String, Default: fromProto }
  constructor: { Type: String, Default: fromConstructor }
Mappings:
  __proto__: { __proto__: { polluted: mapped } }
Conditions:
  prototype: !Equals [!Ref constructor, fromConstructor]
Resources:
  __proto__:
    Type: ${NOTEBOOK}
    Properties:
      __proto__: { polluted: yes }
      constructor: !Ref __proto__
      prototype: !If [prototype, !FindInMap [__proto__, __proto__, polluted], no]
      toString: !Ref toString
      Sub: !Sub '\${constructor}-\${__proto__}'
      Map: !FindInMap [Mappings, constructor, x]
      Cond: !If [constructor, a, b]
`;
    const jsonText = JSON.stringify({
      ['__proto__']: { polluted: 'yes' },
      Resources: JSON.parse(`{"__proto__": {"Type": "${NOTEBOOK}", "Properties": {"__proto__": {"polluted": "yes"}, "constructor": {"Ref": "constructor"}}}}`),
    });
    for (const [file, text] of [
      ['t.yaml', yamlText],
      ['t.json', jsonText],
    ] as const) {
      const result = scan(text, file);
      assert.deepEqual(result.errors, []);
      const [resource] = result.resources;
      assert.equal(resource?.id, '__proto__');
      const proto = setValue(resource.readProperty('__proto__')) as Record<string, unknown>;
      assert.ok(Object.prototype.hasOwnProperty.call(proto, 'polluted'));
      assert.equal(Object.getPrototypeOf(proto), Object.prototype);
      if (file === 't.yaml') {
        assert.equal(setValue(resource.readProperty('constructor')), 'fromProto');
        assert.equal(setValue(resource.readProperty('prototype')), 'mapped');
        assert.match(unknownReason(resource.readProperty('toString')), /'toString', which is not a parameter/);
        assert.equal(setValue(resource.readProperty('Sub')), 'fromConstructor-fromProto');
        assert.match(unknownReason(resource.readProperty('Map')), /no mapping Mappings/);
        assert.match(unknownReason(resource.readProperty('Cond')), /condition constructor is not defined/);
      } else {
        assert.match(unknownReason(resource.readProperty('constructor')), /'constructor', which is not a parameter/);
      }
      assert.deepEqual(resource.readProperty('hasOwnProperty'), { state: 'absent' });
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  test('garbage bytes become an error, not an exception', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    for (const text of [garbage, '\u0000', '\ud800', '{', '{"a":', ':::', '!Ref', '&a *a', '- !!binary x', '%YAML 9.9\n---\na: 1']) {
      const result = scan(text);
      assert.equal(result.resources.length, 0);
      assert.ok(result.errors.length >= 1, JSON.stringify(text));
      assert.ok(result.errors.every((e) => typeof e.message === 'string' && e.file === 'template.yaml'));
    }
  });
});
