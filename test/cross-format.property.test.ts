// The same notebook written as CloudFormation YAML, CloudFormation JSON, Terraform HCL,
// Terraform JSON and a Terraform plan must get the same verdict from every source; and every
// property, nested ones included, must read the same from each of them and from a live describe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { isResourceReference, isUnknownValue } from '../src/model/attribute';
import { liveLocation } from '../src/model/location';
import { Resource } from '../src/model/resource';
import { liveResource } from '../src/sources/aws/live-resource';
import { cloudFormationSource } from '../src/sources/cloudformation/index';
import { scanTerraformDirectories } from '../src/sources/terraform/index';
import { terraformPlanSource } from '../src/sources/terraform/plan';
import type { SourceResult } from '../src/sources/source';
import { makeTree } from './helpers/fixtures';

interface NotebookSpec {
  access?: string;
  subnet?: string;
  instanceType: string;
}

const specArb: fc.Arbitrary<NotebookSpec> = fc.record(
  {
    access: fc.constantFrom('Enabled', 'Disabled', 'disabled', 'ENABLED', 'Off', ''),
    subnet: fc.constantFrom('subnet-0123456789abcdef0', 'subnet-1', ''),
    instanceType: fc.constantFrom('ml.t3.medium', 'ml.m5.xlarge'),
  },
  { requiredKeys: ['instanceType'] },
);

/** What AWS would do, written independently of the rule's code. */
function expectedVerdict(spec: NotebookSpec): string {
  return spec.access === 'Disabled' && spec.subnet ? 'pass' : 'fail';
}

function cfnProperties(spec: NotebookSpec): Record<string, string> {
  const props: Record<string, string> = { InstanceType: spec.instanceType, RoleArn: 'arn:aws:iam::111122223333:role/nb' };
  if (spec.subnet !== undefined) props.SubnetId = spec.subnet;
  if (spec.access !== undefined) props.DirectInternetAccess = spec.access;
  return props;
}

