// Throughput of the CloudFormation source on 10-50 KB templates, and of the parsers it could use.
// Run: npx tsx bench/cfn-parse-bench.ts [seconds-per-case]
// Target: 1,000 files/s of 10-50 KB on 2 cores, i.e. >= ~20 MB/s per core end to end.
import yaml from 'js-yaml';
import { parseDocument } from 'yaml';
import { visit } from 'jsonc-parser';
import { CLOUDFORMATION_SCHEMA } from '../src/sources/cloudformation/yaml-schema';
import { cloudFormationSource } from '../src/sources/cloudformation/index';

const SECONDS = Number(process.argv[2] ?? 1.5);

/** One resource of a varied, realistic template, in YAML with short-form tags. */
function yamlResource(i: number, kind: number): string {
  switch (kind) {
    case 0:
      return `  Bucket${i}:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub 'app-${i}-\${AWS::AccountId}-\${Env}'
      VersioningConfiguration: { Status: Enabled }
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      Tags:
        - { Key: team, Value: data }
        - Key: env
          Value: !Ref Env
`;
    case 1:
      return `  Role${i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { Service: [lambda.amazonaws.com] }
            Action: ['sts:AssumeRole']
      ManagedPolicyArns:
        - !Sub 'arn:\${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'
      Policies:
        - PolicyName: access-${i}
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket']
                Resource:
                  - !Sub 'arn:\${AWS::Partition}:s3:::app-*'
                  - !Join ['', ['arn:aws:s3:::', !Ref Bucket0, '/*']]
                Condition:
                  StringEquals: { 'aws:RequestedRegion': eu-west-1 }
`;
    case 2:
      return `  Function${i}:
    Type: AWS::Lambda::Function
    Condition: IsProd
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role1.Arn
      Timeout: 30
      MemorySize: !If [IsProd, 1024, 256]
      Code:
        ZipFile: |
          import json
          import os

          def handler(event, context):
              print(json.dumps(event))
              return {"statusCode": 200, "body": os.environ.get("TABLE", "")}
      Environment:
        Variables:
          STAGE: !If [IsProd, prod, dev]
          TABLE: !Ref Table
`;
    case 3:
      return `  SecurityGroup${i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: "web tier ${i}"
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: !FindInMap [RegionMap, !Ref 'AWS::Region', Cidr]
`;
    default:
      return `  Notebook${i}:
    Type: AWS::SageMaker::NotebookInstance
    Metadata:
      cloudconform:
        skip:
          - id: SageMaker-004
            reason: lab notebook
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: !GetAtt Role1.Arn
      SubnetId: !Ref Subnet
      SecurityGroupIds: [!Ref SecurityGroup3]
      DirectInternetAccess: !If [IsProd, Disabled, Enabled]
      RootAccess: Disabled
      KmsKeyId: !Ref Key
      VolumeSizeInGB: 20
      Tags: [{ Key: team, Value: ml }]
`;
  }
}

function yamlTemplate(resources: number, withNotebooks: boolean): string {
  let out = `AWSTemplateFormatVersion: '2010-09-09'
Description: bench template
Parameters:
  Env: { Type: String, Default: prod, AllowedValues: [prod, dev] }
  VpcId: { Type: 'AWS::EC2::VPC::Id' }
Mappings:
  RegionMap:
    eu-west-1: { Cidr: 10.1.0.0/16 }
    us-east-1: { Cidr: 10.2.0.0/16 }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Key:
    Type: AWS::KMS::Key
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref VpcId, CidrBlock: 10.1.1.0/24 }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]
`;
  for (let i = 0; i < resources; i++) out += yamlResource(i, withNotebooks ? i % 5 : i % 4);
  return out;
}

/** The same template as JSON, long-form intrinsics (what CDK and most generators write). */
function jsonTemplate(resources: number, withNotebooks: boolean, pretty: boolean): string {
  const value = yaml.load(yamlTemplate(resources, withNotebooks), { schema: CLOUDFORMATION_SCHEMA });
  return pretty ? JSON.stringify(value, null, 1) : JSON.stringify(value);
}

