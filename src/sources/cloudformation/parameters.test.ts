import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { collectGivenParameters, constraintViolation, parseParameterOverride, parseParametersFile, ParameterInputError } from './parameters';

describe('parameters files', () => {
  test("the AWS CLI's list of ParameterKey/ParameterValue, UsePreviousValue as unknown", () => {
    const text = JSON.stringify([
      { ParameterKey: 'Access', ParameterValue: 'Disabled' },
      { ParameterKey: 'Size', ParameterValue: 20 },
      { ParameterKey: 'Kept', UsePreviousValue: true },
      { ParameterKey: 'Resolved', ParameterValue: '/ssm/name', ResolvedValue: 'ignored' },
    ]);
    const given = parseParametersFile('params.json', text);
    assert.deepEqual(given['Access'], { value: 'Disabled' });
    assert.deepEqual(given['Size'], { value: '20' });
    assert.deepEqual(given['Resolved'], { value: '/ssm/name' });
    assert.ok('unknown' in given['Kept']!);
    assert.match((given['Kept'] as { unknown: string }).unknown, /UsePreviousValue in params\.json/);
  });

  test('a template configuration file: Parameters beside Tags and StackPolicy', () => {
    const text = JSON.stringify({ Parameters: { Access: 'Disabled', Subnets: 'subnet-1,subnet-2' }, Tags: { team: 'ml' }, StackPolicy: { Statement: [] } });
    assert.deepEqual({ ...parseParametersFile('config.json', text) }, { Access: { value: 'Disabled' }, Subnets: { value: 'subnet-1,subnet-2' } });
  });

  test('a plain object of names and values (a BOM is allowed)', () => {
    assert.deepEqual({ ...parseParametersFile('p.json', '\uFEFF{ "Access": "Disabled", "Debug": false }') }, { Access: { value: 'Disabled' }, Debug: { value: 'false' } });
  });

  test('a parameter named like an Object.prototype member is an ordinary key', () => {
    const given = parseParametersFile('p.json', '{ "constructor": "x", "toString": "y" }');
    assert.deepEqual(Object.keys(given).sort(), ['constructor', 'toString']);
    assert.deepEqual(given['constructor'], { value: 'x' });
  });

  const bad: [string, string, RegExp][] = [
    ['invalid JSON, with its line', '{\n  "Access": "Disabled",\n  oops\n}', /^p\.json:3: not valid JSON \(/],
    ['a trailing comma', '{ "Access": "Disabled", }', /^p\.json:1: not valid JSON/],
    ['a scalar document', '"Disabled"', /^p\.json: expected \[\{"ParameterKey".*found string/],
    ['null', 'null', /found null/],
    ['a list entry that is not an object', '["Access=Disabled"]', /^p\.json: entry 1 must be an object with ParameterKey and ParameterValue/],
    ['an entry without ParameterKey', '[{"ParameterValue": "x"}]', /^p\.json: entry 1 has no ParameterKey/],
    ['an entry without a value', '[{"ParameterKey": "Access"}]', /entry 1 \(Access\) has neither ParameterValue nor UsePreviousValue: true/],
    ['a value that is an object', '{"Parameters": {"Access": {"Ref": "x"}}}', /^p\.json: Access must be text, found an object/],
    ['a value that is a list', '{"Subnets": ["a", "b"]}', /Subnets must be text, found a list \(give a list as comma-separated text\)/],
    ['a null value', '[{"ParameterKey": "Access", "ParameterValue": null}]', /ParameterValue must be text, found null/],
    ['a name that is not alphanumeric', '{"my-param": "x"}', /'my-param' is not a CloudFormation parameter name/],
  ];
  for (const [what, text, message] of bad) {
    test(`a usage error for ${what}`, () => {
      assert.throws(() => parseParametersFile('p.json', text), (e: unknown) => e instanceof ParameterInputError && message.test(e.message));
    });
  }
});

describe('--parameter NAME=VALUE', () => {
  test('the value may be empty or hold "="', () => {
    assert.deepEqual(parseParameterOverride('Access=Disabled'), ['Access', { value: 'Disabled' }]);
    assert.deepEqual(parseParameterOverride('Empty='), ['Empty', { value: '' }]);
    assert.deepEqual(parseParameterOverride('Query=a=b'), ['Query', { value: 'a=b' }]);
  });

  test('no name, or a name CloudFormation would not accept, is a usage error', () => {
    assert.throws(() => parseParameterOverride('Disabled'), /--parameter 'Disabled': expected NAME=VALUE/);
    assert.throws(() => parseParameterOverride('=x'), /expected NAME=VALUE/);
    assert.throws(() => parseParameterOverride('a.b=x'), /'a\.b' is not a CloudFormation parameter name/);
  });
});

describe('precedence', () => {
  const files: Record<string, string> = {
    'first.json': JSON.stringify([
      { ParameterKey: 'A', ParameterValue: 'first' },
      { ParameterKey: 'B', ParameterValue: 'first' },
      { ParameterKey: 'C', ParameterValue: 'first' },
    ]),
    'second.json': JSON.stringify({ Parameters: { B: 'second', C: 'second' } }),
  };
  const read = (file: string) => {
    const text = files[file];
    if (text === undefined) throw new Error('ENOENT: no such file');
    return text;
  };

  test('a later file wins over an earlier one, --parameter over every file', () => {
    const given = collectGivenParameters(['first.json', 'second.json'], ['C=flag'], read);
    assert.deepEqual({ ...given }, { A: { value: 'first' }, B: { value: 'second' }, C: { value: 'flag' } });
  });

  test('the last --parameter of a name wins', () => {
    assert.deepEqual({ ...collectGivenParameters([], ['A=1', 'A=2'], read) }, { A: { value: '2' } });
  });

  test('a file that cannot be read is a usage error naming it', () => {
    assert.throws(() => collectGivenParameters(['missing.json'], [], read), /^Error: missing\.json: can't read the parameters file: ENOENT/);
  });
});

describe('constraints CloudFormation checks', () => {
  const check = (declaration: Record<string, unknown>, value: string) => constraintViolation('P', declaration, value);

  test('AllowedValues, also for each element of a list', () => {
    assert.equal(check({ Type: 'String', AllowedValues: ['Enabled', 'Disabled'] }, 'Disabled'), undefined);
    assert.match(check({ Type: 'String', AllowedValues: ['Enabled', 'Disabled'] }, 'disabled')!, /parameter P is not one of its AllowedValues \(Enabled, Disabled\)/);
    assert.equal(check({ Type: 'CommaDelimitedList', AllowedValues: ['a', 'b'] }, 'a, b'), undefined);
    assert.match(check({ Type: 'CommaDelimitedList', AllowedValues: ['a', 'b'] }, 'a,c')!, /AllowedValues/);
  });

  test('AllowedPattern matches the whole value', () => {
    assert.equal(check({ Type: 'String', AllowedPattern: 'subnet-[0-9a-f]+' }, 'subnet-0abc'), undefined);
    assert.match(check({ Type: 'String', AllowedPattern: 'subnet-[0-9a-f]+' }, 'xsubnet-0abc')!, /does not match its AllowedPattern subnet-\[0-9a-f\]\+/);
    assert.equal(check({ Type: 'String', AllowedPattern: '(' }, 'anything'), undefined, 'a pattern JavaScript cannot compile is left to CloudFormation');
  });

  test('Number, MinValue and MaxValue; MinLength and MaxLength', () => {
    assert.match(check({ Type: 'Number' }, 'ten')!, /of type Number, and the value given is not a number/);
    assert.match(check({ Type: 'Number', MinValue: 5 }, '4')!, /below its MinValue 5/);
    assert.match(check({ Type: 'Number', MaxValue: '5' }, '6')!, /above its MaxValue 5/);
    assert.equal(check({ Type: 'Number', MinValue: 5, MaxValue: 6 }, '5.5'), undefined);
    assert.match(check({ Type: 'String', MinLength: 3 }, 'ab')!, /shorter than its MinLength 3/);
    assert.match(check({ Type: 'String', MaxLength: 3 }, 'abcd')!, /longer than its MaxLength 3/);
  });

  test("an SSM type's constraints are on the SSM parameter's name, not on the value given", () => {
    assert.equal(check({ Type: 'AWS::SSM::Parameter::Value<String>', AllowedPattern: '/platform/.*' }, 'Disabled'), undefined);
  });

  test('the message never holds the value (it may be secret)', () => {
    assert.doesNotMatch(check({ Type: 'String', AllowedValues: ['a'] }, 'SecretValue')!, /SecretValue/);
    assert.doesNotMatch(check({ Type: 'String', AllowedPattern: 'x' }, 'SecretValue')!, /SecretValue/);
  });
});
