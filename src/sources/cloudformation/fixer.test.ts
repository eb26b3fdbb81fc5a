// The CloudFormation fixer on small templates: the exact text it writes, the changes and decisions
// it reports, and that a re-scan of its output finds nothing left to fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixCloudFormationTemplate, parameterBaseName } from './fixer';
import { failingTargets, fixText, verdicts } from './fix-test-helpers';
import { desired as notebookDesired } from '../../rules/sagemaker-004/rule';

const NB = 'AWS::SageMaker::NotebookInstance';
const SUBNET = { 'subnet-id': 'subnet-0abc', 'security-group-ids': ['sg-01', 'sg-02'] };

/** Fixes, re-scans the output and asserts there is nothing left to fix and no further change. */
function fixIdempotent(text: string, inputs = {}, file = 'template.yaml') {
  const fixed = fixText(text, inputs, file);
  const again = fixText(fixed.text, inputs, file);
  const decidedAgain = new Set(again.manual.map((m) => m.resourceId));
  const decided = new Set(fixed.manual.map((m) => m.resourceId));
  for (const id of decidedAgain) assert.ok(decided.has(id), `${id} gets a decision only on the second run`);
  assert.equal(again.text, fixed.text, 'fixing the output again changes nothing');
  assert.deepEqual(again.changes, []);
  for (const target of failingTargets(fixed.text, file)) {
    assert.ok(decidedAgain.has(target.resourceId), `${target.resourceId} still fails after the fix without a decision`);
  }
  return fixed;
}

const lines = (...l: string[]) => l.join('\n') + '\n';

test('YAML: a literal is replaced in its own quoting, required properties from inputs are added after the siblings', () => {
  const text = lines(
    "AWSTemplateFormatVersion: '2010-09-09' # keep",
    'Resources:',
    '  # the notebook',
    '  A:',
    `    Type: ${NB}`,
    '    Properties:',
    "      DirectInternetAccess: 'Enabled'  # was open",
    '      InstanceType: ml.t3.medium',
    '',
    '  B:',
    `    Type: ${NB}`,
    '    Properties:',
    '      InstanceType: "ml.t3.medium"',
    '      DirectInternetAccess: "disabled"',
    '      SubnetId: !Ref AWS::NoValue',
  );
  const fixed = fixIdempotent(text, SUBNET);
  assert.equal(
    fixed.text,
    lines(
      "AWSTemplateFormatVersion: '2010-09-09' # keep",
      'Resources:',
      '  # the notebook',
      '  A:',
      `    Type: ${NB}`,
      '    Properties:',
      "      DirectInternetAccess: 'Disabled'  # was open",
      '      InstanceType: ml.t3.medium',
      '      SubnetId: subnet-0abc',
      '      SecurityGroupIds: [sg-01, sg-02]',
      '',
      '  B:',
      `    Type: ${NB}`,
      '    Properties:',
      '      InstanceType: "ml.t3.medium"',
      '      DirectInternetAccess: "Disabled"',
      '      SubnetId: !Ref AWS::NoValue',
      '      SecurityGroupIds: [sg-01, sg-02]',
    ),
  );
  assert.deepEqual(
    fixed.changes.map((c) => [c.line, c.resourceId, c.description]),
    [
      [7, 'A', 'DirectInternetAccess: Enabled -> Disabled'],
      [9, 'A', 'SubnetId: added subnet-0abc'],
      [10, 'A', 'SecurityGroupIds: added sg-01, sg-02'],
      [16, 'B', 'DirectInternetAccess: disabled -> Disabled'],
      [18, 'B', 'SecurityGroupIds: added sg-01, sg-02'],
    ],
  );
  // SubnetId is written, but as nothing: a person must give it.
  assert.deepEqual(fixed.manual.map((m) => [m.line, m.resourceId]), [[17, 'B']]);
  assert.match(fixed.manual[0]!.message, /SubnetId of B is written but empty/);
  assert.equal(verdicts(fixed.text).get('A SageMaker-004')?.result, 'pass');
});

