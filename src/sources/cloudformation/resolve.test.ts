import { isResourceReference } from '../../model/attribute';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { UnknownValue } from '../../model/attribute';
import { ResourceReference } from './values';
import { NOTEBOOK, readValue, resourceOf, scan, scanClean, setValue, unknownReason } from './test-helpers';

const PARAMETERS = `Parameters:
  Stage: { Type: String, Default: prod, AllowedValues: [prod, dev] }
  NoDefault: { Type: String }
  PickedSubnet: { Type: 'AWS::EC2::Subnet::Id' }
  SubnetList: { Type: 'List<AWS::EC2::Subnet::Id>' }
  Choice: { Type: String, AllowedValues: [a, b] }
  OnlyChoice: { Type: String, AllowedValues: [only] }
  FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: /platform/x }
  Subnets: { Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1, subnet-2' }
  Names: { Type: CommaDelimitedList, Default: 'a,b,c' }
  Size: { Type: Number, Default: 20 }
  Empty: { Type: String, Default: '' }`;

const MAPPINGS = `Mappings:
  Access:
    eu: { Mode: Disabled, Same: x }
    us: { Mode: Enabled, Same: x }`;

const CONDITIONS = `Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Equals [dev, !Ref Stage]
  IsEast: !Equals [!Ref 'AWS::Region', us-east-1]
  NotProd: !Not [!Condition IsProd]
  ProdAndEast: !And [!Condition IsProd, !Condition IsEast]
  DevAndEast: !And [!Condition IsDev, !Condition IsEast]
  ProdOrEast: !Or [!Condition IsProd, !Condition IsEast]
  DevOrEast: !Or [!Condition IsDev, !Condition IsEast]
  NotEast: !Not [!Condition IsEast]
  LongForm: { 'Fn::And': [{ Condition: IsProd }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: Stage }, dev] }] }] }
  Loop1: !Condition Loop2
  Loop2: !Condition Loop1
  Missing: !Condition Undefined
  EmptyIsEmpty: !Equals [!Ref Empty, '']
  NumberText: !Equals [!Ref Size, '20']
  NoDefaultIsX: !Equals [!Ref NoDefault, x]`;

const ALL = [PARAMETERS, MAPPINGS, CONDITIONS].join('\n');

function value(yaml: string): unknown {
  return setValue(readValue(yaml, ALL));
}

/** A property's whole value built at deploy time: present, shown as CloudFormation writes it, not a literal. */
function deployTimeText(yaml: string): string {
  const built = value(yaml);
  assert.ok(isResourceReference(built) && typeof built !== 'string', `expected deploy-time text, got ${JSON.stringify(built)}`);
  return built.reference;
}
function unknown(yaml: string): string {
  return unknownReason(readValue(yaml, ALL));
}
function absent(yaml: string): void {
  assert.deepEqual(readValue(yaml, ALL), { state: 'absent' });
}