function asYaml(spec: NotebookSpec): string {
  const props = Object.entries(cfnProperties(spec)).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`);
  return ['Resources:', '  Nb:', '    Type: AWS::SageMaker::NotebookInstance', '    Properties:', ...props, ''].join('\n');
}

function asJson(spec: NotebookSpec): string {
  return JSON.stringify({ Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: cfnProperties(spec) } } }, null, 2);
}

function tfAttributes(spec: NotebookSpec): Record<string, string> {
  const attrs: Record<string, string> = { name: 'nb', instance_type: spec.instanceType, role_arn: 'arn:aws:iam::111122223333:role/nb' };
  if (spec.subnet !== undefined) attrs.subnet_id = spec.subnet;
  if (spec.access !== undefined) attrs.direct_internet_access = spec.access;
  return attrs;
}

function asHcl(spec: NotebookSpec): string {
  const lines = Object.entries(tfAttributes(spec)).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
  return ['resource "aws_sagemaker_notebook_instance" "nb" {', ...lines, '}', ''].join('\n');
}

function asTfJson(spec: NotebookSpec): string {
  return JSON.stringify({ resource: { aws_sagemaker_notebook_instance: { nb: tfAttributes(spec) } } }, null, 2);
}

function asPlan(spec: NotebookSpec): string {
  const after = { subnet_id: null, direct_internet_access: 'Enabled', ...tfAttributes(spec) } as Record<string, unknown>;
  if (spec.subnet === '') after.subnet_id = null; // the provider plans "" as null for optional strings
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.5',
    resource_changes: [
      {
        address: 'aws_sagemaker_notebook_instance.nb',
        mode: 'managed',
        type: 'aws_sagemaker_notebook_instance',
        name: 'nb',
        change: { actions: ['create'], before: null, after, after_unknown: { id: true, arn: true } },
      },
    ],
  });
}

test('one notebook, five source formats, one verdict', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, async (spec) => {
      // The plan holds what the provider would send: its default when the attribute is absent.
      const t = makeTree({
        'cfn.yaml': asYaml(spec),
        'cfn.json': asJson(spec),
        'hcl/main.tf': asHcl(spec),
        'tfjson/main.tf.json': asTfJson(spec),
        'plan.json': asPlan(spec),
      });
      try {
        const report = await scan([t.root], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
        assert.deepEqual(report.errors, []);
        const verdicts = Object.fromEntries(report.findings.map((f) => [f.location.file.slice(t.root.length + 1), f.result]));
        const want = expectedVerdict(spec);
        assert.deepEqual(verdicts, {
          'cfn.yaml': want,
          'cfn.json': want,
          'hcl/main.tf': want,
          'tfjson/main.tf.json': want,
          'plan.json': want,
        });
      } finally {
        t.cleanup();
      }
    }),
    { numRuns: 60 },
  );
});

// ---------------------------------------------------------------------------------------------
// One property contract: nested properties read the same from every source, live included.

/** A property as the test writes it, by its CloudFormation name, with its Terraform and live names. */
type Field =
  | { cfn: string; tf: string; live?: string; kind: 'string' | 'list' | 'tags' }
  | { cfn: string; tf: string; live?: string; kind: 'block'; fields: Field[] };

const DOMAIN_FIELDS: Field[] = [
  { cfn: 'AppNetworkAccessType', tf: 'app_network_access_type', kind: 'string' },
  {
    cfn: 'DefaultUserSettings',
    tf: 'default_user_settings',
    kind: 'block',
    fields: [
      { cfn: 'ExecutionRole', tf: 'execution_role', kind: 'string' },
      { cfn: 'SecurityGroups', tf: 'security_groups', kind: 'list' },
      {
        cfn: 'SharingSettings',
        tf: 'sharing_settings',
        kind: 'block',
        fields: [
          { cfn: 'NotebookOutputOption', tf: 'notebook_output_option', kind: 'string' },
          { cfn: 'S3OutputPath', tf: 's3_output_path', kind: 'string' },
        ],
      },
      {
        cfn: 'JupyterServerAppSettings',
        tf: 'jupyter_server_app_settings',
        kind: 'block',
        fields: [
          {
            cfn: 'DefaultResourceSpec',
            tf: 'default_resource_spec',
            kind: 'block',
            fields: [
              { cfn: 'InstanceType', tf: 'instance_type', kind: 'string' },
              // The provider spells it sagemaker_, CloudFormation and the API SageMaker.
              { cfn: 'SageMakerImageArn', tf: 'sagemaker_image_arn', kind: 'string' },
            ],
          },
        ],
      },
    ],
  },
  { cfn: 'DomainSettings', tf: 'domain_settings', kind: 'block', fields: [{ cfn: 'SecurityGroupIds', tf: 'security_group_ids', kind: 'list' }] },
  { cfn: 'Tags', tf: 'tags', kind: 'tags' },
];

const NOTEBOOK_FIELDS: Field[] = [
  { cfn: 'DirectInternetAccess', tf: 'direct_internet_access', kind: 'string' },
  { cfn: 'SecurityGroupIds', tf: 'security_groups', live: 'SecurityGroups', kind: 'list' },
  {
    cfn: 'InstanceMetadataServiceConfiguration',
    tf: 'instance_metadata_service_configuration',
    kind: 'block',
    fields: [{ cfn: 'MinimumInstanceMetadataServiceVersion', tf: 'minimum_instance_metadata_service_version', kind: 'string' }],
  },
  { cfn: 'Tags', tf: 'tags', kind: 'tags' },
];

type Tag = { Key: string; Value: string };
/** One property's written state: not written, written but unknown offline, a value, or a block of properties. */
type Node = { k: 'absent' } | { k: 'unknown' } | { k: 'set'; v: string | string[] | Tag[] } | { k: 'block'; children: Spec };
type Spec = Record<string, Node>;

const word = fc.constantFrom('alpha', 'beta-1', 'Enabled', 'VpcOnly', 'ml.t3.medium', '');
function nodeArb(field: Field): fc.Arbitrary<Node> {
  const absent = fc.constant<Node>({ k: 'absent' });
  const unknown = fc.constant<Node>({ k: 'unknown' });
  switch (field.kind) {
    case 'string':
      return fc.oneof(absent, unknown, word.map((v): Node => ({ k: 'set', v })));
    case 'list':
      return fc.oneof(absent, unknown, fc.uniqueArray(fc.constantFrom('sg-1', 'sg-2', 'sg-3'), { maxLength: 3 }).map((v): Node => ({ k: 'set', v })));
    case 'tags': {
      // Sorted by key: Terraform's tags are a map, listed in key order.
      const tags = fc.uniqueArray(fc.constantFrom('env', 'owner', 'team'), { maxLength: 3 }).map((keys): Node => ({ k: 'set', v: keys.sort().map((Key) => ({ Key, Value: `${Key}-value` })) }));
      return fc.oneof(absent, unknown, tags);
    }
    case 'block':
      return fc.oneof(absent, unknown, specArbOf(field.fields).map((children): Node => ({ k: 'block', children })));
  }
}
function specArbOf(fields: Field[]): fc.Arbitrary<Spec> {
  return fc.record(Object.fromEntries(fields.map((f) => [f.cfn, nodeArb(f)])));
}

function hasUnknown(spec: Spec): boolean {
  return Object.values(spec).some((n) => n.k === 'unknown' || (n.k === 'block' && hasUnknown(n.children)));
}

const IMPORT = { 'Fn::ImportValue': 'shared-value' };

/** CloudFormation: blocks are mappings, tags a list of Key/Value, an unknown is an import. */
function cfnValue(fields: Field[], spec: Spec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const n = spec[f.cfn]!;
    if (n.k === 'unknown') out[f.cfn] = IMPORT;
    else if (n.k === 'set') out[f.cfn] = n.v;
    else if (n.k === 'block' && f.kind === 'block') out[f.cfn] = cfnValue(f.fields, n.children);
  }
  return out;
}

/** The live describe output: the API's names and shapes are CloudFormation's (liveNames aside). */
function liveValue(fields: Field[], spec: Spec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const n = spec[f.cfn]!;
    if (f.kind === 'tags') continue; // from ListTags
    if (n.k === 'set') out[f.live ?? f.cfn] = n.v;
    else if (n.k === 'block' && f.kind === 'block') out[f.live ?? f.cfn] = liveValue(f.fields, n.children);
  }
  return out;
}

const tagMap = (tags: Tag[]): Record<string, string> => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

/** HCL: blocks are blocks (a dynamic one over an unknown collection when unknown), tags a map. */
function hclBody(fields: Field[], spec: Spec, indent: string): string[] {
  const lines: string[] = [];
  for (const f of fields) {
    const n = spec[f.cfn]!;
    if (n.k === 'absent') continue;
    if (f.kind === 'block') {
      if (n.k === 'unknown') lines.push(`${indent}dynamic "${f.tf}" {`, `${indent}  for_each = var.unset`, `${indent}  content {`, `${indent}  }`, `${indent}}`);
      else if (n.k === 'block') lines.push(`${indent}${f.tf} {`, ...hclBody(f.fields, n.children, `${indent}  `), `${indent}}`);
      continue;
    }
    if (n.k === 'unknown') lines.push(`${indent}${f.tf} = var.unset`);
    else if (n.k === 'set') {
      const v = f.kind === 'tags' ? `{ ${(n.v as Tag[]).map((t) => `${JSON.stringify(t.Key)} = ${JSON.stringify(t.Value)}`).join(', ')} }` : JSON.stringify(n.v);
      lines.push(`${indent}${f.tf} = ${v}`);
    }
  }
  return lines;
}

/** Terraform JSON: a block is an object, or a list of one object; an unknown is a variable. */
function tfJsonValue(fields: Field[], spec: Spec, blocksAsLists: boolean, top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dynamic: Record<string, unknown> = {};
  for (const f of fields) {
    const n = spec[f.cfn]!;
    if (n.k === 'unknown') {
      // A top-level block over an unknown collection is a dynamic block; deeper, JSON syntax has only the value.
      if (f.kind === 'block' && top) dynamic[f.tf] = { for_each: '${var.unset}', content: {} };
      else out[f.tf] = '${var.unset}';
    } else if (n.k === 'set') out[f.tf] = f.kind === 'tags' ? tagMap(n.v as Tag[]) : n.v;
    else if (n.k === 'block' && f.kind === 'block') {
      const body = tfJsonValue(f.fields, n.children, blocksAsLists, false);
      out[f.tf] = blocksAsLists ? [body] : body;
    }
  }
  if (Object.keys(dynamic).length > 0) out.dynamic = dynamic;
  return out;
}

/** A plan's `after` and `after_unknown`: blocks are lists of one (none: []), unset attributes null, unknowns left out of `after`. */
function planValue(fields: Field[], spec: Spec): { after: Record<string, unknown>; unknown: Record<string, unknown> } {
  const after: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  for (const f of fields) {
    const n = spec[f.cfn]!;
    if (n.k === 'unknown') unknown[f.tf] = true;
    else if (n.k === 'absent') after[f.tf] = f.kind === 'block' ? [] : null;
    else if (n.k === 'set') after[f.tf] = f.kind === 'tags' ? tagMap(n.v as Tag[]) : n.v;
    else if (f.kind === 'block') {
      const inner = planValue(f.fields, n.children);
      after[f.tf] = [inner.after];
      if (Object.keys(inner.unknown).length > 0) unknown[f.tf] = [inner.unknown];
    }
  }
  return { after, unknown };
}

interface ContractSpec {
  domain: Spec;
  notebook: Spec;
  blocksAsLists: boolean;
}

const DOMAIN_REQUIRED_CFN = { DomainName: 'd', AuthMode: 'IAM', VpcId: 'vpc-1', SubnetIds: ['subnet-1'] };
const NOTEBOOK_REQUIRED_CFN = { InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::111122223333:role/nb' };
const DOMAIN_REQUIRED_TF = { domain_name: 'd', auth_mode: 'IAM', vpc_id: 'vpc-1', subnet_ids: ['subnet-1'] };
const NOTEBOOK_REQUIRED_TF = { name: 'nb', instance_type: 'ml.t3.medium', role_arn: 'arn:aws:iam::111122223333:role/nb' };

function cfnTemplate(s: ContractSpec): Record<string, unknown> {
  return {
    Resources: {
      D: { Type: 'AWS::SageMaker::Domain', Properties: { ...DOMAIN_REQUIRED_CFN, ...cfnValue(DOMAIN_FIELDS, s.domain) } },
      Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { ...NOTEBOOK_REQUIRED_CFN, ...cfnValue(NOTEBOOK_FIELDS, s.notebook) } },
    },
  };
}

function hclText(s: ContractSpec): string {
  const required = (attrs: Record<string, unknown>) => Object.entries(attrs).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
  return [
    'variable "unset" {}',
    'resource "aws_sagemaker_domain" "d" {',
    ...required(DOMAIN_REQUIRED_TF),
    ...hclBody(DOMAIN_FIELDS, s.domain, '  '),
    '}',
    'resource "aws_sagemaker_notebook_instance" "nb" {',
    ...required(NOTEBOOK_REQUIRED_TF),
    ...hclBody(NOTEBOOK_FIELDS, s.notebook, '  '),
    '}',
    '',
  ].join('\n');
}

function tfJsonText(s: ContractSpec): string {
  return JSON.stringify(
    {
      variable: { unset: {} },
      resource: {
        aws_sagemaker_domain: { d: { ...DOMAIN_REQUIRED_TF, ...tfJsonValue(DOMAIN_FIELDS, s.domain, s.blocksAsLists, true) } },
        aws_sagemaker_notebook_instance: { nb: { ...NOTEBOOK_REQUIRED_TF, ...tfJsonValue(NOTEBOOK_FIELDS, s.notebook, s.blocksAsLists, true) } },
      },
    },
    null,
    2,
  );
}

function planText(s: ContractSpec): string {
  const change = (type: string, name: string, required: Record<string, unknown>, fields: Field[], spec: Spec) => {
    const { after, unknown } = planValue(fields, spec);
    return {
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      change: { actions: ['create'], before: null, after: { ...required, ...after }, after_unknown: { id: true, arn: true, ...unknown } },
    };
  };
  return JSON.stringify(
    {
      format_version: '1.2',
      terraform_version: '1.9.5',
      resource_changes: [
        change('aws_sagemaker_domain', 'd', DOMAIN_REQUIRED_TF, DOMAIN_FIELDS, s.domain),
        change('aws_sagemaker_notebook_instance', 'nb', NOTEBOOK_REQUIRED_TF, NOTEBOOK_FIELDS, s.notebook),
      ],
    },
    null,
    2,
  );
}

/** Every path of the fields, at every depth, and a few that go past a value or name nothing. */
function pathsOf(fields: Field[], prefix: Field[] = []): Field[][] {
  return fields.flatMap((f) => [[...prefix, f], ...(f.kind === 'block' ? pathsOf(f.fields, [...prefix, f]) : [])]);
}

const NOWHERE: Field = { cfn: 'NoSuchProperty', tf: 'no_such_property', kind: 'string' };

/** What a read of `path` must give, from the spec alone: unknown as soon as a part on the way is. */
function expected(spec: Spec, path: readonly Field[], defaults: Record<string, unknown>): { state: string; value?: unknown } {
  let current: Node = { k: 'block', children: spec };
  for (const f of path) {
    if (current.k === 'unknown') return { state: 'unknown' };
    // Below a value (or below nothing) there is nothing.
    current = current.k === 'block' ? (current.children[f.cfn] ?? { k: 'absent' }) : { k: 'absent' };
  }
  if (current.k === 'unknown') return { state: 'unknown' };
  if (current.k === 'absent') return { state: 'default', value: defaults[path.map((f) => f.cfn).join('.')] };
  return { state: 'set', value: shapeOf(current) };
}

/** The deepest name of `path` written in the source (an unknown's own name included), in the source's spelling. */
function deepestWritten(spec: Spec, path: readonly Field[], spelling: 'cfn' | 'tf'): string | undefined {
  let current: Node = { k: 'block', children: spec };
  let written: string | undefined;
  for (const f of path) {
    if (current.k !== 'block') break;
    current = current.children[f.cfn] ?? { k: 'absent' };
    if (current.k === 'absent') break;
    written = f[spelling];
  }
  return written;
}

function shapeOf(node: Node): unknown {
  if (node.k === 'unknown') return '<unknown>';
  if (node.k === 'set') return node.v;
  if (node.k === 'block') return Object.fromEntries(Object.entries(node.children).filter(([, n]) => n.k !== 'absent').map(([k, n]) => [k, shapeOf(n)]));
  return undefined;
}

/** A value with unknown parts as `<unknown>`, and every object a plain one, for comparison across sources. */
function comparable(value: unknown): unknown {
  if (isUnknownValue(value)) return '<unknown>';
  if (isResourceReference(value)) return `<reference ${value.reference}>`;
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.keys(value).map((k) => [k, comparable((value as Record<string, unknown>)[k])]));
  return value;
}

const contractArb: fc.Arbitrary<ContractSpec> = fc.record({ domain: specArbOf(DOMAIN_FIELDS), notebook: specArbOf(NOTEBOOK_FIELDS), blocksAsLists: fc.boolean() });

const LIVE = { account: '111122223333', region: 'eu-west-1' };

test('one property contract: nested properties read alike (A and A.B at every depth) from CloudFormation YAML and JSON, Terraform HCL and JSON, a plan and a live describe', () => {
  fc.assert(
    fc.property(contractArb, (s) => {
      const texts: Record<string, string> = {
        'cfn.yaml': yaml.dump(cfnTemplate(s)),
        'cfn.json': JSON.stringify(cfnTemplate(s), null, 2),
        'hcl/main.tf': hclText(s),
        'tfjson/main.tf.json': tfJsonText(s),
        'plan.json': planText(s),
      };
      const t = makeTree(texts);
      try {
        const at = (f: string) => join(t.root, f);
        const results: Record<string, SourceResult> = {
          'cfn.yaml': cloudFormationSource.scanFile(at('cfn.yaml'), texts['cfn.yaml']!),
          'cfn.json': cloudFormationSource.scanFile(at('cfn.json'), texts['cfn.json']!),
          'hcl/main.tf': scanTerraformDirectories([at('hcl')]),
          'tfjson/main.tf.json': scanTerraformDirectories([at('tfjson')]),
          'plan.json': terraformPlanSource.scanFile(at('plan.json'), texts['plan.json']!),
        };
        for (const [file, result] of Object.entries(results)) assert.deepEqual(result.errors, [], file);
        const kinds = [
          { type: 'AWS::SageMaker::Domain', fields: DOMAIN_FIELDS, spec: s.domain, live: liveValue(DOMAIN_FIELDS, s.domain), defaults: { AppNetworkAccessType: 'PublicInternetOnly' } },
          { type: 'AWS::SageMaker::NotebookInstance', fields: NOTEBOOK_FIELDS, spec: s.notebook, live: liveValue(NOTEBOOK_FIELDS, s.notebook), defaults: { DirectInternetAccess: 'Enabled' } },
        ];
        for (const kind of kinds) {
          const resources: [string, Resource][] = Object.entries(results).map(([file, result]) => {
            const found = result.resources.filter((r) => r.type === kind.type);
            assert.equal(found.length, 1, `${file}: one ${kind.type}`);
            return [file, new Resource(found[0]!)];
          });
          // A live resource has no unknowns: it is compared when the template has none.
          if (!hasUnknown(kind.spec)) {
            const tags = kind.spec.Tags?.k === 'set' ? (kind.spec.Tags.v as Tag[]) : [];
            const identity = { type: kind.type, arn: `arn:aws:sagemaker:${LIVE.region}:${LIVE.account}:x/y`, name: 'y', ...LIVE };
            resources.push(['live', new Resource(liveResource(identity, kind.live, { state: 'read', tags }))]);
          }
          const first = kind.fields.find((f) => f.kind === 'string')!;
          const block = kind.fields.find((f) => f.kind === 'block')!;
          const paths: Field[][] = [...pathsOf(kind.fields), [NOWHERE], [first, NOWHERE], [block, NOWHERE]];
          for (const path of paths) {
            const name = path.map((f) => f.cfn).join('.');
            let want = expected(kind.spec, path, kind.defaults);
            for (const [file, resource] of resources) {
              // ListTags answers a list, empty when there are none: a live resource's tags are never absent.
              if (file === 'live' && name === 'Tags' && want.state === 'default') want = { state: 'set', value: [] };
              const got = resource.attribute(name);
              const shown = { state: got.state, ...(got.state === 'unknown' ? {} : { value: comparable(got.value) }) };
              assert.deepEqual(shown, want, `${file}: ${kind.type} ${name}`);
              if (file === 'live') {
                assert.deepEqual(got.location, liveLocation(LIVE.account, LIVE.region), `live: ${name} location`);
                continue;
              }
              assert.equal(got.location.file, at(file), `${file}: ${name} is located in its file`);
              if (got.state === 'default') continue;
              const key = deepestWritten(kind.spec, path, file.startsWith('cfn') ? 'cfn' : 'tf');
              const line = texts[file]!.split('\n')[got.location.line - 1] ?? '';
              assert.ok(key !== undefined && line.includes(key), `${file}: ${kind.type} ${name} (${got.state}) located at line ${got.location.line} "${line.trim()}", not at ${key}`);
            }
          }
        }
      } finally {
        t.cleanup();
      }
    }),
    { numRuns: 80 },
  );
});