test('YAML: absent Properties, an empty Properties and a flow mapping get the properties in their own layout', () => {
  const text = lines(
    'Resources:',
    '    A:',
    `        Type: ${NB}`,
    '    B:',
    `        Type: ${NB}`,
    '        Properties:   # to do',
    `    C: { Type: ${NB}, Properties: { InstanceType: ml.t3.medium } }`,
    `    D: { Type: ${NB}, Properties: {} }`,
  );
  const fixed = fixIdempotent(text, SUBNET);
  assert.equal(
    fixed.text,
    lines(
      'Resources:',
      '    A:',
      `        Type: ${NB}`,
      '        Properties:',
      '            DirectInternetAccess: Disabled',
      '            SubnetId: subnet-0abc',
      '            SecurityGroupIds: [sg-01, sg-02]',
      '    B:',
      `        Type: ${NB}`,
      '        Properties:   # to do',
      '            DirectInternetAccess: Disabled',
      '            SubnetId: subnet-0abc',
      '            SecurityGroupIds: [sg-01, sg-02]',
      `    C: { Type: ${NB}, Properties: { InstanceType: ml.t3.medium, DirectInternetAccess: Disabled, SubnetId: subnet-0abc, SecurityGroupIds: [sg-01, sg-02] } }`,
      `    D: { Type: ${NB}, Properties: { DirectInternetAccess: Disabled, SubnetId: subnet-0abc, SecurityGroupIds: [sg-01, sg-02] } }`,
    ),
  );
  assert.deepEqual(
    fixed.changes.map((c) => `${c.line} ${c.resourceId} ${c.description}`),
    [
      '5 A DirectInternetAccess: added Disabled',
      '6 A SubnetId: added subnet-0abc',
      '7 A SecurityGroupIds: added sg-01, sg-02',
      '11 B DirectInternetAccess: added Disabled',
      '12 B SubnetId: added subnet-0abc',
      '13 B SecurityGroupIds: added sg-01, sg-02',
      '14 C DirectInternetAccess: added Disabled',
      '14 C SubnetId: added subnet-0abc',
      '14 C SecurityGroupIds: added sg-01, sg-02',
      '15 D DirectInternetAccess: added Disabled',
      '15 D SubnetId: added subnet-0abc',
      '15 D SecurityGroupIds: added sg-01, sg-02',
    ],
  );
  assert.deepEqual(fixed.manual, []);
});

test('YAML: block lists follow the file, a file ending without a line break keeps ending so', () => {
  const text = [
    'Resources:',
    '  Role:',
    '    Type: AWS::IAM::Role',
    '    Properties:',
    '      ManagedPolicyArns:',
    '      - arn:aws:iam::aws:policy/ReadOnlyAccess',
    '  A:',
    `    Type: ${NB}`,
    '    Properties:',
    '      DirectInternetAccess: Enabled',
  ].join('\n');
  const fixed = fixIdempotent(text, SUBNET);
  assert.equal(
    fixed.text,
    [
      'Resources:',
      '  Role:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      ManagedPolicyArns:',
      '      - arn:aws:iam::aws:policy/ReadOnlyAccess',
      '  A:',
      `    Type: ${NB}`,
      '    Properties:',
      '      DirectInternetAccess: Disabled',
      '      SubnetId: subnet-0abc',
      '      SecurityGroupIds:',
      '      - sg-01',
      '      - sg-02',
    ].join('\n'),
  );
});