describe('Ref', () => {
  test('to a parameter gives its Default, short and long form', () => {
    assert.equal(value('!Ref Stage'), 'prod');
    assert.equal(value('{ Ref: Stage }'), 'prod');
    assert.equal(value('{ "Ref": "Stage" }'), 'prod');
    assert.equal(value('!Ref Empty'), '');
    assert.equal(value('!Ref Size'), 20);
  });
  test('list parameters split their Default', () => {
    assert.deepEqual(value('!Ref Subnets'), ['subnet-1', 'subnet-2']);
    assert.deepEqual(value('!Ref Names'), ['a', 'b', 'c']);
  });
  test('a parameter without Default is present, given at deploy time; empty unless its constraints forbid it', () => {
    const text = value('!Ref NoDefault');
    assert.ok(isResourceReference(text));
    assert.equal(text.reference, 'parameter NoDefault (String)');
    assert.equal(text.mayBeEmpty, true);
    const choice = value('!Ref Choice');
    assert.ok(isResourceReference(choice));
    assert.equal(choice.mayBeEmpty, false, "AllowedValues [a, b] excludes ''");
    // Where the value decides something, it is unknown.
    assert.match(unknown('!If [NoDefaultIsX, a, b]'), /NoDefault \(String\) is given at deploy time/);
  });
  test('an AWS-specific id parameter without Default is present (CloudFormation accepts only existing ids), its value unknown', () => {
    const subnet = value('!Ref PickedSubnet');
    assert.ok(isResourceReference(subnet), String(subnet));
    assert.equal(subnet.reference, 'parameter PickedSubnet (AWS::EC2::Subnet::Id)');
    assert.equal(deployTimeText("!Sub 'x-${PickedSubnet}'"), 'x-${PickedSubnet}', 'in text: its CloudFormation spelling, like a resource id');
    const list = value('!Ref SubnetList');
    assert.ok(isResourceReference(list) && list.mayBeEmpty === true, 'a list may be empty');
    const element = value('!Select [3, !Ref SubnetList]');
    assert.ok(isResourceReference(element), 'an element (past the end, the deployment fails)');
    assert.equal(element.mayBeEmpty, false);
    assert.match(unknown('!Length { Ref: SubnetList }'), /SubnetList .* is given at deploy time/);
  });
  test('a single AllowedValue leaves no choice', () => {
    assert.equal(value('!Ref OnlyChoice'), 'only');
  });
  test('an SSM parameter type is unknown', () => {
    assert.match(unknown('!Ref FromSsm'), /SSM parameter '\/platform\/x'/);
  });
  test('to a resource is set to a reference', () => {
    const v = value('!Ref Subnet');
    assert.ok(v instanceof ResourceReference);
    assert.equal(v.reference, 'Subnet');
    assert.equal(v.logicalId, 'Subnet');
    assert.equal(v.resourceType, 'AWS::EC2::Subnet');
    assert.equal(v.attribute, undefined);
  });
  test('pseudo parameters are unknown as whole values', () => {
    assert.equal(unknown('!Ref AWS::Region'), 'AWS::Region is known only at deploy time');
    assert.match(unknown('{ Ref: "AWS::AccountId" }'), /AWS::AccountId/);
  });
  test('AWS::NoValue removes the property', () => {
    absent('!Ref AWS::NoValue');
    absent('{ Ref: "AWS::NoValue" }');
  });
  test('to an undefined name is unknown', () => {
    assert.match(unknown('!Ref Nowhere'), /'Nowhere', which is not a parameter or resource/);
  });
});

describe('partly unknown values', () => {
  test('unknown list elements and fields are UnknownValue markers', () => {
    const list = value('[subnet-a, !ImportValue shared-subnet, !Ref AWS::Region]') as unknown[];
    assert.equal(list[0], 'subnet-a');
    assert.ok(list[1] instanceof UnknownValue);
    assert.equal((list[1] as UnknownValue).reason, "Fn::ImportValue 'shared-subnet' can't be resolved offline");
    assert.ok(list[2] instanceof UnknownValue);
    const object = value('{ Known: !Ref Stage, Imported: !ImportValue x, Gone: !Ref AWS::NoValue }') as Record<string, unknown>;
    assert.equal(object['Known'], 'prod');
    assert.ok(object['Imported'] instanceof UnknownValue);
    assert.ok(!('Gone' in object));
  });
  test('AWS::NoValue in a list removes the element', () => {
    assert.deepEqual(value('[a, !If [IsProd, !Ref AWS::NoValue, b], c]'), ['a', 'c']);
  });
  test('a dynamic reference is unknown', () => {
    assert.match(unknown("'{{resolve:ssm:/notebook/access}}'"), /dynamic reference \{\{resolve:ssm:\/notebook\/access\}\}/);
  });
});

describe('Fn::GetAtt', () => {
  for (const form of ['!GetAtt Role.Arn', '!GetAtt [Role, Arn]', '{ "Fn::GetAtt": [Role, Arn] }', '{ "Fn::GetAtt": Role.Arn }']) {
    test(form, () => {
      const v = value(form);
      assert.ok(v instanceof ResourceReference);
      assert.equal(v.reference, 'Role.Arn');
      assert.equal(v.attribute, 'Arn');
      assert.equal(v.resourceType, 'AWS::IAM::Role');
    });
  }
  test('a dotted attribute keeps its dots', () => {
    assert.equal((value('!GetAtt Role.Endpoint.Address') as ResourceReference).attribute, 'Endpoint.Address');
  });
  test('to a missing resource is unknown', () => {
    assert.match(unknown('!GetAtt Nowhere.Arn'), /Nowhere/);
  });
});

