// Parameter values given for the deployment (--parameter, --parameters-file) as the source resolves them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawAttribute } from '../../model/attribute';
import { isResourceReference } from '../../model/attribute';
import { scanTemplate } from './index';
import type { GivenParameters } from './parameters';
import { notebookTemplate, setValue, unknownReason } from './test-helpers';

const PARAMETERS = `Parameters:
  Access: { Type: String, Default: Enabled, AllowedValues: [Enabled, Disabled] }
  NoDefault: { Type: String }
  Size: { Type: Number, Default: 5 }
  PickedSubnet: { Type: 'AWS::EC2::Subnet::Id' }
  Subnets: { Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1' }
  Names: { Type: CommaDelimitedList }
  FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: /platform/access }
  SsmList: { Type: 'AWS::SSM::Parameter::Value<List<String>>' }
  Patterned: { Type: String, AllowedPattern: 'subnet-[0-9a-f]+' }
  Secret: { Type: String, NoEcho: true, Default: TopSecretDefault }`;

const CONDITIONS = `Conditions:
  IsDisabled: !Equals [!Ref Access, Disabled]`;

function given(values: Record<string, string>): GivenParameters {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value }]));
}

/** The notebook's `Value` property, written as `valueYaml`, with these parameter values given. */
function read(valueYaml: string, values: GivenParameters): { attribute: RawAttribute; errors: { message: string; line?: number }[]; secrets?: string[] } {
  const result = scanTemplate('template.yaml', notebookTemplate(valueYaml, `${PARAMETERS}\n${CONDITIONS}`), { cloudFormationParameters: values });
  const notebook = result.resources.find((r) => r.id === 'Nb');
  assert.ok(notebook);
  return { attribute: notebook.readProperty('Value'), errors: result.errors, secrets: result.secrets };
}

test('a given value wins over the Default; the Default is used when nothing is given', () => {
  assert.equal(setValue(read('!Ref Access', {}).attribute), 'Enabled');
  assert.equal(setValue(read('!Ref Access', given({ Access: 'Disabled' })).attribute), 'Disabled');
  assert.equal(setValue(read('!Ref Access', given({ Other: 'Disabled' })).attribute), 'Enabled', 'a value for another name changes nothing');
});

test('a parameter without Default is known once given', () => {
  const deployTime = setValue(read('!Ref NoDefault', {}).attribute);
  assert.ok(isResourceReference(deployTime) && deployTime.mayBeEmpty === true, 'present, given at deploy time, maybe empty');
  assert.equal(setValue(read('!Ref NoDefault', given({ NoDefault: 'x' })).attribute), 'x');
  assert.equal(setValue(read('!Ref NoDefault', given({ NoDefault: '' })).attribute), '', 'an empty value is a value');
});

test('a Number parameter takes the text given, as CloudFormation passes it', () => {
  assert.equal(setValue(read('!Ref Size', given({ Size: '20' })).attribute), '20');
});

test('an AWS-specific id parameter takes the id given instead of a deploy-time reference', () => {
  assert.ok(isResourceReference(setValue(read('!Ref PickedSubnet', {}).attribute)));
  assert.equal(setValue(read('!Ref PickedSubnet', given({ PickedSubnet: 'subnet-0abc' })).attribute), 'subnet-0abc');
});

test('list parameters split the given text like a Default', () => {
  assert.deepEqual(setValue(read('!Ref Subnets', given({ Subnets: 'subnet-a, subnet-b' })).attribute), ['subnet-a', 'subnet-b']);
  assert.deepEqual(setValue(read('!Ref Names', given({ Names: 'x,y,z' })).attribute), ['x', 'y', 'z']);
  assert.equal(setValue(read('!Select [1, !Ref Names]', given({ Names: 'x,y,z' })).attribute), 'y');
});

test("an SSM parameter type takes the given value as the SSM parameter's value", () => {
  assert.match(unknownReason(read('!Ref FromSsm', {}).attribute), /read from SSM parameter '\/platform\/access' at deploy time/);
  assert.equal(setValue(read('!Ref FromSsm', given({ FromSsm: 'Disabled' })).attribute), 'Disabled');
  assert.deepEqual(setValue(read('!Ref SsmList', given({ SsmList: 'a,b' })).attribute), ['a', 'b']);
});

test('given values decide conditions and reach Fn::Sub', () => {
  assert.equal(setValue(read('!If [IsDisabled, closed, open]', {}).attribute), 'open');
  assert.equal(setValue(read('!If [IsDisabled, closed, open]', given({ Access: 'Disabled' })).attribute), 'closed');
  assert.equal(setValue(read('!Sub "${NoDefault}-${Size}"', given({ NoDefault: 'nb', Size: '7' })).attribute), 'nb-7');
});

test('UsePreviousValue makes the parameter unknown, even with a Default', () => {
  const reason = unknownReason(read('!Ref Access', { Access: { unknown: "parameter Access keeps the stack's previous value" } }).attribute);
  assert.match(reason, /keeps the stack's previous value/);
});

test('a value AllowedValues refuses is an error entry at the parameter, and the parameter is unknown', () => {
  const { attribute, errors } = read('!Ref Access', given({ Access: 'disabled' }));
  assert.match(unknownReason(attribute), /not one of its AllowedValues \(Enabled, Disabled\), which CloudFormation would reject/);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /^the value given for parameter Access is not one of its AllowedValues \(Enabled, Disabled\): CloudFormation would reject the deployment$/);
  assert.equal(errors[0]!.line, 3, 'the line of the parameter declaration');
});

test('a value AllowedPattern refuses is an error entry, and the parameter is unknown', () => {
  const { attribute, errors } = read('!Ref Patterned', given({ Patterned: 'sg-123' }));
  assert.match(unknownReason(attribute), /does not match its AllowedPattern/);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /parameter Patterned does not match its AllowedPattern subnet-\[0-9a-f\]\+/);
});

test('values for parameters a template does not declare are ignored without error', () => {
  const { errors } = read('!Ref Access', given({ Unrelated: 'x' }));
  assert.deepEqual(errors, []);
});

test("NoEcho parameters' values, given or Default, are handed over as secrets; others are not", () => {
  assert.deepEqual(read('x', {}).secrets, ['TopSecretDefault']);
  assert.deepEqual(read('x', given({ Secret: 'GivenSecret', Access: 'Disabled' })).secrets?.sort(), ['GivenSecret', 'TopSecretDefault']);
  const plain = scanTemplate('t.yaml', notebookTemplate('x', 'Parameters:\n  A: { Type: String, Default: v }'), { cloudFormationParameters: given({ A: 'w' }) });
  assert.equal(plain.secrets, undefined);
});