test('YAML: without inputs, parameters are added before Resources, after the header, above its comment', () => {
  const text = lines(
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Description: notebooks',
    '',
    '# Everything we deploy',
    'Resources:',
    '  A:',
    `    Type: ${NB}`,
    '    Properties:',
    '      DirectInternetAccess: Enabled',
    '  B:',
    `    Type: ${NB}`,
    '    Properties: { DirectInternetAccess: Enabled }',
    'Outputs:',
    '  Name: { Value: !Ref A }',
  );
  const fixed = fixIdempotent(text);
  assert.equal(
    fixed.text,
    lines(
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Description: notebooks',
      '',
      'Parameters:',
      '  NotebookSubnetId:',
      '    Type: AWS::EC2::Subnet::Id',
      '    Description: The VPC subnet the notebook is placed in',
      '  NotebookSecurityGroupIds:',
      '    Type: List<AWS::EC2::SecurityGroup::Id>',
      "    Description: Security groups of the notebook's network interface, in the subnet's VPC",
      '# Everything we deploy',
      'Resources:',
      '  A:',
      `    Type: ${NB}`,
      '    Properties:',
      '      DirectInternetAccess: Disabled',
      '      SubnetId: !Ref NotebookSubnetId',
      '      SecurityGroupIds: !Ref NotebookSecurityGroupIds',
      '  B:',
      `    Type: ${NB}`,
      '    Properties: { DirectInternetAccess: Disabled, SubnetId: !Ref NotebookSubnetId, SecurityGroupIds: !Ref NotebookSecurityGroupIds }',
      'Outputs:',
      '  Name: { Value: !Ref A }',
    ),
  );
  assert.deepEqual(
    fixed.changes.filter((c) => c.description.startsWith('added parameter')).map((c) => [c.line, c.resourceId, c.description]),
    [
      [5, 'A', 'added parameter NotebookSubnetId (AWS::EC2::Subnet::Id)'],
      [8, 'A', 'added parameter NotebookSecurityGroupIds (List<AWS::EC2::SecurityGroup::Id>)'],
    ],
  );
  // The subnet is given at deploy time, and CloudFormation accepts only an existing one: it passes.
  const after = verdicts(fixed.text).get('A SageMaker-004')!;
  assert.equal(after.result, 'pass');
});

test('YAML: an existing parameter of the name and type is reused; one of another type makes a new name', () => {
  const text = lines(
    'Parameters:',
    '  NotebookSubnetId: { Type: AWS::EC2::Subnet::Id }',
    '  NotebookSecurityGroupIds:',
    '    Type: String',
    'Resources:',
    '  A:',
    `    Type: ${NB}`,
    '    Properties:',
    '      DirectInternetAccess: Enabled',
    'Outputs:',
    '  Groups: { Value: !Ref NotebookSecurityGroupIds }',
  );
  const fixed = fixIdempotent(text);
  assert.equal(
    fixed.text,
    lines(
      'Parameters:',
      '  NotebookSubnetId: { Type: AWS::EC2::Subnet::Id }',
      '  NotebookSecurityGroupIds:',
      '    Type: String',
      '  NotebookSecurityGroupIds2:',
      '    Type: List<AWS::EC2::SecurityGroup::Id>',
      "    Description: Security groups of the notebook's network interface, in the subnet's VPC",
      'Resources:',
      '  A:',
      `    Type: ${NB}`,
      '    Properties:',
      '      DirectInternetAccess: Disabled',
      '      SubnetId: !Ref NotebookSubnetId',
      '      SecurityGroupIds: !Ref NotebookSecurityGroupIds2',
      'Outputs:',
      '  Groups: { Value: !Ref NotebookSecurityGroupIds }',
    ),
  );
});