describe('Fn::Sub', () => {
  test('string form with parameters, literals and long form', () => {
    assert.equal(value("!Sub 'nb-${Stage}'"), 'nb-prod');
    assert.equal(value("!Sub 'cost ${!Literal} ${Stage}'"), 'cost ${Literal} prod');
    assert.equal(value('{ "Fn::Sub": "x-${Stage}-y" }'), 'x-prod-y');
  });
  test('list form with variables', () => {
    assert.equal(value("!Sub ['${A}-${B}-${Stage}', { A: 1, B: !Ref Stage }]"), '1-prod-prod');
    assert.equal(value('{ "Fn::Sub": ["En${Suffix}", { Suffix: abled }] }'), 'Enabled');
  });
  test('pseudo parameters and resource attributes stay as text', () => {
    assert.equal(deployTimeText("!Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x'"), 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x');
    assert.equal(deployTimeText("!Sub '${Role.Arn}/${Subnet}'"), '${Role.Arn}/${Subnet}');
    // Inside a list too it is known only at deploy time (read as `Value.0`, its text must not pass for a literal).
    const [element, ...rest] = value("[!Sub '${Role.Arn}/x']") as unknown[];
    assert.deepEqual(rest, []);
    assert.ok(isResourceReference(element));
    assert.equal(element.reference, '${Role.Arn}/x');
  });
  test('an unknown variable makes it unknown', () => {
    assert.match(unknown("!Sub '${Undeclared}-x'"), /Undeclared/);
    assert.equal(deployTimeText("!Sub '${NoDefault}-x'"), '${NoDefault}-x', 'a parameter given at deploy time is present');
    assert.match(unknown("!Sub ['${A}', { A: !ImportValue shared }]"), /Fn::ImportValue 'shared'/);
  });
});

describe('Fn::Join, Fn::Split, Fn::Select, Fn::Base64', () => {
  test('Fn::Join', () => {
    assert.equal(value("!Join ['-', [a, !Ref Stage, 1]]"), 'a-prod-1');
    assert.equal(value('{ "Fn::Join": ["", [subnet-, "0123"]] }'), 'subnet-0123');
    assert.equal(deployTimeText("!Join [':', [!Ref AWS::Region, x]]"), '${AWS::Region}:x');
    assert.equal(value("!Join ['', [a, !If [IsProd, !Ref AWS::NoValue, b]]]"), 'a');
    assert.match(unknown("!Join ['', [a, !ImportValue other]]"), /Fn::ImportValue 'other'/);
    assert.equal(value('!Join\n        - "/"\n        - - a\n          - b'), 'a/b');
  });
  test('Fn::Split', () => {
    assert.deepEqual(value("!Split [',', 'a,b,,c']"), ['a', 'b', '', 'c']);
    assert.deepEqual(value('{ "Fn::Split": ["|", "x|y"] }'), ['x', 'y']);
  });
  test('Fn::Select', () => {
    assert.equal(value('!Select [1, [a, b, c]]'), 'b');
    assert.equal(value("!Select ['0', !Split [',', 'x,y']]"), 'x');
    assert.equal(value('{ "Fn::Select": [2, !Ref Names] }'), 'c');
    assert.match(unknown('!Select [5, [a]]'), /past the end/);
    assert.match(unknown("!Select [0, !GetAZs '']"), /Fn::GetAZs/);
    assert.match(unknown('!Select [0, { "Fn::GetAZs": { Ref: "AWS::Region" } }]'), /Fn::GetAZs/);
  });
  test('Fn::Base64', () => {
    assert.equal(value('!Base64 hello'), 'aGVsbG8=');
    assert.equal(value('{ "Fn::Base64": !Sub "${Stage}" }'), Buffer.from('prod').toString('base64'));
  });
});

describe('Fn::FindInMap', () => {
  test('with literal and parameter keys, short and long form', () => {
    assert.equal(value('!FindInMap [Access, eu, Mode]'), 'Disabled');
    assert.equal(value('{ "Fn::FindInMap": [Access, us, Mode] }'), 'Enabled');
  });
  test('a deploy-time key is known when every entry agrees', () => {
    assert.equal(value('!FindInMap [Access, !Ref AWS::Region, Same]'), 'x');
    assert.match(unknown('!FindInMap [Access, !Ref AWS::Region, Mode]'), /AWS::Region is known only at deploy time/);
  });
  test('DefaultValue covers a missing entry', () => {
    assert.equal(value('!FindInMap [Access, mars, Mode, { DefaultValue: Disabled }]'), 'Disabled');
    assert.equal(value('!FindInMap [Nope, eu, Mode, { DefaultValue: dflt }]'), 'dflt');
    assert.match(unknown('!FindInMap [Access, mars, Mode]'), /no such entry/);
  });
});

describe('Fn::If and conditions', () => {
  test('decided conditions pick a branch, short and long form', () => {
    assert.equal(value('!If [IsProd, Disabled, Enabled]'), 'Disabled');
    assert.equal(value('{ "Fn::If": [IsDev, Disabled, Enabled] }'), 'Enabled');
    assert.equal(value('!If [NotProd, a, b]'), 'b');
    assert.equal(value('!If [LongForm, a, b]'), 'a');
    assert.equal(value('!If [EmptyIsEmpty, a, b]'), 'a');
    assert.equal(value('!If [NumberText, a, b]'), 'a');
  });
  test('AWS::NoValue in a taken branch removes the property', () => {
    absent('!If [IsProd, !Ref AWS::NoValue, Disabled]');
    assert.equal(value('!If [IsProd, Disabled, !Ref AWS::NoValue]'), 'Disabled');
  });
  test('three-valued logic: false decides And, true decides Or', () => {
    assert.equal(value('!If [DevAndEast, a, b]'), 'b');
    assert.equal(value('!If [ProdOrEast, a, b]'), 'a');
    assert.match(unknown('!If [ProdAndEast, a, b]'), /condition ProdAndEast.*AWS::Region/);
    assert.match(unknown('!If [DevOrEast, a, b]'), /AWS::Region/);
    assert.match(unknown('!If [NotEast, a, b]'), /AWS::Region/);
  });
  test('an undecided condition with equal branches is still known', () => {
    assert.equal(value('!If [IsEast, same, same]'), 'same');
  });
  test('an undecided condition naming the construct', () => {
    assert.equal(
      unknown('!If [IsEast, Disabled, Enabled]'),
      "Fn::If on condition IsEast, which can't be decided offline: AWS::Region is known only at deploy time",
    );
  });
  test('circular and undefined conditions are unknown, not a hang', () => {
    assert.match(unknown('!If [Loop1, a, b]'), /depends on itself/);
    assert.match(unknown('!If [Missing, a, b]'), /Undefined is not defined/);
    assert.match(unknown('!If [NoSuchCondition, a, b]'), /not defined/);
  });
});

describe('other functions', () => {
  test('Fn::ImportValue is unknown, naming the export', () => {
    assert.equal(unknown('!ImportValue shared-subnet'), "Fn::ImportValue 'shared-subnet' can't be resolved offline");
    assert.equal(unknown("!ImportValue { 'Fn::Sub': '${Stage}-subnet' }"), "Fn::ImportValue 'prod-subnet' can't be resolved offline");
  });
  test('Fn::GetAZs, Fn::Transform are unknown', () => {
    assert.match(unknown("!GetAZs ''"), /Availability Zones/);
    assert.match(unknown('!Transform { Name: AWS::Include, Parameters: { Location: s3://b/k } }'), /macro "AWS::Include"/);
  });
  test('Fn::Cidr (IPv4)', () => {
    assert.deepEqual(value('!Cidr [10.0.0.0/16, 3, 8]'), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
    assert.match(unknown('!Cidr [!ImportValue vpc-cidr, 3, 8]'), /Fn::ImportValue/);
  });
  test('Fn::Length and Fn::ToJsonString', () => {
    assert.equal(value('!Length [a, b, c]'), 3);
    assert.equal(value('!ToJsonString { a: !Ref Stage, b: [1] }'), '{"a":"prod","b":[1]}');
    assert.match(unknown('!ToJsonString { a: !ImportValue x }'), /ImportValue/);
  });
  test('condition functions outside Conditions and unknown functions are unknown', () => {
    assert.match(unknown('!Equals [a, a]'), /only in Conditions/);
    assert.match(unknown('{ "Fn::Nope": 1 }'), /Fn::Nope/);
  });
  test('mappings with several keys, or Ref beside other keys, are plain data', () => {
    assert.deepEqual(value('{ Ref: Stage, Other: !Ref Stage }'), { Ref: 'Stage', Other: 'prod' });
  });
});

describe('resource conditions and Properties', () => {
  const template = (condition: string): string => `${ALL}
Resources:
  Nb:
    Type: ${NOTEBOOK}
    Condition: ${condition}
    Properties: { InstanceType: ml.t3.medium }
`;
  test('false: the resource is not emitted', () => {
    assert.deepEqual(scanClean(template('IsDev')), []);
  });
  test('true: emitted as usual', () => {
    const [r] = scanClean(template('IsProd'));
    assert.equal(r?.existenceUnknown, undefined);
  });
  test('undecided: emitted with existenceUnknown naming the reason', () => {
    const [r] = scanClean(template('IsEast'));
    assert.match(r?.existenceUnknown ?? '', /IsEast.*AWS::Region/);
  });
  test('Properties chosen as a whole by Fn::If', () => {
    const text = `${ALL}
Resources:
  Nb:
    Type: ${NOTEBOOK}
    Properties: !If
      - IsProd
      - { DirectInternetAccess: Disabled, SubnetId: subnet-1 }
      - { DirectInternetAccess: Enabled }
`;
    const nb = resourceOf(text, 'Nb');
    assert.equal(setValue(nb.readProperty('DirectInternetAccess')), 'Disabled');
    assert.equal(setValue(nb.readProperty('SubnetId')), 'subnet-1');
    assert.deepEqual(nb.readProperty('KmsKeyId'), { state: 'absent' });
  });
  test('a property not written, or no Properties at all, is absent', () => {
    const nb = resourceOf(`Resources:\n  Nb:\n    Type: ${NOTEBOOK}\n`, 'Nb');
    assert.deepEqual(nb.readProperty('DirectInternetAccess'), { state: 'absent' });
  });
  test('only registered types are emitted, all are resolvable', () => {
    const result = scan(`Resources:
  Bucket: { Type: AWS::S3::Bucket }
  Nb: { Type: ${NOTEBOOK}, Properties: { KmsKeyId: !GetAtt Bucket.Arn } }
`);
    assert.deepEqual(
      result.resources.map((r) => r.id),
      ['Nb'],
    );
    assert.equal((setValue(result.resources[0]!.readProperty('KmsKeyId')) as ResourceReference).resourceType, 'AWS::S3::Bucket');
  });
});

describe('Fn::ForEach (AWS::LanguageExtensions)', () => {
  test('expands resources per item, with ${Id}, &{Id} and Ref: Id', () => {
    const text = `Transform: AWS::LanguageExtensions
Parameters:
  Teams: { Type: CommaDelimitedList, Default: 'alpha,beta-2' }
Resources:
  Fn::ForEach::Notebooks:
    - Team
    - !Ref Teams
    - Notebook&{Team}:
        Type: ${NOTEBOOK}
        Properties:
          NotebookInstanceName: !Sub 'nb-\${Team}'
          Tag: !Ref Team
  Other:
    Type: ${NOTEBOOK}
    Properties: { Peer: !GetAtt Notebookalpha.Arn }
`;
    const resources = scanClean(text);
    assert.deepEqual(
      resources.map((r) => r.id),
      ['Notebookalpha', 'Notebookbeta2', 'Other'],
    );
    assert.equal((setValue(resources[2]!.readProperty('Peer')) as ResourceReference).resourceType, NOTEBOOK);
    assert.equal(setValue(resources[1]!.readProperty('NotebookInstanceName')), 'nb-beta-2');
    assert.equal(setValue(resources[1]!.readProperty('Tag')), 'beta-2');
    assert.equal(resources[1]!.location.line, 8);
    const tag = resources[1]!.readProperty('Tag');
    assert.equal(tag.state === 'set' ? tag.location.line : 0, 12);
  });
  test('an unresolvable collection is reported', () => {
    const result = scan(`Resources:
  Fn::ForEach::Loop:
    - X
    - !ImportValue names
    - Nb\${X}: { Type: ${NOTEBOOK} }
`);
    assert.equal(result.resources.length, 0);
    assert.match(result.errors[0]?.message ?? '', /collection can't be resolved offline/);
    assert.equal(result.errors[0]?.line, 2);
  });
});

describe('long forms in a JSON template', () => {
  const template = {
    Parameters: { Stage: { Type: 'String', Default: 'prod' } },
    Mappings: { Access: { prod: { Mode: 'Disabled' } } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      IsEast: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      Either: { 'Fn::Or': [{ Condition: 'IsEast' }, { Condition: 'IsProd' }] },
      Both: { 'Fn::And': [{ Condition: 'IsEast' }, { 'Fn::Not': [{ 'Fn::Not': [{ Condition: 'IsProd' }] }] }] },
      Neither: { 'Fn::And': [{ Condition: 'IsEast' }, { 'Fn::Not': [{ Condition: 'IsProd' }] }] },
    },
    Resources: {
      Subnet: { Type: 'AWS::EC2::Subnet' },
      Nb: {
        Type: NOTEBOOK,
        Properties: {
          Ref: { Ref: 'Stage' },
          GetAtt: { 'Fn::GetAtt': ['Subnet', 'AvailabilityZone'] },
          Sub: { 'Fn::Sub': ['${X}-${Stage}-${!Y}', { X: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b'] }] } }] },
          Join: { 'Fn::Join': ['/', [{ 'Fn::FindInMap': ['Access', { Ref: 'Stage' }, 'Mode'] }, { 'Fn::Base64': 'x' }]] },
          Either: { 'Fn::If': ['Either', 'yes', 'no'] },
          Both: { 'Fn::If': ['Both', 'yes', { Ref: 'AWS::NoValue' }] },
          Neither: { 'Fn::If': ['Neither', 'yes', { Ref: 'AWS::NoValue' }] },
          Import: { 'Fn::ImportValue': { 'Fn::Sub': '${Stage}-net' } },
          Cidr: { 'Fn::Cidr': ['192.168.0.0/24', 2, 6] },
          AZs: { 'Fn::GetAZs': '' },
          Length: { 'Fn::Length': [1, 2] },
          Json: { 'Fn::ToJsonString': { a: [{ Ref: 'Stage' }] } },
        },
      },
    },
  };
  const nb = resourceOf(JSON.stringify(template, null, 2), 'Nb', 'template.json');
  const read = (name: string): unknown => setValue(nb.readProperty(name));
  test('each function resolves', () => {
    assert.equal(read('Ref'), 'prod');
    assert.equal((read('GetAtt') as ResourceReference).reference, 'Subnet.AvailabilityZone');
    assert.equal(read('Sub'), 'b-prod-${Y}');
    assert.equal(read('Join'), 'Disabled/eA==');
    assert.equal(read('Either'), 'yes');
    assert.deepEqual(read('Cidr'), ['192.168.0.0/26', '192.168.0.64/26']);
    assert.equal(read('Length'), 2);
    assert.equal(read('Json'), '{"a":["prod"]}');
  });
  test('undecidable and deploy-time ones are unknown', () => {
    assert.match(unknownReason(nb.readProperty('Both')), /condition Both.*AWS::Region/);
    assert.deepEqual(nb.readProperty('Neither'), { state: 'absent' }); // false decides the And
    assert.equal(unknownReason(nb.readProperty('Import')), "Fn::ImportValue 'prod-net' can't be resolved offline");
    assert.match(unknownReason(nb.readProperty('AZs')), /Fn::GetAZs/);
  });
});