interface Case {
  name: string;
  texts: string[];
  run: (text: string) => unknown;
}

function measure(c: Case): void {
  const bytes = c.texts.reduce((n, t) => n + t.length, 0);
  for (let i = 0; i < 3; i++) for (const t of c.texts) c.run(t);
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    for (const t of c.texts) c.run(t);
    rounds++;
  }
  const seconds = (performance.now() - start) / 1000;
  const mbps = (bytes * rounds) / seconds / 1e6;
  const filesPerSecond = (c.texts.length * rounds) / seconds;
  console.log(`${c.name.padEnd(52)} ${mbps.toFixed(1).padStart(7)} MB/s ${filesPerSecond.toFixed(0).padStart(7)} files/s`);
}

/** A scan as the engine does it: detect, scan, and read the properties rules read. */
function scanEndToEnd(text: string): number {
  if (!cloudFormationSource.detect(text, 'bench.yaml')) throw new Error('not detected');
  const result = cloudFormationSource.scanFile('bench.yaml', text);
  if (result.errors.length > 0) throw new Error(result.errors[0]!.message);
  let n = 0;
  for (const r of result.resources) {
    for (const p of ['DirectInternetAccess', 'SubnetId', 'RootAccess', 'KmsKeyId', 'AppNetworkAccessType']) {
      if (r.readProperty(p).state !== 'absent') n++;
    }
  }
  return n;
}

const sizes = [15, 30, 45, 60, 75]; // about 10 to 50 KB each
const yamlPlain = sizes.map((n) => yamlTemplate(n, false));
const yamlNotebooks = sizes.map((n) => yamlTemplate(n, true));
const jsonPretty = sizes.map((n) => jsonTemplate(n, true, true));
const jsonMinified = sizes.map((n) => jsonTemplate(n, true, false));
// Worst case for detect: `Resources` appears, but never as a top-level key.
const notTemplates = yamlNotebooks.map((t) => t.replace(/^AWSTemplateFormatVersion.*\n/, '').replace('\nResources:', '\nnested:\n  Resources:'));
const kb = (texts: string[]): string => texts.map((t) => Math.round(t.length / 1024)).join('/');
console.log(`YAML sizes ${kb(yamlNotebooks)} KB; JSON ${kb(jsonPretty)} KB; ${SECONDS}s per case; node ${process.version}\n`);

const cases: Case[] = [
  { name: 'parsers: js-yaml load (CFN schema)', texts: yamlNotebooks, run: (t) => yaml.load(t, { schema: CLOUDFORMATION_SCHEMA }) },
  {
    name: 'parsers: js-yaml load + no-op listener',
    texts: yamlNotebooks,
    run: (t) => yaml.load(t, { schema: CLOUDFORMATION_SCHEMA, listener: () => undefined }),
  },
  { name: 'parsers: yaml parseDocument', texts: yamlNotebooks.slice(0, 2), run: (t) => parseDocument(t) },
  { name: 'parsers: JSON.parse', texts: jsonPretty, run: (t) => JSON.parse(t) },
  { name: 'parsers: jsonc-parser visit', texts: jsonPretty, run: (t) => visit(t, {}) },
  { name: 'detect (YAML template)', texts: yamlNotebooks, run: (t) => cloudFormationSource.detect(t, 'x.yaml') },
  { name: 'detect (YAML, not a template: full regex scan)', texts: notTemplates, run: (t) => cloudFormationSource.detect(t, 'x.yaml') },
  { name: 'scan YAML, no resource rules read', texts: yamlPlain, run: scanEndToEnd },
  { name: 'scan YAML, 20% notebooks (positions + resolution)', texts: yamlNotebooks, run: scanEndToEnd },
  { name: 'scan JSON pretty, 20% notebooks', texts: jsonPretty, run: scanEndToEnd },
  { name: 'scan JSON minified, 20% notebooks', texts: jsonMinified, run: scanEndToEnd },
];
for (const c of cases) measure(c);