test('YAML: a Studio domain gets VpcOnly and the nested DefaultUserSettings.SecurityGroups, created or extended', () => {
  const domain = 'AWS::SageMaker::Domain';
  const text = lines(
    'Resources:',
    '  D1:',
    `    Type: ${domain}`,
    '    Properties:',
    '      DomainName: d1',
    '      DefaultUserSettings:',
    '        ExecutionRole: arn:aws:iam::111122223333:role/studio',
    '  D2:',
    `    Type: ${domain}`,
    '    Properties:',
    '      AppNetworkAccessType: PublicInternetOnly',
    '      DefaultUserSettings: { ExecutionRole: r }',
    '      VpcId: vpc-1',
    '  D3:',
    `    Type: ${domain}`,
    '    Properties:',
    '      DefaultUserSettings: !If [C, { ExecutionRole: r }, !Ref AWS::NoValue]',
  );
  const fixed = fixIdempotent(text, { 'vpc-id': 'vpc-9', 'subnet-ids': ['subnet-1', 'subnet-2'], 'security-group-ids': ['sg-1'] });
  assert.equal(
    fixed.text,
    lines(
      'Resources:',
      '  D1:',
      `    Type: ${domain}`,
      '    Properties:',
      '      DomainName: d1',
      '      DefaultUserSettings:',
      '        ExecutionRole: arn:aws:iam::111122223333:role/studio',
      '        SecurityGroups: [sg-1]',
      '      AppNetworkAccessType: VpcOnly',
      '      VpcId: vpc-9',
      '      SubnetIds: [subnet-1, subnet-2]',
      '  D2:',
      `    Type: ${domain}`,
      '    Properties:',
      '      AppNetworkAccessType: VpcOnly',
      '      DefaultUserSettings: { ExecutionRole: r, SecurityGroups: [sg-1] }',
      '      VpcId: vpc-1',
      '      SubnetIds: [subnet-1, subnet-2]',
      '  D3:',
      `    Type: ${domain}`,
      '    Properties:',
      '      DefaultUserSettings: !If [C, { ExecutionRole: r }, !Ref AWS::NoValue]',
      '      AppNetworkAccessType: VpcOnly',
      '      VpcId: vpc-9',
      '      SubnetIds: [subnet-1, subnet-2]',
    ),
  );
  assert.deepEqual(fixed.manual.map((m) => [m.line, m.resourceId]), [[22, 'D3']]);
  assert.match(fixed.manual[0]!.message, /DefaultUserSettings of D3 is chosen by Fn::If on condition C, so fix can't add DefaultUserSettings.SecurityGroups/);
});

test('YAML: a dotted path under an absent parent creates the nested mapping', () => {
  const text = lines('Resources:', '  D:', '    Type: AWS::SageMaker::Domain', '    Properties:', '      DomainName: d');
  const fixed = fixIdempotent(text, { 'vpc-id': 'vpc-9', 'subnet-ids': ['subnet-1'], 'security-group-ids': ['sg-1'] });
  assert.equal(
    fixed.text,
    lines(
      'Resources:',
      '  D:',
      '    Type: AWS::SageMaker::Domain',
      '    Properties:',
      '      DomainName: d',
      '      AppNetworkAccessType: VpcOnly',
      '      VpcId: vpc-9',
      '      SubnetIds: [subnet-1]',
      '      DefaultUserSettings:',
      '        SecurityGroups: [sg-1]',
    ),
  );
  assert.equal(fixed.changes.at(-1)!.line, 10);
});

test('YAML: a parameter used only by the property gets the value as its Default, in AllowedValues too', () => {
  const text = lines(
    'Parameters:',
    '  Access:',
    '    Type: String',
    '    Default: Enabled # open by default',
    '    AllowedValues:',
    '      - Enabled',
    '  NoDefault:',
    '    Type: String',
    '    AllowedValues: [Enabled]',
    'Resources:',
    '  A:',
    `    Type: ${NB}`,
    '    Properties:',
    '      SubnetId: subnet-1',
    '      SecurityGroupIds: [sg-1]',
    '      DirectInternetAccess: !Ref Access',
    '  B:',
    `    Type: ${NB}`,
    '    Properties:',
    '      SubnetId: subnet-1',
    '      SecurityGroupIds: [sg-1]',
    '      DirectInternetAccess:',
    '        Ref: NoDefault',
  );
  const fixed = fixIdempotent(text);
  assert.equal(
    fixed.text,
    lines(
      'Parameters:',
      '  Access:',
      '    Type: String',
      '    Default: Disabled # open by default',
      '    AllowedValues:',
      '      - Enabled',
      '      - Disabled',
      '  NoDefault:',
      '    Type: String',
      '    AllowedValues: [Enabled, Disabled]',
      '    Default: Disabled',
      'Resources:',
      '  A:',
      `    Type: ${NB}`,
      '    Properties:',
      '      SubnetId: subnet-1',
      '      SecurityGroupIds: [sg-1]',
      '      DirectInternetAccess: !Ref Access',
      '  B:',
      `    Type: ${NB}`,
      '    Properties:',
      '      SubnetId: subnet-1',
      '      SecurityGroupIds: [sg-1]',
      '      DirectInternetAccess:',
      '        Ref: NoDefault',
    ),
  );
  assert.deepEqual(
    fixed.changes.map((c) => [c.line, c.description]),
    [
      [4, 'parameter Access Default: Enabled -> Disabled (DirectInternetAccess of A; a value given at deploy time still overrides it)'],
      [7, 'parameter Access: Disabled added to AllowedValues'],
      [10, 'parameter NoDefault: Disabled added to AllowedValues'],
      [11, 'parameter NoDefault: added Default Disabled (DirectInternetAccess of B); a value given at deploy time overrides it'],
    ],
  );
  assert.equal(verdicts(fixed.text).get('A SageMaker-004')?.result, 'pass');
  assert.equal(verdicts(fixed.text).get('B SageMaker-004')?.result, 'pass');
});

test('YAML: a value a person must decide is left alone, with the reason at the line of the value', () => {
  const text = lines(
    'Parameters:',
    '  Shared: { Type: String, Default: Enabled }',
    '  InSub: { Type: String, Default: Enabled }',
    '  InCondition: { Type: String, Default: Enabled }',
    '  FromSsm: { Type: "AWS::SSM::Parameter::Value<String>", Default: /nb/access }',
    'Conditions:',
    '  Open: !Equals [!Ref InCondition, Enabled]',
    'Resources:',
    '  UsesShared1:',
    `    Type: ${NB}`,
    '    Properties: { SubnetId: s, DirectInternetAccess: !Ref Shared }',
    '  UsesShared2:',
    `    Type: ${NB}`,
    '    Properties:',
    '      SubnetId: s',
    '      DirectInternetAccess: !Ref Shared',
    '  UsesSub:',
    `    Type: ${NB}`,
    '    Properties:',
    '      DirectInternetAccess: !Ref InSub',
    '      Tags: [{ Key: k, Value: !Sub "x-${InSub}" }]',
    '  UsesCondition:',
    `    Type: ${NB}`,
    '    Properties: { DirectInternetAccess: !Ref InCondition }',
    '  UsesSsm:',
    `    Type: ${NB}`,
    '    Properties: { DirectInternetAccess: !Ref FromSsm }',
    '  UsesIf:',
    `    Type: ${NB}`,
    '    Properties:',
    '      DirectInternetAccess:',
    '        !If [Open, Enabled, Disabled]',
    '  UsesSubText:',
    `    Type: ${NB}`,
    '    Properties: { DirectInternetAccess: !Sub "${AWS::NoValue}Enabled" }',
    '  UsesImport:',
    `    Type: ${NB}`,
    '    Properties: { DirectInternetAccess: !ImportValue access }',
  );
  const targets = failingTargets(text);
  // The scan can't tell an SSM parameter's value (unknown, not failing); fix is asked anyway.
  assert.ok(!targets.some((t) => t.resourceId === 'UsesSsm'));
  targets.push({ ...targets[0]!, resourceId: 'UsesSsm', line: 27 });
  const fixed = fixCloudFormationTemplate('template.yaml', text, targets, SUBNET);
  assert.deepEqual(fixed.files, new Map(), 'nothing is edited');
  assert.deepEqual(fixed.changes, []);
  const byId = Object.fromEntries(fixed.manual.map((m) => [m.resourceId, m]));
  assert.deepEqual(
    fixed.manual.map((m) => [m.resourceId, m.line]).sort(),
    [
      ['UsesCondition', 24],
      ['UsesIf', 32],
      ['UsesShared1', 11],
      ['UsesShared2', 16],
      ['UsesSsm', 27],
      ['UsesSub', 20],
    ],
  );
  assert.match(byId['UsesShared1']!.message, /Ref Shared, a parameter also used elsewhere \(line 16\)/);
  assert.match(byId['UsesShared2']!.message, /also used elsewhere \(line 11\)/);
  assert.match(byId['UsesSub']!.message, /also used elsewhere \(line 21\)/);
  assert.match(byId['UsesCondition']!.message, /also used elsewhere \(line 7\)/);
  assert.match(byId['UsesSsm']!.message, /read from SSM Parameter Store/);
  assert.match(byId['UsesIf']!.message, /chosen by Fn::If on condition Open/);
  // Fn::Sub and Fn::ImportValue are unknown to the scan, not failing: they are no targets.
  assert.ok(!targets.some((t) => t.resourceId === 'UsesSubText' || t.resourceId === 'UsesImport'));
  for (const m of fixed.manual) assert.equal(m.file, 'template.yaml');
});

test('YAML: an item added to the last parameter\'s block list stays in the list when parameters are added after it', () => {
  const text = lines(
    'Parameters:',
    '  Access:',
    '    Type: String',
    '    AllowedValues:',
    '      - Enabled',
    'Resources:',
    '  A:',
    `    Type: ${NB}`,
    '    Properties: { DirectInternetAccess: !Ref Access }',
  );
  const fixed = fixIdempotent(text);
  assert.equal(
    fixed.text,
    lines(
      'Parameters:',
      '  Access:',
      '    Type: String',
      '    AllowedValues:',
      '      - Enabled',
      '      - Disabled',
      '    Default: Disabled',
      '  NotebookSubnetId:',
      '    Type: AWS::EC2::Subnet::Id',
      '    Description: The VPC subnet the notebook is placed in',
      '  NotebookSecurityGroupIds:',
      '    Type: List<AWS::EC2::SecurityGroup::Id>',
      "    Description: Security groups of the notebook's network interface, in the subnet's VPC",
      'Resources:',
      '  A:',
      `    Type: ${NB}`,
      '    Properties: { DirectInternetAccess: !Ref Access, SubnetId: !Ref NotebookSubnetId, SecurityGroupIds: !Ref NotebookSecurityGroupIds }',
    ),
  );
});

test('Fn::FindInMap with literal keys: a leaf read only there is edited; a shared or computed one is decided', () => {
  const text = lines(
    'Mappings:',
    '  Access:',
    '    prod: { Mode: Enabled, Other: Enabled }',
    '    dev:',
    '      Mode: Enabled',
    'Resources:',
    '  Own:',
    `    Type: ${NB}`,
    '    Properties: { SubnetId: s, SecurityGroupIds: [g], DirectInternetAccess: !FindInMap [Access, prod, Other] }',
    '  SharedA:',
    `    Type: ${NB}`,
    '    Properties: { SubnetId: s, DirectInternetAccess: !FindInMap [Access, dev, Mode] }',
    '  ByRegion:',
    `    Type: ${NB}`,
    '    Properties: { SubnetId: s, DirectInternetAccess: !FindInMap [Access, !Ref "AWS::Region", Mode] }',
  );
  const fixed = fixText(text);
  assert.equal(fixed.text, text.replace('Other: Enabled', 'Other: Disabled'));
  assert.deepEqual(fixed.changes.map((c) => [c.line, c.resourceId, c.description]), [
    [3, 'Own', 'mapping Access.prod.Other: Enabled -> Disabled (DirectInternetAccess of Own)'],
  ]);
  // SharedA's leaf dev.Mode may also be read by ByRegion's lookup, whose key is known at deploy time.
  assert.deepEqual(fixed.manual.map((m) => [m.resourceId, m.line]), [['SharedA', 12], ['ByRegion', 15]]);
  assert.match(fixed.manual[0]!.message, /Access.dev.Mode is also read at line 15/);
  assert.match(fixed.manual[1]!.message, /keys are known only at deploy time/);
});

test('JSON: literals, inserted properties and new parameters follow the file\'s indentation and line ends', () => {
  const text = [
    '{',
    '    "AWSTemplateFormatVersion": "2010-09-09",',
    '    "Resources": {',
    '        "A": {',
    `            "Type": "${NB}",`,
    '            "Properties": {',
    '                "DirectInternetAccess": "Enabled"',
    '            }',
    '        },',
    `        "B": { "Type": "${NB}", "Properties": { "InstanceType": "ml.t3.medium" } },`,
    `        "C": { "Type": "${NB}" },`,
    `        "E": { "Type": "${NB}", "Properties": {} },`,
    `        "F": { "Type": "${NB}", "Properties": {}`,
    '        }',
    '    }',
    '}',
    '',
  ].join('\r\n');
  const fixed = fixIdempotent(text, {}, 'template.json');
  assert.equal(
    fixed.text,
    [
      '{',
      '    "AWSTemplateFormatVersion": "2010-09-09",',
      '    "Parameters": {',
      '        "NotebookSubnetId": {',
      '            "Type": "AWS::EC2::Subnet::Id",',
      '            "Description": "The VPC subnet the notebook is placed in"',
      '        },',
      '        "NotebookSecurityGroupIds": {',
      '            "Type": "List<AWS::EC2::SecurityGroup::Id>",',
      '            "Description": "Security groups of the notebook\'s network interface, in the subnet\'s VPC"',
      '        }',
      '    },',
      '    "Resources": {',
      '        "A": {',
      `            "Type": "${NB}",`,
      '            "Properties": {',
      '                "DirectInternetAccess": "Disabled",',
      '                "SubnetId": { "Ref": "NotebookSubnetId" },',
      '                "SecurityGroupIds": { "Ref": "NotebookSecurityGroupIds" }',
      '            }',
      '        },',
      `        "B": { "Type": "${NB}", "Properties": { "InstanceType": "ml.t3.medium", "DirectInternetAccess": "Disabled", "SubnetId": { "Ref": "NotebookSubnetId" }, "SecurityGroupIds": { "Ref": "NotebookSecurityGroupIds" } } },`,
      `        "C": { "Type": "${NB}", "Properties": { "DirectInternetAccess": "Disabled", "SubnetId": { "Ref": "NotebookSubnetId" }, "SecurityGroupIds": { "Ref": "NotebookSecurityGroupIds" } } },`,
      `        "E": { "Type": "${NB}", "Properties": { "DirectInternetAccess": "Disabled", "SubnetId": { "Ref": "NotebookSubnetId" }, "SecurityGroupIds": { "Ref": "NotebookSecurityGroupIds" } } },`,
      `        "F": { "Type": "${NB}", "Properties": {`,
      '            "DirectInternetAccess": "Disabled",',
      '            "SubnetId": { "Ref": "NotebookSubnetId" },',
      '            "SecurityGroupIds": { "Ref": "NotebookSecurityGroupIds" }',
      '        }',
      '        }',
      '    }',
      '}',
      '',
    ].join('\r\n'),
  );
  assert.deepEqual(fixed.changes.map((c) => c.line), [4, 8, 17, 18, 19, 22, 22, 22, 23, 23, 23, 24, 24, 24, 26, 27, 28]);
});

test('JSON: multi-line lists and Refs when the file writes them so; a parameter Default and AllowedValues', () => {
  const text = `{
  "Parameters": {
    "Access": {
      "Type": "String",
      "AllowedValues": [
        "Enabled"
      ]
    }
  },
  "Resources": {
    "A": {
      "Type": "${NB}",
      "Properties": {
        "DirectInternetAccess": {
          "Ref": "Access"
        }
      }
    }
  }
}`;
  const fixed = fixIdempotent(text, { 'security-group-ids': ['sg-1', 'sg-2'] }, 'template.json');
  assert.equal(
    fixed.text,
    `{
  "Parameters": {
    "Access": {
      "Type": "String",
      "AllowedValues": [
        "Enabled",
        "Disabled"
      ],
      "Default": "Disabled"
    },
    "NotebookSubnetId": {
      "Type": "AWS::EC2::Subnet::Id",
      "Description": "The VPC subnet the notebook is placed in"
    }
  },
  "Resources": {
    "A": {
      "Type": "${NB}",
      "Properties": {
        "DirectInternetAccess": {
          "Ref": "Access"
        },
        "SubnetId": {
          "Ref": "NotebookSubnetId"
        },
        "SecurityGroupIds": [
          "sg-1",
          "sg-2"
        ]
      }
    }
  }
}`,
  );
});

test('JSON: a parameter used elsewhere too is decided at the line of the Ref', () => {
  const text = `{
  "Parameters": { "Access": { "Type": "String", "Default": "Enabled" } },
  "Resources": {
    "A": { "Type": "${NB}", "Properties": { "SubnetId": "s", "DirectInternetAccess": { "Ref": "Access" } } },
    "B": { "Type": "AWS::S3::Bucket", "Properties": { "BucketName": { "Fn::Sub": "b-\${Access}" } } }
  }
}
`;
  const fixed = fixText(text, {}, 'template.json');
  assert.equal(fixed.text, text);
  assert.deepEqual(fixed.manual.map((m) => [m.resourceId, m.line]), [['A', 4]]);
  assert.match(fixed.manual[0]!.message, /Ref Access, a parameter also used elsewhere \(line 5\)/);
});

test('targets fix must not touch: a looped resource, another Type, a resource not in the file', () => {
  const text = lines(
    'Transform: AWS::LanguageExtensions',
    'Resources:',
    '  Fn::ForEach::Notebooks:',
    '    - Name',
    '    - [A, B]',
    '    - Nb${Name}:',
    `        Type: ${NB}`,
    '        Properties: { DirectInternetAccess: Enabled }',
    '  Bucket:',
    '    Type: AWS::S3::Bucket',
  );
  const targets = failingTargets(text);
  assert.deepEqual(targets.map((t) => t.resourceId).sort(), ['NbA', 'NbB']);
  targets.push({ ...targets[0]!, resourceId: 'Bucket', line: 9 }, { ...targets[0]!, resourceId: 'Gone', line: 2 });
  const fixed = fixCloudFormationTemplate('template.yaml', text, targets, SUBNET);
  assert.deepEqual(fixed.files, new Map());
  assert.deepEqual(
    fixed.manual.map((m) => [m.resourceId, m.line]),
    [
      ['NbA', targets[0]!.line],
      ['NbB', targets[1]!.line],
      ['Bucket', 9],
      ['Gone', 2],
    ],
  );
  assert.match(fixed.manual[0]!.message, /made by an Fn::ForEach loop/);
  assert.match(fixed.manual[2]!.message, /Bucket has Type AWS::S3::Bucket, not AWS::SageMaker::NotebookInstance/);
});

test('templates that do not parse, or that nest absurdly deep, give decisions and no edits', () => {
  const target = { ruleId: 'SageMaker-004', resourceType: NB, resourceId: 'A', file: 't', line: 3, desired: notebookDesired };
  for (const [text, pattern] of [
    ['Resources:\n  A: [unclosed\n', /YAML syntax error/],
    ['{"Resources": {"A": }', /syntax error/],
    ['a: 1\na: 2\n', /YAML syntax error.*unique/],
    ['Resources:\n  A: ' + '['.repeat(400) + ']'.repeat(400) + '\n', /deeper than|can't be edited/],
    ['', /can't be edited/],
  ] as const) {
    const fixed = fixCloudFormationTemplate('t', text, [target], {});
    assert.deepEqual(fixed.files, new Map());
    assert.equal(fixed.manual.length, 1, text.slice(0, 30));
    assert.match(fixed.manual[0]!.message, pattern);
  }
});

test('YAML anchors and merge keys are not edited through', () => {
  const text = lines(
    'Resources:',
    '  A:',
    `    Type: ${NB}`,
    '    Properties: &props',
    '      DirectInternetAccess: Enabled',
    '  B:',
    `    Type: ${NB}`,
    '    Properties:',
    '      <<: *props',
    '      InstanceType: ml.t3.medium',
  );
  const targets = failingTargets(text);
  const fixed = fixCloudFormationTemplate('template.yaml', text, targets.filter((t) => t.resourceId === 'B'), SUBNET);
  assert.deepEqual(fixed.files, new Map());
  assert.deepEqual(fixed.manual.map((m) => [m.resourceId, m.line]), [['B', 9]]);
  assert.match(fixed.manual[0]!.message, /YAML merge key/);
});

test('a byte order mark and short forms elsewhere are kept byte for byte', () => {
  const text = '\uFEFF' + lines(
    'Resources:',
    '  A:',
    `    Type: ${NB}`,
    '    Properties:',
    '      RoleArn: !GetAtt Role.Arn',
    '      Tags: [{ Key: stack, Value: !Sub "${AWS::StackName}" }]',
    '      DirectInternetAccess: Enabled',
  );
  const fixed = fixText(text, SUBNET);
  assert.ok(fixed.text.startsWith('\uFEFFResources:\n'));
  assert.equal(fixed.text, text.replace('Enabled', 'Disabled') + '      SubnetId: subnet-0abc\n      SecurityGroupIds: [sg-01, sg-02]\n');
});

test('parameter names come from the resource type and the input kind', () => {
  assert.equal(parameterBaseName('AWS::SageMaker::NotebookInstance', 'subnet-id'), 'NotebookSubnetId');
  assert.equal(parameterBaseName('AWS::SageMaker::NotebookInstance', 'security-group-ids'), 'NotebookSecurityGroupIds');
  assert.equal(parameterBaseName('AWS::SageMaker::Domain', 'vpc-id'), 'DomainVpcId');
  assert.equal(parameterBaseName('AWS::SageMaker::Domain', 'subnet-ids'), 'DomainSubnetIds');
  assert.equal(parameterBaseName('AWS::SageMaker::Domain', 'security-group-ids'), 'DomainSecurityGroupIds');
});
