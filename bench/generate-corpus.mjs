#!/usr/bin/env node
// Deterministic generator of a benchmark corpus of realistic infrastructure-as-code templates.
//
//   node bench/generate-corpus.mjs [--count N] [--seed S] [--out DIR] [--force]
//
// Writes N files (default 10,000) of 10–50 KB each into DIR (default .bench/corpus-<N>/):
// CloudFormation YAML (~45%, short-form tags, Parameters/Conditions/Mappings), CloudFormation
// JSON (~25%, pretty-printed like CDK synth output) and Terraform (~30%, one main.tf per
// directory = one module, with variables, locals, count and for_each). Each file holds filler
// resources (VPC, subnets, security groups, IAM roles and policies, S3, Lambda, DynamoDB, ...) and
// 1–4 SageMaker notebook instances (DirectInternetAccess Enabled, Disabled with a SubnetId, or
// absent) and sometimes a SageMaker Studio domain.
//
// Files are grouped in shards of 1,000 (s00/, s01/, ...), and file i depends only on (seed, i), so
// the first K files of any corpus are the same: the bench scans s00 alone for 1,000 files, s00–s04
// for 5,000. DIR.manifest.json, beside DIR (written last, so a partial corpus is never taken as complete), records,
// per file and in total, the notebooks and domains written and the failures expected:
//   notebook: fails unless DirectInternetAccess is "Disabled" (AWS's default is Enabled);
//   domain:   fails unless AppNetworkAccessType is "VpcOnly" (AWS's default is PublicInternetOnly).
// Notebooks and domains never carry a Condition/count, their deciding values are literals, and the
// parameters/variables they reference (subnet, VPC) have defaults, so every verdict is decidable
// offline.
//
// Plain JavaScript (no build step), no dependencies.

import { mkdirSync, rmSync, writeFileSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 4;
export const DEFAULT_SEED = 20240611;
export const SHARD_SIZE = 1000;
const MIN_BYTES = 10 * 1024;
const MAX_BYTES = 50 * 1024;

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..');
export const BENCH_DIR = join(REPO_ROOT, '.bench');

// ---------------------------------------------------------------------------------------------
// Seeded PRNG
// ---------------------------------------------------------------------------------------------

function hash32(str) {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

class Rng {
  constructor(seed) {
    this.a = seed >>> 0;
  }
  next() {
    // mulberry32
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  pickN(arr, n) {
    const copy = arr.slice();
    const out = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]);
    return out;
  }
  weighted(pairs) {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [v, w] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }
  hex(n, upper = false) {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return upper ? s.toUpperCase() : s;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

const APPS = [
  'ml-platform', 'fraud-detection', 'recommendations', 'data-lake', 'analytics', 'churn-model',
  'forecasting', 'nlp-service', 'vision-pipeline', 'feature-store', 'genomics', 'risk-scoring',
  'pricing-engine', 'search-ranking', 'clickstream', 'customer-360', 'ad-targeting', 'claims-triage',
  'demand-planning', 'anomaly-detection', 'credit-scoring', 'supply-chain', 'iot-telemetry', 'chatbot',
];
const TEAMS = ['data-science', 'ml-engineering', 'analytics', 'research', 'platform', 'risk', 'growth', 'bioinformatics'];
const ENVS = ['dev', 'staging', 'prod', 'sandbox', 'qa'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1'];
const COST_CENTERS = ['CC-1042', 'CC-2210', 'CC-3318', 'CC-4471', 'CC-5120', 'CC-7788'];
const NOTEBOOK_NAMES = [
  'Research', 'DataScience', 'Exploration', 'FeatureEngineering', 'ModelTraining', 'Analyst',
  'Sandbox', 'Experiments', 'Forecast', 'Labeling', 'Evaluation', 'Prototyping',
];
const NOTEBOOK_TYPES = ['ml.t3.medium', 'ml.t3.large', 'ml.t3.xlarge', 'ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.xlarge', 'ml.g4dn.xlarge', 'ml.p3.2xlarge'];
const LAMBDA_PURPOSES = ['Ingest', 'Transform', 'Notifier', 'Scheduler', 'Validator', 'Exporter', 'Cleanup', 'Enricher', 'Authorizer', 'Processor'];
const TABLE_PURPOSES = ['Jobs', 'Experiments', 'Features', 'Models', 'Sessions', 'Events', 'Audit', 'Predictions'];
const BUCKET_PURPOSES = ['raw', 'curated', 'artifacts', 'models', 'logs', 'staging', 'exports', 'datasets'];
const QUEUE_PURPOSES = ['ingest', 'scoring', 'training-events', 'notifications', 'retries', 'batch-jobs'];
const MANAGED_POLICIES = [
  'service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole',
  'AmazonSageMakerFullAccess', 'CloudWatchLogsFullAccess', 'AmazonS3ReadOnlyAccess',
  'AWSXRayDaemonWriteAccess', 'AmazonSSMManagedInstanceCore',
];
const ACTIONS = {
  s3: ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject', 's3:GetBucketLocation', 's3:AbortMultipartUpload'],
  logs: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
  dynamodb: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchWriteItem'],
  kms: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
  sqs: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  sagemaker: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:CreateModel', 'sagemaker:InvokeEndpoint', 'sagemaker:CreateProcessingJob'],
  ecr: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
  ec2: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
};
const PY_SNIPPETS = [
  (n) => `import json
import logging
import os

import boto3

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

s3 = boto3.client("s3")
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    """${n}: copy each new object's metadata into the tracking table."""
    records = event.get("Records", [])
    logger.info("received %d records", len(records))
    for record in records:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        head = s3.head_object(Bucket=bucket, Key=key)
        TABLE.put_item(
            Item={
                "pk": f"{bucket}/{key}",
                "size": head["ContentLength"],
                "etag": head["ETag"].strip('"'),
                "content_type": head.get("ContentType", "application/octet-stream"),
            }
        )
    return {"statusCode": 200, "body": json.dumps({"processed": len(records)})}
`,
  (n) => `import os
import time

import boto3

sagemaker = boto3.client("sagemaker")
sns = boto3.client("sns")
TOPIC_ARN = os.environ["TOPIC_ARN"]
MAX_AGE_HOURS = int(os.environ.get("MAX_AGE_HOURS", "12"))


def handler(event, context):
    """${n}: stop notebook instances that have been idle for too long."""
    now = time.time()
    stopped = []
    paginator = sagemaker.get_paginator("list_notebook_instances")
    for page in paginator.paginate(StatusEquals="InService"):
        for nb in page["NotebookInstances"]:
            age = (now - nb["LastModifiedTime"].timestamp()) / 3600
            if age > MAX_AGE_HOURS:
                sagemaker.stop_notebook_instance(NotebookInstanceName=nb["NotebookInstanceName"])
                stopped.append(nb["NotebookInstanceName"])
    if stopped:
        sns.publish(TopicArn=TOPIC_ARN, Subject="Idle notebooks stopped", Message="\\n".join(stopped))
    return {"stopped": stopped}
`,
  (n) => `const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const sqs = new SQSClient({});
const QUEUE_URL = process.env.QUEUE_URL;

// ${n}: validate incoming events and forward the good ones.
exports.handler = async (event) => {
  const accepted = [];
  const rejected = [];
  for (const item of event.items || []) {
    if (!item.id || typeof item.score !== "number" || item.score < 0 || item.score > 1) {
      rejected.push(item.id || "unknown");
      continue;
    }
    await sqs.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(item) }));
    accepted.push(item.id);
  }
  console.log(JSON.stringify({ accepted: accepted.length, rejected: rejected.length }));
  return { accepted, rejected };
};
`,
];
const SHELL_LIFECYCLE = `#!/bin/bash
set -euo pipefail

# Install extensions and configure auto-stop for idle notebooks.
sudo -u ec2-user -i <<'EOF'
source /home/ec2-user/anaconda3/bin/activate JupyterSystemEnv
pip install --quiet jupyterlab-git==0.50.0
conda deactivate
EOF

IDLE_TIME=3600
wget -q -O /home/ec2-user/autostop.py https://raw.githubusercontent.com/aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples/master/scripts/auto-stop-idle/autostop.py
(crontab -l 2>/dev/null; echo "*/5 * * * * /usr/bin/python3 /home/ec2-user/autostop.py --time $IDLE_TIME --ignore-connections >> /var/log/jupyter.log") | crontab -
`;

function pascal(s) {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}
function snake(s) {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// CloudFormation model and serializers
// ---------------------------------------------------------------------------------------------

class Fn {
  constructor(name, arg) {
    this.name = name;
    this.arg = arg;
  }
  toJSON() {
    return { [this.name]: this.arg };
  }
}
const Ref = (x) => new Fn('Ref', x);
const GetAtt = (r, a) => new Fn('Fn::GetAtt', [r, a]);
const Sub = (s, vars) => new Fn('Fn::Sub', vars ? [s, vars] : s);
const If = (c, a, b) => new Fn('Fn::If', [c, a, b]);
const Join = (d, parts) => new Fn('Fn::Join', [d, parts]);
const Select = (i, list) => new Fn('Fn::Select', [i, list]);
const GetAZs = (r = '') => new Fn('Fn::GetAZs', r);
const Cidr = (block, count, bits) => new Fn('Fn::Cidr', [block, count, bits]);
const FindInMap = (m, a, b) => new Fn('Fn::FindInMap', [m, a, b]);
const Equals = (a, b) => new Fn('Fn::Equals', [a, b]);
const Not = (c) => new Fn('Fn::Not', [c]);
const Or = (...c) => new Fn('Fn::Or', c);
const Base64 = (x) => new Fn('Fn::Base64', x);
const NoValue = Ref('AWS::NoValue');

// --- YAML emitter (block style, short-form intrinsic tags) ---

const YAML_RESERVED = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

function yamlString(s, flow) {
  if (s === '') return "''";
  const plain =
    /^[A-Za-z_/][A-Za-z0-9_ .\/:@\-+=()*<>?%]*$/.test(s) &&
    !YAML_RESERVED.test(s) &&
    !/: |:$| #|\s$/.test(s) &&
    !(flow && /[,\[\]{}]/.test(s));
  return plain ? s : "'" + s.replace(/'/g, "''") + "'";
}
function yamlKey(k) {
  return /^[A-Za-z0-9_][A-Za-z0-9_:.\/-]*$/.test(k) && !YAML_RESERVED.test(k) && !k.endsWith(':') ? k : "'" + k.replace(/'/g, "''") + "'";
}
const isScalar = (v) => v === null || typeof v !== 'object';
const isMultiline = (v) => typeof v === 'string' && v.includes('\n');

function yamlScalar(v, flow = false) {
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return yamlString(v, flow);
}
function tagName(fn) {
  return fn.name === 'Ref' || fn.name === 'Condition' ? '!' + fn.name : '!' + fn.name.slice(4);
}
/** Single-line flow rendering of a value, or null when it needs block style. */
function yamlFlow(v) {
  if (isScalar(v)) return isMultiline(v) ? null : yamlScalar(v, true);
  if (v instanceof Fn) return yamlFnInline(v);
  if (Array.isArray(v)) {
    const parts = v.map(yamlFlow);
    return parts.some((p) => p === null) ? null : `[${parts.join(', ')}]`;
  }
  return null;
}
function yamlFnInline(fn) {
  const tag = tagName(fn);
  if (fn.name === 'Fn::GetAtt') return `${tag} ${fn.arg[0]}.${fn.arg[1]}`;
  if (fn.arg instanceof Fn) return null; // a node takes one tag: the outer function goes long-form
  if (isScalar(fn.arg)) return isMultiline(fn.arg) ? null : `${tag} ${yamlScalar(fn.arg, true)}`;
  if (Array.isArray(fn.arg)) {
    const f = yamlFlow(fn.arg);
    return f !== null && f.length < 110 ? `${tag} ${f}` : null;
  }
  return null;
}
function yamlBlockScalar(s, indent) {
  const pad = ' '.repeat(indent);
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  const head = s.endsWith('\n') ? '|' : '|-';
  return head + '\n' + body.split('\n').map((l) => (l ? pad + l : '')).join('\n') + '\n';
}
/** Text after "key:" or "- " for value v, whose children are indented by `indent`. Ends with \n. */
function yamlValueAfter(v, indent) {
  if (isScalar(v)) return isMultiline(v) ? ' ' + yamlBlockScalar(v, indent) : ' ' + yamlScalar(v) + '\n';
  if (v instanceof Fn) {
    const inline = yamlFnInline(v);
    if (inline !== null) return ' ' + inline + '\n';
    const tag = tagName(v);
    if (isMultiline(v.arg)) return ` ${tag} ` + yamlBlockScalar(v.arg, indent);
    if (v.arg instanceof Fn) return '\n' + ' '.repeat(indent) + v.name + ':' + yamlValueAfter(v.arg, indent + 2);
    if (Array.isArray(v.arg)) return ` ${tag}\n` + yamlSeq(v.arg, indent);
    return ` ${tag}\n` + yamlMap(v.arg, indent);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []\n';
    return '\n' + yamlSeq(v, indent);
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return ' {}\n';
  return '\n' + yamlMap(v, indent);
}
function yamlMap(obj, indent) {
  const pad = ' '.repeat(indent);
  let out = '';
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (typeof k === 'string' && k.startsWith('#comment')) {
      out += `${pad}# ${v}\n`;
      continue;
    }
    out += pad + yamlKey(k) + ':' + yamlValueAfter(v, indent + 2);
  }
  return out;
}
function yamlSeq(arr, indent) {
  const pad = ' '.repeat(indent);
  let out = '';
  for (const v of arr) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Fn) && Object.keys(v).length) {
      const inner = yamlMap(v, indent + 2);
      out += pad + '- ' + inner.slice(indent + 2);
    } else {
      out += pad + '-' + yamlValueAfter(v, indent + 2);
    }
  }
  return out;
}

// --- CloudFormation template builder ---

class CfnTemplate {
  constructor(rng, style, stackName) {
    this.rng = rng;
    this.style = style; // 'yaml' (hand-written) | 'cdk' (CDK synth output)
    this.stackName = stackName;
    this.description = '';
    this.metadata = null;
    this.parameters = {};
    this.mappings = {};
    this.conditions = {};
    this.resources = []; // [{id, body, text}]
    this.outputs = {};
    this.ids = new Set();
    this.size = 0;
    this.ctx = { subnetsPrivate: [], subnetsPublic: [], vpc: null, sgs: [], roles: [], keys: [], buckets: [], tables: [], queues: [], topics: [] };
    this.notebooks = [];
    this.domains = [];
  }
  id(base, path) {
    let id = base;
    if (this.style === 'cdk') id = pascal(path || base) + this.rng.hex(8, true);
    let n = 2;
    while (this.ids.has(id)) id = `${base}${n++}`;
    this.ids.add(id);
    return id;
  }
  add(id, body, path) {
    if (this.style === 'cdk') body = { ...body, Metadata: { ...(body.Metadata || {}), 'aws:cdk:path': `${this.stackName}/${path || id}/Resource` } };
    this.resources.push({ id, body });
    this.size += this.style === 'cdk' ? JSON.stringify(body, null, 1).length + body_depth_overhead(body) : yamlMap({ [id]: body }, 2).length;
    return id;
  }
  arn(service, resource) {
    // arn:${AWS::Partition}:service:${AWS::Region}:${AWS::AccountId}:resource
    if (this.style === 'cdk')
      return Join('', ['arn:', Ref('AWS::Partition'), `:${service}:`, Ref('AWS::Region'), ':', Ref('AWS::AccountId'), `:${resource}`]);
    return Sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
  }
  name(suffix) {
    return this.style === 'cdk' ? Join('-', [Ref('AWS::StackName'), suffix]) : Sub(`\${AWS::StackName}-${suffix}`);
  }
  tags(extra = {}) {
    const t = [];
    if (this.style === 'cdk') t.push({ Key: 'aws-cdk:app', Value: this.stackName });
    t.push({ Key: 'Environment', Value: this.envRef() }, { Key: 'Team', Value: this.team }, { Key: 'CostCenter', Value: this.costCenter });
    for (const [k, v] of Object.entries(extra)) t.push({ Key: k, Value: v });
    return t;
  }
  envRef() {
    return this.style === 'cdk' ? this.env : Ref('Environment');
  }
  render() {
    const doc = { AWSTemplateFormatVersion: '2010-09-09', Description: this.description };
    if (this.metadata) doc.Metadata = this.metadata;
    if (Object.keys(this.parameters).length) doc.Parameters = this.parameters;
    if (Object.keys(this.mappings).length) doc.Mappings = this.mappings;
    if (Object.keys(this.conditions).length) doc.Conditions = this.conditions;
    if (this.style === 'cdk') {
      const resources = {};
      for (const r of this.resources) resources[r.id] = r.body;
      doc.Resources = resources;
      if (Object.keys(this.outputs).length) doc.Outputs = this.outputs;
      doc.Rules = {
        CheckBootstrapVersion: {
          Assertions: [
            {
              Assert: Not(new Fn('Fn::Contains', [['1', '2', '3', '4', '5'], Ref('BootstrapVersion')])),
              AssertDescription: "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
            },
          ],
        },
      };
      delete doc.AWSTemplateFormatVersion;
      return JSON.stringify(doc, null, 1) + '\n';
    }
    // YAML: a comment banner, blank lines between sections, resources grouped with comments.
    let out = `# ${this.stackName}: ${this.description}\n# Owner: ${this.team} (${this.costCenter}). Managed by CloudFormation; do not edit in the console.\n`;
    const sections = { AWSTemplateFormatVersion: doc.AWSTemplateFormatVersion, Description: doc.Description };
    out += yamlMap(sections, 0);
    for (const key of ['Metadata', 'Parameters', 'Mappings', 'Conditions']) {
      if (doc[key]) out += '\n' + yamlMap({ [key]: doc[key] }, 0);
    }
    out += '\nResources:\n';
    for (const r of this.resources) {
      if (r.comment) out += `\n  # --- ${r.comment} ---\n`;
      out += yamlMap({ [r.id]: r.body }, 2);
    }
    if (Object.keys(this.outputs).length) out += '\n' + yamlMap({ Outputs: this.outputs }, 0);
    return out;
  }
  section(comment) {
    this.pendingComment = comment;
  }
}
function body_depth_overhead(body) {
  // Resources sit two levels deep in the JSON document: one extra space per line per level.
  return 2 * (JSON.stringify(body, null, 1).split('\n').length + 1);
}
// Attach section comments to the next resource added.
const _add = CfnTemplate.prototype.add;
CfnTemplate.prototype.add = function (id, body, path) {
  const r = _add.call(this, id, body, path);
  if (this.pendingComment) {
    this.resources[this.resources.length - 1].comment = this.pendingComment;
    this.pendingComment = null;
  }
  return r;
};

// --- CloudFormation filler groups ---

function cfnPolicyStatements(t, rng, n) {
  const stmts = [];
  const services = rng.pickN(Object.keys(ACTIONS), n);
  for (const svc of services) {
    const actions = rng.pickN(ACTIONS[svc], rng.int(2, ACTIONS[svc].length));
    let resource;
    if (svc === 's3' && t.ctx.buckets.length) {
      const b = rng.pick(t.ctx.buckets);
      resource = [GetAtt(b, 'Arn'), t.style === 'cdk' ? Join('', [GetAtt(b, 'Arn'), '/*']) : Sub(`\${${b}.Arn}/*`)];
    } else if (svc === 'dynamodb' && t.ctx.tables.length) {
      const tb = rng.pick(t.ctx.tables);
      resource = [GetAtt(tb, 'Arn'), t.style === 'cdk' ? Join('', [GetAtt(tb, 'Arn'), '/index/*']) : Sub(`\${${tb}.Arn}/index/*`)];
    } else if (svc === 'kms' && t.ctx.keys.length) {
      resource = GetAtt(rng.pick(t.ctx.keys), 'Arn');
    } else if (svc === 'logs') {
      resource = t.arn('logs', `log-group:/aws/${rng.pick(['lambda', 'sagemaker', 'states'])}/*`);
    } else if (svc === 'sagemaker') {
      resource = t.arn('sagemaker', `${rng.pick(['training-job', 'model', 'endpoint', 'processing-job'])}/*`);
    } else {
      resource = '*';
    }
    const st = { Sid: pascal(svc) + rng.pick(['Access', 'ReadWrite', 'Permissions', 'Policy']), Effect: 'Allow', Action: actions, Resource: resource };
    if (svc === 'kms' && rng.chance(0.5)) st.Condition = { StringEquals: { 'kms:ViaService': Sub('s3.${AWS::Region}.amazonaws.com') } };
    if (svc === 'ec2' && rng.chance(0.5)) st.Condition = { StringEquals: { 'aws:RequestedRegion': Ref('AWS::Region') } };
    stmts.push(st);
  }
  return stmts;
}

function cfnRole(t, rng, purpose, principal) {
  const id = t.id(`${purpose}Role`, `${purpose}/ServiceRole`);
  const policies = [];
  for (let i = 0, n = rng.int(1, 2); i < n; i++) {
    policies.push({ PolicyName: `${purpose.toLowerCase()}-policy-${i + 1}`, PolicyDocument: { Version: '2012-10-17', Statement: cfnPolicyStatements(t, rng, rng.int(2, 5)) } });
  }
  t.add(
    id,
    {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: principal }, Action: 'sts:AssumeRole' }],
        },
        Description: `Execution role for ${purpose}`,
        ManagedPolicyArns: rng.pickN(MANAGED_POLICIES, rng.int(1, 2)).map((p) =>
          t.style === 'cdk' ? Join('', ['arn:', Ref('AWS::Partition'), `:iam::aws:policy/${p}`]) : Sub(`arn:\${AWS::Partition}:iam::aws:policy/${p}`),
        ),
        Policies: policies,
        Path: rng.pick(['/', '/service-role/', `/${t.team}/`]),
        Tags: t.tags(),
      },
    },
    `${purpose}/ServiceRole`,
  );
  t.ctx.roles.push(id);
  return id;
}

function cfnNetwork(t, rng) {
  t.section('Networking');
  const vpc = t.id('Vpc', 'Vpc');
  const cidr = `10.${rng.int(0, 250)}.0.0/16`;
  if (t.style === 'yaml') {
    t.parameters.VpcCidr = { Type: 'String', Default: cidr, AllowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$', Description: 'CIDR block of the VPC' };
  }
  t.add(vpc, {
    Type: 'AWS::EC2::VPC',
    Properties: { CidrBlock: t.style === 'yaml' ? Ref('VpcCidr') : cidr, EnableDnsHostnames: true, EnableDnsSupport: true, InstanceTenancy: 'default', Tags: t.tags({ Name: t.name('vpc') }) },
  }, 'Vpc');
  t.ctx.vpc = vpc;
  const igw = t.id('InternetGateway', 'Vpc/IGW');
  t.add(igw, { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: t.tags({ Name: t.name('igw') }) } }, 'Vpc/IGW');
  const att = t.id('VpcGatewayAttachment', 'Vpc/VPCGW');
  t.add(att, { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: Ref(vpc), InternetGatewayId: Ref(igw) } }, 'Vpc/VPCGW');
  const nAz = rng.int(2, 3);
  const publicRt = t.id('PublicRouteTable', 'Vpc/PublicRouteTable');
  t.add(publicRt, { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: Ref(vpc), Tags: t.tags({ Name: t.name('public') }) } }, 'Vpc/PublicRouteTable');
  const route = t.id('PublicDefaultRoute', 'Vpc/PublicDefaultRoute');
  t.add(route, { Type: 'AWS::EC2::Route', DependsOn: att, Properties: { RouteTableId: Ref(publicRt), DestinationCidrBlock: '0.0.0.0/0', GatewayId: Ref(igw) } }, 'Vpc/PublicDefaultRoute');
  for (const kind of ['Public', 'Private']) {
    for (let i = 0; i < nAz; i++) {
      const sn = t.id(`${kind}Subnet${i + 1}`, `Vpc/${kind}Subnet${i + 1}/Subnet`);
      t.add(sn, {
        Type: 'AWS::EC2::Subnet',
        Properties: {
          VpcId: Ref(vpc),
          AvailabilityZone: Select(i, GetAZs('')),
          CidrBlock: Select(kind === 'Public' ? i : i + 3, Cidr(GetAtt(vpc, 'CidrBlock'), 6, 8)),
          MapPublicIpOnLaunch: kind === 'Public',
          Tags: t.tags({ Name: t.name(`${kind.toLowerCase()}-${i + 1}`), 'aws-cdk:subnet-type': kind }),
        },
      }, `Vpc/${kind}Subnet${i + 1}/Subnet`);
      (kind === 'Public' ? t.ctx.subnetsPublic : t.ctx.subnetsPrivate).push(sn);
      if (kind === 'Public') {
        const assoc = t.id(`${sn}RouteTableAssociation`, `Vpc/${kind}Subnet${i + 1}/RouteTableAssociation`);
        t.add(assoc, { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: Ref(sn), RouteTableId: Ref(publicRt) } }, `Vpc/${kind}Subnet${i + 1}/RouteTableAssociation`);
      }
    }
  }
  if (rng.chance(0.6)) {
    if (t.style === 'yaml') t.conditions.CreateNatGateway = Or(Equals(Ref('Environment'), 'prod'), Equals(Ref('Environment'), 'staging'));
    const cond = t.style === 'yaml' ? { Condition: 'CreateNatGateway' } : {};
    const eip = t.id('NatEip', 'Vpc/PublicSubnet1/EIP');
    t.add(eip, { Type: 'AWS::EC2::EIP', ...cond, DependsOn: att, Properties: { Domain: 'vpc', Tags: t.tags() } }, 'Vpc/PublicSubnet1/EIP');
    const nat = t.id('NatGateway', 'Vpc/PublicSubnet1/NATGateway');
    t.add(nat, { Type: 'AWS::EC2::NatGateway', ...cond, Properties: { AllocationId: GetAtt(eip, 'AllocationId'), SubnetId: Ref(t.ctx.subnetsPublic[0]), Tags: t.tags({ Name: t.name('nat') }) } }, 'Vpc/PublicSubnet1/NATGateway');
    const prt = t.id('PrivateRouteTable', 'Vpc/PrivateRouteTable');
    t.add(prt, { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: Ref(vpc), Tags: t.tags({ Name: t.name('private') }) } }, 'Vpc/PrivateRouteTable');
    const pr = t.id('PrivateDefaultRoute', 'Vpc/PrivateDefaultRoute');
    t.add(pr, { Type: 'AWS::EC2::Route', ...cond, Properties: { RouteTableId: Ref(prt), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: Ref(nat) } }, 'Vpc/PrivateDefaultRoute');
    for (const sn of t.ctx.subnetsPrivate) {
      const a = t.id(`${sn}RouteTableAssociation`, `Vpc/${sn}/RouteTableAssociation`);
      t.add(a, { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: Ref(sn), RouteTableId: Ref(prt) } }, `Vpc/${sn}/RouteTableAssociation`);
    }
  }
  if (rng.chance(0.5)) {
    const sg = cfnSecurityGroup(t, rng, 'VpcEndpoints');
    for (const svc of rng.pickN(['sagemaker.api', 'sagemaker.runtime', 'sts', 'logs', 'ecr.api', 'ecr.dkr'], rng.int(2, 4))) {
      const ep = t.id(`${pascal(svc)}Endpoint`, `Vpc/${pascal(svc)}Endpoint`);
      t.add(ep, {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: {
          VpcId: Ref(vpc),
          ServiceName: t.style === 'cdk' ? Join('', ['com.amazonaws.', Ref('AWS::Region'), `.${svc}`]) : Sub(`com.amazonaws.\${AWS::Region}.${svc}`),
          VpcEndpointType: 'Interface',
          PrivateDnsEnabled: true,
          SubnetIds: t.ctx.subnetsPrivate.map(Ref),
          SecurityGroupIds: [GetAtt(sg, 'GroupId')],
        },
      }, `Vpc/${pascal(svc)}Endpoint`);
    }
  }
}

function cfnSecurityGroup(t, rng, purpose) {
  const id = t.id(`${purpose}SecurityGroup`, `${purpose}/SecurityGroup`);
  const ingress = [];
  for (let i = 0, n = rng.int(1, 4); i < n; i++) {
    const port = rng.pick([443, 80, 8080, 5432, 3306, 6379, 8443, 22]);
    const r = { IpProtocol: 'tcp', FromPort: port, ToPort: port, Description: `${purpose} ${port}` };
    if (t.ctx.sgs.length && rng.chance(0.4)) r.SourceSecurityGroupId = GetAtt(rng.pick(t.ctx.sgs), 'GroupId');
    else r.CidrIp = rng.pick(['10.0.0.0/8', '172.16.0.0/12', `10.${rng.int(0, 250)}.0.0/16`, '192.168.0.0/16']);
    ingress.push(r);
  }
  t.add(id, {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      GroupDescription: `${purpose} security group`,
      VpcId: cfnVpcRef(t, rng),
      SecurityGroupIngress: ingress,
      SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default' }],
      Tags: t.tags({ Name: t.name(`${purpose.toLowerCase()}-sg`) }),
    },
  }, `${purpose}/SecurityGroup`);
  t.ctx.sgs.push(id);
  return id;
}

function cfnKms(t, rng) {
  const purpose = rng.pick(['Data', 'Notebook', 'Logs', 'Artifacts']);
  const id = t.id(`${purpose}Key`, `${purpose}Key`);
  t.add(id, {
    Type: 'AWS::KMS::Key',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      Description: `Customer managed key for ${purpose.toLowerCase()} encryption`,
      EnableKeyRotation: true,
      PendingWindowInDays: rng.pick([7, 14, 30]),
      KeyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EnableRootAccess',
            Effect: 'Allow',
            Principal: { AWS: t.style === 'cdk' ? Join('', ['arn:', Ref('AWS::Partition'), ':iam::', Ref('AWS::AccountId'), ':root']) : Sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'AllowCloudWatchLogs',
            Effect: 'Allow',
            Principal: { Service: t.style === 'cdk' ? Join('', ['logs.', Ref('AWS::Region'), '.amazonaws.com']) : Sub('logs.${AWS::Region}.amazonaws.com') },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': t.arn('logs', '*') } },
          },
        ],
      },
      Tags: t.tags(),
    },
  }, `${purpose}Key`);
  const alias = t.id(`${purpose}KeyAlias`, `${purpose}Key/Alias`);
  t.add(alias, { Type: 'AWS::KMS::Alias', Properties: { AliasName: t.style === 'cdk' ? `alias/${t.stackName.toLowerCase()}-${purpose.toLowerCase()}` : Sub(`alias/\${AWS::StackName}-${purpose.toLowerCase()}`), TargetKeyId: Ref(id) } }, `${purpose}Key/Alias`);
  t.ctx.keys.push(id);
}

function cfnBucket(t, rng) {
  const purpose = rng.pick(BUCKET_PURPOSES);
  const id = t.id(`${pascal(purpose)}Bucket`, `${pascal(purpose)}Bucket`);
  const key = t.ctx.keys.length ? rng.pick(t.ctx.keys) : null;
  t.add(id, {
    Type: 'AWS::S3::Bucket',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BucketName: t.style === 'cdk' ? undefined : Sub(`\${AWS::StackName}-${purpose}-\${AWS::AccountId}-\${AWS::Region}`),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: key ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: GetAtt(key, 'Arn') } : { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: !!key },
        ],
      },
      VersioningConfiguration: { Status: t.style === 'yaml' && rng.chance(0.5) ? If('IsProd', 'Enabled', 'Suspended') : 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: `${purpose}-tiering`,
            Status: 'Enabled',
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: rng.pick([30, 45, 60]) },
              { StorageClass: 'GLACIER', TransitionInDays: rng.pick([90, 120, 180]) },
            ],
            NoncurrentVersionExpiration: { NoncurrentDays: rng.pick([30, 90, 365]) },
          },
          { Id: 'abort-incomplete-uploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
        ],
      },
      Tags: t.tags({ DataClassification: rng.pick(['internal', 'confidential', 'restricted']) }),
    },
  }, `${pascal(purpose)}Bucket`);
  t.ctx.buckets.push(id);
  const pol = t.id(`${pascal(purpose)}BucketPolicy`, `${pascal(purpose)}Bucket/Policy`);
  t.add(pol, {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: Ref(id),
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Resource: [GetAtt(id, 'Arn'), t.style === 'cdk' ? Join('', [GetAtt(id, 'Arn'), '/*']) : Sub(`\${${id}.Arn}/*`)],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    },
  }, `${pascal(purpose)}Bucket/Policy`);
}

function cfnTable(t, rng) {
  const purpose = rng.pick(TABLE_PURPOSES);
  const id = t.id(`${purpose}Table`, `${purpose}Table`);
  const gsis = [];
  const attrs = [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }];
  for (let i = 0, n = rng.int(0, 2); i < n; i++) {
    attrs.push({ AttributeName: `gsi${i + 1}pk`, AttributeType: rng.pick(['S', 'N']) });
    gsis.push({ IndexName: `gsi${i + 1}`, KeySchema: [{ AttributeName: `gsi${i + 1}pk`, KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], Projection: { ProjectionType: rng.pick(['ALL', 'KEYS_ONLY']) } });
  }
  t.add(id, {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: rng.pick(['Retain', 'Delete']),
    Properties: {
      TableName: t.style === 'cdk' ? undefined : Sub(`\${AWS::StackName}-${purpose.toLowerCase()}`),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attrs,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: gsis.length ? gsis : undefined,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: t.style === 'yaml' ? If('IsProd', true, false) : true },
      SSESpecification: t.ctx.keys.length ? { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Ref(rng.pick(t.ctx.keys)) } : { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: rng.chance(0.5) },
      StreamSpecification: rng.chance(0.4) ? { StreamViewType: 'NEW_AND_OLD_IMAGES' } : undefined,
      Tags: t.tags(),
    },
  }, `${purpose}Table`);
  t.ctx.tables.push(id);
}

function cfnLambda(t, rng) {
  const purpose = rng.pick(LAMBDA_PURPOSES);
  const role = cfnRole(t, rng, `${purpose}Function`, 'lambda.amazonaws.com');
  const id = t.id(`${purpose}Function`, `${purpose}Function`);
  const snippet = rng.pick(PY_SNIPPETS)(purpose);
  const isNode = snippet.includes('exports.handler');
  const log = t.id(`${purpose}FunctionLogGroup`, `${purpose}Function/LogGroup`);
  t.add(log, {
    Type: 'AWS::Logs::LogGroup',
    DeletionPolicy: 'Delete',
    Properties: {
      LogGroupName: t.style === 'cdk' ? Join('', ['/aws/lambda/', Ref('AWS::StackName'), `-${purpose.toLowerCase()}`]) : Sub(`/aws/lambda/\${AWS::StackName}-${purpose.toLowerCase()}`),
      RetentionInDays: t.style === 'yaml' ? FindInMap('EnvironmentConfig', Ref('Environment'), 'LogRetentionDays') : rng.pick([14, 30, 90]),
      KmsKeyId: t.ctx.keys.length ? GetAtt(rng.pick(t.ctx.keys), 'Arn') : undefined,
    },
  }, `${purpose}Function/LogGroup`);
  const vars = { LOG_LEVEL: t.style === 'yaml' ? If('IsProd', 'INFO', 'DEBUG') : 'INFO', POWERTOOLS_SERVICE_NAME: snake(purpose) };
  if (t.ctx.tables.length) vars.TABLE_NAME = Ref(rng.pick(t.ctx.tables));
  if (t.ctx.topics.length) vars.TOPIC_ARN = Ref(rng.pick(t.ctx.topics));
  if (t.ctx.queues.length) vars.QUEUE_URL = Ref(rng.pick(t.ctx.queues));
  const inline = t.style === 'yaml' ? rng.chance(0.7) : rng.chance(0.3);
  t.add(id, {
    Type: 'AWS::Lambda::Function',
    DependsOn: [role],
    Properties: {
      FunctionName: t.style === 'cdk' ? undefined : Sub(`\${AWS::StackName}-${purpose.toLowerCase()}`),
      Description: `${purpose} function for ${t.app}`,
      Runtime: isNode ? 'nodejs20.x' : rng.pick(['python3.11', 'python3.12']),
      Handler: isNode ? 'index.handler' : 'index.handler',
      Role: GetAtt(role, 'Arn'),
      Code: inline
        ? { ZipFile: snippet }
        : { S3Bucket: t.style === 'cdk' ? Sub('cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}') : Ref('ArtifactBucketName'), S3Key: `${rng.hex(64)}.zip` },
      MemorySize: rng.pick([128, 256, 512, 1024, 2048]),
      Timeout: rng.pick([10, 30, 60, 300, 900]),
      Architectures: [rng.pick(['arm64', 'x86_64'])],
      TracingConfig: { Mode: rng.pick(['Active', 'PassThrough']) },
      LoggingConfig: { LogGroup: Ref(log), LogFormat: 'JSON' },
      Environment: { Variables: vars },
      VpcConfig:
        t.ctx.subnetsPrivate.length && t.ctx.sgs.length && rng.chance(0.5)
          ? { SubnetIds: t.ctx.subnetsPrivate.map(Ref), SecurityGroupIds: [GetAtt(rng.pick(t.ctx.sgs), 'GroupId')] }
          : undefined,
      ReservedConcurrentExecutions: rng.chance(0.3) ? rng.pick([5, 10, 50]) : undefined,
      Tags: t.tags({ Function: purpose }),
    },
  }, `${purpose}Function`);
  if (!inline && t.style === 'yaml') t.parameters.ArtifactBucketName = { Type: 'String', Description: 'Bucket holding deployment artifacts', Default: `${t.app}-artifacts` };
  if (rng.chance(0.5)) {
    const alarm = t.id(`${purpose}FunctionErrorsAlarm`, `${purpose}Function/ErrorsAlarm`);
    t.add(alarm, {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `${purpose} function errors`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: Ref(id) }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: rng.pick([1, 2, 3]),
        Threshold: rng.pick([1, 5, 10]),
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: t.ctx.topics.length ? [Ref(rng.pick(t.ctx.topics))] : [],
      },
    }, `${purpose}Function/ErrorsAlarm`);
  }
}

function cfnMessaging(t, rng) {
  const purpose = rng.pick(QUEUE_PURPOSES);
  const P = pascal(purpose);
  const dlq = t.id(`${P}DeadLetterQueue`, `${P}/DLQ`);
  const key = t.ctx.keys.length ? Ref(rng.pick(t.ctx.keys)) : 'alias/aws/sqs';
  t.add(dlq, { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600, KmsMasterKeyId: key, Tags: t.tags() } }, `${P}/DLQ`);
  const q = t.id(`${P}Queue`, `${P}/Queue`);
  t.add(q, {
    Type: 'AWS::SQS::Queue',
    Properties: {
      VisibilityTimeout: rng.pick([30, 60, 300, 900]),
      KmsMasterKeyId: key,
      RedrivePolicy: { deadLetterTargetArn: GetAtt(dlq, 'Arn'), maxReceiveCount: rng.pick([3, 5, 10]) },
      Tags: t.tags(),
    },
  }, `${P}/Queue`);
  t.ctx.queues.push(q);
  const topic = t.id(`${P}Topic`, `${P}/Topic`);
  t.add(topic, { Type: 'AWS::SNS::Topic', Properties: { DisplayName: `${t.app} ${purpose}`, KmsMasterKeyId: 'alias/aws/sns', Tags: t.tags() } }, `${P}/Topic`);
  t.ctx.topics.push(topic);
  const sub = t.id(`${P}Subscription`, `${P}/Subscription`);
  t.add(sub, { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'sqs', TopicArn: Ref(topic), Endpoint: GetAtt(q, 'Arn'), RawMessageDelivery: true } }, `${P}/Subscription`);
  const qp = t.id(`${P}QueuePolicy`, `${P}/QueuePolicy`);
  t.add(qp, {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [Ref(q)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: GetAtt(q, 'Arn'), Condition: { ArnEquals: { 'aws:SourceArn': Ref(topic) } } }],
      },
    },
  }, `${P}/QueuePolicy`);
}

function cfnStateMachine(t, rng) {
  const purpose = rng.pick(['Training', 'BatchScoring', 'DataPrep', 'Retraining']);
  const role = cfnRole(t, rng, `${purpose}StateMachine`, t.style === 'cdk' ? Join('', ['states.', Ref('AWS::Region'), '.amazonaws.com']) : Sub('states.${AWS::Region}.amazonaws.com'));
  const id = t.id(`${purpose}StateMachine`, `${purpose}StateMachine`);
  const def = {
    Comment: `${purpose} pipeline for ${t.app}`,
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${PrepareFunctionArn}', 'Payload.$': '$' }, Retry: [{ ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }], Next: 'Train' },
      Train: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sagemaker:createTrainingJob.sync',
        Parameters: {
          'TrainingJobName.$': "States.Format('train-{}', $$.Execution.Name)",
          AlgorithmSpecification: { TrainingImage: '${TrainingImage}', TrainingInputMode: 'File' },
          RoleArn: '${SageMakerRoleArn}',
          ResourceConfig: { InstanceCount: 1, InstanceType: rng.pick(['ml.m5.xlarge', 'ml.c5.2xlarge', 'ml.g4dn.xlarge']), VolumeSizeInGB: 50 },
          StoppingCondition: { MaxRuntimeInSeconds: 86400 },
          OutputDataConfig: { S3OutputPath: 's3://${ArtifactBucket}/models/' },
        },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyFailure' }],
        Next: 'Evaluate',
      },
      Evaluate: { Type: 'Choice', Choices: [{ Variable: '$.metrics.auc', NumericGreaterThanEquals: 0.8, Next: 'Register' }], Default: 'NotifyFailure' },
      Register: { Type: 'Pass', End: true },
      NotifyFailure: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: '${AlertTopicArn}', 'Message.$': '$' }, End: true },
    },
  };
  const vars = {
    PrepareFunctionArn: t.arn('lambda', `function:${t.app}-prepare`),
    TrainingImage: `${rng.int(100000000000, 999999999999)}.dkr.ecr.us-east-1.amazonaws.com/${t.app}:latest`,
    SageMakerRoleArn: t.ctx.roles.length ? GetAtt(t.ctx.roles[0], 'Arn') : t.arn('iam', 'role/sagemaker'),
    ArtifactBucket: t.ctx.buckets.length ? Ref(t.ctx.buckets[0]) : `${t.app}-artifacts`,
    AlertTopicArn: t.ctx.topics.length ? Ref(t.ctx.topics[0]) : t.arn('sns', `${t.app}-alerts`),
  };
  t.add(id, {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      StateMachineName: t.style === 'cdk' ? undefined : Sub(`\${AWS::StackName}-${purpose.toLowerCase()}`),
      RoleArn: GetAtt(role, 'Arn'),
      DefinitionString: Sub(JSON.stringify(def, null, 2), vars),
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
      Tags: t.tags(),
    },
  }, `${purpose}StateMachine`);
}

function cfnDatabase(t, rng) {
  if (!t.ctx.subnetsPrivate.length) return cfnTable(t, rng);
  const sng = t.id('DatabaseSubnetGroup', 'Database/SubnetGroup');
  t.add(sng, { Type: 'AWS::RDS::DBSubnetGroup', Properties: { DBSubnetGroupDescription: 'Private subnets for the metadata database', SubnetIds: t.ctx.subnetsPrivate.map(Ref), Tags: t.tags() } }, 'Database/SubnetGroup');
  const sg = cfnSecurityGroup(t, rng, 'Database');
  const db = t.id('MetadataDatabase', 'Database/Instance');
  t.add(db, {
    Type: 'AWS::RDS::DBInstance',
    DeletionPolicy: 'Snapshot',
    UpdateReplacePolicy: 'Snapshot',
    Properties: {
      Engine: 'postgres',
      EngineVersion: rng.pick(['15.5', '16.2', '14.11']),
      DBInstanceClass: t.style === 'yaml' ? FindInMap('EnvironmentConfig', Ref('Environment'), 'DbInstanceClass') : 'db.t4g.medium',
      AllocatedStorage: String(rng.pick([20, 50, 100, 200])),
      StorageType: 'gp3',
      StorageEncrypted: true,
      KmsKeyId: t.ctx.keys.length ? Ref(rng.pick(t.ctx.keys)) : undefined,
      MultiAZ: t.style === 'yaml' ? If('IsProd', true, false) : rng.chance(0.5),
      DBSubnetGroupName: Ref(sng),
      VPCSecurityGroups: [GetAtt(sg, 'GroupId')],
      MasterUsername: 'metadata_admin',
      ManageMasterUserPassword: true,
      BackupRetentionPeriod: rng.pick([7, 14, 35]),
      DeletionProtection: true,
      EnablePerformanceInsights: true,
      CopyTagsToSnapshot: true,
      Tags: t.tags(),
    },
  }, 'Database/Instance');
}

function cfnLaunchTemplate(t, rng) {
  const id = t.id('WorkerLaunchTemplate', 'Workers/LaunchTemplate');
  const script = `#!/bin/bash
set -euxo pipefail
yum update -y
yum install -y amazon-cloudwatch-agent docker
systemctl enable --now docker
aws configure set default.region \${AWS::Region}
echo "STACK=\${AWS::StackName}" >> /etc/environment
echo "ENVIRONMENT=${t.env}" >> /etc/environment
/opt/aws/bin/cfn-signal -e $? --stack \${AWS::StackName} --resource ${id} --region \${AWS::Region}
`;
  t.add(id, {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateName: t.style === 'cdk' ? undefined : Sub('${AWS::StackName}-workers'),
      LaunchTemplateData: {
        ImageId: t.style === 'yaml' ? Ref('LatestAmiId') : '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}',
        InstanceType: rng.pick(['m5.large', 'c6i.xlarge', 't3.medium', 'm6g.large']),
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: rng.pick([20, 50, 100]), VolumeType: 'gp3', Encrypted: true } }],
        SecurityGroupIds: t.ctx.sgs.length ? [GetAtt(rng.pick(t.ctx.sgs), 'GroupId')] : undefined,
        UserData: Base64(Sub(script)),
        TagSpecifications: [{ ResourceType: 'instance', Tags: t.tags({ Role: 'worker' }) }],
      },
    },
  }, 'Workers/LaunchTemplate');
  if (t.style === 'yaml') t.parameters.LatestAmiId = { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' };
}

function cfnEcsTask(t, rng) {
  const id = t.id('InferenceTaskDefinition', 'Inference/TaskDef');
  const role = cfnRole(t, rng, 'InferenceTask', 'ecs-tasks.amazonaws.com');
  const env = [];
  for (const k of ['MODEL_NAME', 'MODEL_VERSION', 'BATCH_SIZE', 'WORKERS', 'LOG_LEVEL', 'FEATURE_STORE_GROUP']) env.push({ Name: k, Value: k === 'MODEL_NAME' ? t.app : String(rng.int(1, 64)) });
  t.add(id, {
    Type: 'AWS::ECS::TaskDefinition',
    Properties: {
      Family: `${t.app}-inference`,
      Cpu: String(rng.pick([256, 512, 1024, 2048])),
      Memory: String(rng.pick([512, 1024, 2048, 4096])),
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      ExecutionRoleArn: GetAtt(role, 'Arn'),
      TaskRoleArn: GetAtt(role, 'Arn'),
      ContainerDefinitions: [
        {
          Name: 'inference',
          Image: t.style === 'cdk' ? Join('', [Ref('AWS::AccountId'), '.dkr.ecr.', Ref('AWS::Region'), `.amazonaws.com/${t.app}:latest`]) : Sub(`\${AWS::AccountId}.dkr.ecr.\${AWS::Region}.amazonaws.com/${t.app}:latest`),
          Essential: true,
          PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
          Environment: env,
          HealthCheck: { Command: ['CMD-SHELL', 'curl -f http://localhost:8080/ping || exit 1'], Interval: 30, Timeout: 5, Retries: 3 },
          LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-group': `/ecs/${t.app}`, 'awslogs-region': Ref('AWS::Region'), 'awslogs-stream-prefix': 'inference' } },
          ReadonlyRootFilesystem: true,
        },
      ],
      Tags: t.tags(),
    },
  }, 'Inference/TaskDef');
}

const CFN_FILLERS = [
  [cfnBucket, 3], [cfnTable, 2], [cfnLambda, 3], [cfnMessaging, 2], [cfnKms, 1], [cfnStateMachine, 1],
  [cfnDatabase, 1], [cfnLaunchTemplate, 1], [cfnEcsTask, 1], [(t, r) => cfnSecurityGroup(t, r, r.pick(['App', 'Workers', 'Batch', 'Api'])), 1],
  [(t, r) => cfnRole(t, r, r.pick(['Glue', 'Batch', 'Pipeline', 'Analytics']), r.pick(['glue.amazonaws.com', 'batch.amazonaws.com', 'codepipeline.amazonaws.com'])), 1],
];

// --- SageMaker (CloudFormation) ---

function notebookMode(rng) {
  return rng.weighted([['enabled', 35], ['disabled', 40], ['absent', 25]]);
}
function domainMode(rng) {
  return rng.weighted([['vpconly', 45], ['public', 30], ['absent', 25]]);
}

function cfnSubnetRef(t, rng) {
  if (t.ctx.subnetsPrivate.length) return Ref(rng.pick(t.ctx.subnetsPrivate));
  if (t.style === 'yaml') {
    t.parameters.NotebookSubnetId ??= { Type: 'AWS::EC2::Subnet::Id', Default: `subnet-${rng.hex(17)}`, Description: 'Private subnet for notebook instances' };
    return Ref('NotebookSubnetId');
  }
  return `subnet-${rng.hex(17)}`;
}

function cfnSageMaker(t, rng, nNotebooks, withDomain) {
  t.section('SageMaker');
  const role = cfnRole(t, rng, 'SageMakerExecution', 'sagemaker.amazonaws.com');
  let lc = null;
  if (rng.chance(0.5)) {
    lc = t.id('NotebookLifecycleConfig', 'Notebooks/LifecycleConfig');
    t.add(lc, {
      Type: 'AWS::SageMaker::NotebookInstanceLifecycleConfig',
      Properties: { NotebookInstanceLifecycleConfigName: t.style === 'cdk' ? `${t.app}-autostop` : Sub('${AWS::StackName}-autostop'), OnStart: [{ Content: Base64(SHELL_LIFECYCLE) }] },
    }, 'Notebooks/LifecycleConfig');
  }
  const names = rng.pickN(NOTEBOOK_NAMES, nNotebooks);
  for (const n of names) {
    const mode = notebookMode(rng);
    const id = t.id(`${n}Notebook`, `Notebooks/${n}`);
    const props = {
      NotebookInstanceName: t.style === 'cdk' ? `${t.app}-${snake(n).replace(/_/g, '-')}` : Sub(`\${AWS::StackName}-${snake(n).replace(/_/g, '-')}`),
      InstanceType: t.style === 'yaml' && rng.chance(0.5) ? FindInMap('EnvironmentConfig', Ref('Environment'), 'NotebookInstanceType') : rng.pick(NOTEBOOK_TYPES),
      RoleArn: GetAtt(role, 'Arn'),
      VolumeSizeInGB: rng.pick([5, 10, 20, 50, 100]),
      PlatformIdentifier: rng.pick(['notebook-al2-v2', 'notebook-al2-v3']),
    };
    if (t.ctx.keys.length && rng.chance(0.6)) props.KmsKeyId = Ref(rng.pick(t.ctx.keys));
    const withSubnet = mode === 'disabled' || rng.chance(0.4);
    if (withSubnet) {
      props.SubnetId = cfnSubnetRef(t, rng);
      props.SecurityGroupIds = [t.ctx.sgs.length ? GetAtt(rng.pick(t.ctx.sgs), 'GroupId') : cfnSecurityGroupFor(t, rng)];
    }
    if (mode === 'enabled') props.DirectInternetAccess = 'Enabled';
    if (mode === 'disabled') props.DirectInternetAccess = 'Disabled';
    props.RootAccess = rng.pick(['Enabled', 'Disabled']);
    if (lc) props.LifecycleConfigName = GetAtt(lc, 'NotebookInstanceLifecycleConfigName');
    if (rng.chance(0.4)) props.InstanceMetadataServiceConfiguration = { MinimumInstanceMetadataServiceVersion: rng.pick(['1', '2']) };
    if (rng.chance(0.3)) props.DefaultCodeRepository = `https://github.com/example-org/${t.app}-notebooks.git`;
    props.Tags = t.tags({ Notebook: n });
    // Shuffle DirectInternetAccess away from a fixed position: rebuild keys in a random order
    // while keeping Tags last.
    const keys = Object.keys(props).filter((k) => k !== 'Tags');
    const ordered = {};
    for (const k of rng.pickN(keys, keys.length)) ordered[k] = props[k];
    ordered.Tags = props.Tags;
    t.add(id, { Type: 'AWS::SageMaker::NotebookInstance', Properties: ordered }, `Notebooks/${n}`);
    t.notebooks.push({ id, mode, expected: mode === 'disabled' ? 'pass' : 'fail' });
    t.outputs[`${id}Name`] = { Description: `Name of the ${n} notebook instance`, Value: GetAtt(id, 'NotebookInstanceName') };
  }
  if (withDomain) {
    const mode = domainMode(rng);
    const id = t.id('StudioDomain', 'Studio/Domain');
    const subnets = t.ctx.subnetsPrivate.length ? t.ctx.subnetsPrivate.map(Ref) : [cfnSubnetRef(t, rng)];
    const props = {
      DomainName: t.style === 'cdk' ? `${t.app}-studio` : Sub('${AWS::StackName}-studio'),
      AuthMode: rng.pick(['IAM', 'SSO']),
      DefaultUserSettings: {
        ExecutionRole: GetAtt(role, 'Arn'),
        SecurityGroups: t.ctx.sgs.length ? [GetAtt(rng.pick(t.ctx.sgs), 'GroupId')] : undefined,
        JupyterServerAppSettings: { DefaultResourceSpec: { InstanceType: 'system' } },
        SharingSettings: { NotebookOutputOption: rng.pick(['Allowed', 'Disabled']) },
      },
      VpcId: cfnVpcRef(t, rng),
      SubnetIds: subnets,
    };
    if (mode === 'vpconly') props.AppNetworkAccessType = 'VpcOnly';
    if (mode === 'public') props.AppNetworkAccessType = 'PublicInternetOnly';
    if (t.ctx.keys.length) props.KmsKeyId = Ref(rng.pick(t.ctx.keys));
    props.Tags = t.tags();
    t.add(id, { Type: 'AWS::SageMaker::Domain', Properties: props }, 'Studio/Domain');
    t.domains.push({ id, mode, expected: mode === 'vpconly' ? 'pass' : 'fail' });
    for (const u of rng.pickN(['alice', 'bob', 'carol', 'dave', 'erin'], rng.int(1, 3))) {
      const up = t.id(`${pascal(u)}UserProfile`, `Studio/${u}`);
      t.add(up, { Type: 'AWS::SageMaker::UserProfile', Properties: { DomainId: GetAtt(id, 'DomainId'), UserProfileName: u, UserSettings: { ExecutionRole: GetAtt(role, 'Arn') } } }, `Studio/${u}`);
    }
    t.outputs.StudioDomainId = { Description: 'SageMaker Studio domain id', Value: GetAtt(id, 'DomainId') };
  }
}
function cfnVpcRef(t, rng) {
  if (t.ctx.vpc) return Ref(t.ctx.vpc);
  if (t.style === 'cdk') return (t.ctx.vpcLiteral ??= `vpc-${rng.hex(17)}`);
  t.parameters.VpcId ??= { Type: 'AWS::EC2::VPC::Id', Default: `vpc-${rng.hex(17)}`, Description: 'VPC of the workload' };
  return Ref('VpcId');
}
function cfnSecurityGroupFor(t, rng) {
  return GetAtt(cfnSecurityGroup(t, rng, 'Notebook'), 'GroupId');
}

function generateCfn(rng, style, index) {
  const app = rng.pick(APPS);
  const env = rng.pick(ENVS);
  const stackName = style === 'cdk' ? `${pascal(app)}${pascal(env)}Stack` : `${app}-${env}`;
  const t = new CfnTemplate(rng, style, stackName);
  t.app = app;
  t.env = env;
  t.team = rng.pick(TEAMS);
  t.costCenter = rng.pick(COST_CENTERS);
  t.description = `${pascal(app)} ${rng.pick(['workload', 'platform', 'infrastructure', 'service'])} for the ${t.team} team (${env})`;
  if (style === 'yaml') {
    t.parameters.Environment = { Type: 'String', Default: env, AllowedValues: ENVS, Description: 'Deployment environment' };
    t.parameters.ProjectName = { Type: 'String', Default: app, MinLength: 3, MaxLength: 32, AllowedPattern: '^[a-z][a-z0-9-]*$' };
    t.conditions.IsProd = Equals(Ref('Environment'), 'prod');
    t.conditions.IsNotProd = Not(CondRef('IsProd'));
    t.mappings.EnvironmentConfig = {};
    for (const e of ENVS) {
      t.mappings.EnvironmentConfig[e] = {
        NotebookInstanceType: e === 'prod' ? 'ml.m5.xlarge' : 'ml.t3.medium',
        DbInstanceClass: e === 'prod' ? 'db.r6g.large' : 'db.t4g.medium',
        LogRetentionDays: e === 'prod' ? 365 : 30,
      };
    }
    if (rng.chance(0.5)) {
      t.mappings.RegionConfig = {};
      for (const r of REGIONS) t.mappings.RegionConfig[r] = { AmiAlias: `/aws/service/ami-${r}`, Enabled: 'true' };
    }
    t.metadata = {
      'AWS::CloudFormation::Interface': {
        ParameterGroups: [{ Label: { default: 'Deployment' }, Parameters: ['Environment', 'ProjectName'] }],
        ParameterLabels: { Environment: { default: 'Which environment is this?' } },
      },
    };
  } else {
    t.parameters.BootstrapVersion = { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version', Description: 'Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]' };
  }
  const target = rng.int(MIN_BYTES + 512, MAX_BYTES - 7 * 1024);
  const nNotebooks = rng.weighted([[1, 40], [2, 30], [3, 20], [4, 10]]);
  const withDomain = rng.chance(0.3);
  // Networking first (70%), a random number of filler groups, then SageMaker, then more filler.
  if (rng.chance(0.7)) cfnNetwork(t, rng);
  if (rng.chance(0.5)) cfnKms(t, rng);
  const before = rng.int(0, 3);
  for (let i = 0; i < before; i++) rng.weighted(CFN_FILLERS)(t, rng);
  cfnSageMaker(t, rng, nNotebooks, withDomain);
  t.section('Application');
  while (t.size < target) rng.weighted(CFN_FILLERS)(t, rng);
  if (style === 'cdk') {
    t.conditions.CDKMetadataAvailable = Or(...REGIONS.slice(0, 6).map((r) => Equals(Ref('AWS::Region'), r)));
    t.resources.push({
      id: 'CDKMetadata',
      body: {
        Type: 'AWS::CDK::Metadata',
        Properties: { Analytics: `v2:deflate64:H4sIAAAAAAAA/${rng.hex(96)}` },
        Metadata: { 'aws:cdk:path': `${stackName}/CDKMetadata/Default` },
        Condition: 'CDKMetadataAvailable',
      },
    });
  }
  if (t.ctx.vpc) t.outputs.VpcId = { Description: 'VPC id', Value: Ref(t.ctx.vpc), Export: { Name: style === 'cdk' ? `${stackName}:VpcId` : Sub('${AWS::StackName}-VpcId') } };
  for (const b of t.ctx.buckets.slice(0, 3)) t.outputs[`${b}Name`] = { Value: Ref(b) };
  return { text: t.render(), notebooks: t.notebooks, domains: t.domains };
}
const CondRef = (name) => new Fn('Condition', name);

// ---------------------------------------------------------------------------------------------
// Terraform (HCL) writer
// ---------------------------------------------------------------------------------------------

class Raw {
  constructor(s) {
    this.s = s;
  }
}
const raw = (s) => new Raw(s);
class Block {
  constructor(type, labels, body) {
    this.type = type;
    this.labels = labels;
    this.body = body; // array of [key, value] | Block
  }
}
const blk = (type, labels, body) => new Block(type, labels, body);

function hclString(s) {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}
function hclKey(k) {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : hclString(k);
}
function hclValue(v, indent) {
  if (v instanceof Raw) return v.s;
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const parts = v.map((x) => hclValue(x, indent + 2));
    const line = `[${parts.join(', ')}]`;
    if (line.length < 90 && !line.includes('\n')) return line;
    return `[\n${parts.map((p) => pad + p + ',').join('\n')}\n${end}]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${hclAttrs(entries, indent + 2)}${end}}`;
}
/** Consecutive single-line attributes get their "=" aligned, as terraform fmt does. */
function hclAttrs(entries, indent) {
  const pad = ' '.repeat(indent);
  const rendered = entries.map(([k, v]) => [hclKey(k), hclValue(v, indent)]);
  let out = '';
  let i = 0;
  while (i < rendered.length) {
    let j = i;
    while (j < rendered.length && !rendered[j][1].includes('\n')) j++;
    if (j === i) j = i + 1;
    const width = Math.max(...rendered.slice(i, j).map(([k]) => k.length));
    for (let x = i; x < j; x++) out += `${pad}${rendered[x][0].padEnd(width)} = ${rendered[x][1]}\n`;
    i = j;
  }
  return out;
}
function hclBlock(b, indent) {
  const pad = ' '.repeat(indent);
  const head = `${pad}${b.type}${b.labels.map((l) => ' ' + hclString(l)).join('')} {\n`;
  let out = head;
  let attrs = [];
  let prevWasBlock = false;
  const flush = () => {
    if (attrs.length) {
      out += hclAttrs(attrs, indent + 2);
      attrs = [];
    }
  };
  for (const item of b.body) {
    if (!item) continue;
    if (item instanceof Block) {
      flush();
      if (out !== head || prevWasBlock) out += '\n';
      out += hclBlock(item, indent + 2);
      prevWasBlock = true;
    } else {
      if (item[1] === undefined) continue;
      if (prevWasBlock) out += '\n';
      prevWasBlock = false;
      attrs.push(item);
    }
  }
  flush();
  return out + `${pad}}\n`;
}
function heredoc(text, marker = 'EOT') {
  if (!text.endsWith('\n')) text += '\n';
  return raw(`<<-${marker}\n${text
    .split('\n')
    .map((l) => (l ? '    ' + l : l))
    .join('\n')}  ${marker}`);
}
/** fn(<<-EOT ... EOT) — the end marker must be alone on its line, so the ")" goes on the next. */
function heredocCall(fn, text, marker = 'EOT') {
  return raw(`${fn}(${heredoc(text, marker).s}\n  )`);
}

class TfModule {
  constructor(rng, app, env) {
    this.rng = rng;
    this.app = app;
    this.env = env;
    this.blocks = []; // {block, comment}
    this.names = new Set();
    this.size = 0;
    this.ctx = { vpc: null, subnetsPrivate: null, subnetsPublic: null, sgs: [], roles: [], keys: [], buckets: [], tables: [], queues: [], topics: [] };
    this.notebooks = [];
    this.domains = [];
    this.variables = [];
  }
  name(base) {
    let n = base;
    let i = 2;
    while (this.names.has(n)) n = `${base}_${i++}`;
    this.names.add(n);
    return n;
  }
  add(block, comment) {
    const text = hclBlock(block, 0);
    this.blocks.push({ text, comment });
    this.size += text.length + 1 + (comment ? comment.length + 6 : 0);
  }
  render(header) {
    let out = header;
    for (const b of this.blocks) {
      if (b.comment) out += `\n# ${'-'.repeat(70)}\n# ${b.comment}\n# ${'-'.repeat(70)}\n`;
      out += '\n' + b.text;
    }
    return out;
  }
}

function tfPolicyDoc(m, rng, name) {
  const statements = [];
  for (const svc of rng.pickN(Object.keys(ACTIONS), rng.int(2, 4))) {
    let resources = ['*'];
    if (svc === 's3' && m.ctx.buckets.length) {
      const b = rng.pick(m.ctx.buckets);
      resources = [raw(`aws_s3_bucket.${b}.arn`), `\${aws_s3_bucket.${b}.arn}/*`];
    } else if (svc === 'dynamodb' && m.ctx.tables.length) {
      const tb = rng.pick(m.ctx.tables);
      resources = [raw(`aws_dynamodb_table.${tb}.arn`), `\${aws_dynamodb_table.${tb}.arn}/index/*`];
    } else if (svc === 'kms' && m.ctx.keys.length) {
      resources = [raw(`aws_kms_key.${rng.pick(m.ctx.keys)}.arn`)];
    } else if (svc === 'logs') {
      resources = ['arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*'];
    }
    const body = [
      ['sid', pascal(svc) + 'Access'],
      ['effect', 'Allow'],
      ['actions', rng.pickN(ACTIONS[svc], rng.int(2, ACTIONS[svc].length))],
      ['resources', resources],
    ];
    if (svc === 'kms' && rng.chance(0.5)) body.push(blk('condition', [], [['test', 'StringEquals'], ['variable', 'kms:ViaService'], ['values', ['s3.${var.region}.amazonaws.com']]]));
    statements.push(blk('statement', [], body));
  }
  m.add(blk('data', ['aws_iam_policy_document', name], statements));
}

function tfRole(m, rng, purpose, service) {
  const n = m.name(snake(purpose));
  m.add(
    blk('resource', ['aws_iam_role', n], [
      ['name', `\${local.name_prefix}-${n.replace(/_/g, '-')}`],
      ['path', rng.pick(['/', '/service-role/'])],
      ['assume_role_policy', raw(`jsonencode(${hclValue({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] }, 2)})`)],
      ['max_session_duration', rng.pick([3600, 7200, 43200])],
      ['tags', raw('local.common_tags')],
    ]),
  );
  tfPolicyDoc(m, rng, `${n}_inline`);
  m.add(blk('resource', ['aws_iam_role_policy', `${n}_inline`], [['name', `${n}-inline`], ['role', raw(`aws_iam_role.${n}.id`)], ['policy', raw(`data.aws_iam_policy_document.${n}_inline.json`)]]));
  const managed = rng.pickN(MANAGED_POLICIES, rng.int(1, 3));
  m.add(
    blk('resource', ['aws_iam_role_policy_attachment', `${n}_managed`], [
      ['for_each', raw(`toset(${hclValue(managed.map((p) => `arn:aws:iam::aws:policy/${p}`), 2)})`)],
      ['role', raw(`aws_iam_role.${n}.name`)],
      ['policy_arn', raw('each.value')],
    ]),
  );
  m.ctx.roles.push(n);
  return n;
}

function tfNetwork(m, rng) {
  m.add(
    blk('resource', ['aws_vpc', 'main'], [
      ['cidr_block', raw('var.vpc_cidr')],
      ['enable_dns_hostnames', true],
      ['enable_dns_support', true],
      ['tags', raw('merge(local.common_tags, { Name = "${local.name_prefix}-vpc" })')],
    ]),
    'Networking',
  );
  m.variables.push(['vpc_cidr', 'string', `10.${rng.int(0, 250)}.0.0/16`, 'CIDR block of the VPC']);
  m.ctx.vpc = 'main';
  m.add(blk('resource', ['aws_internet_gateway', 'main'], [['vpc_id', raw('aws_vpc.main.id')], ['tags', raw('merge(local.common_tags, { Name = "${local.name_prefix}-igw" })')]]));
  for (const kind of ['public', 'private']) {
    m.add(
      blk('resource', ['aws_subnet', kind], [
        ['count', raw('length(local.azs)')],
        ['vpc_id', raw('aws_vpc.main.id')],
        ['cidr_block', raw(`cidrsubnet(var.vpc_cidr, 4, count.index${kind === 'private' ? ' + length(local.azs)' : ''})`)],
        ['availability_zone', raw('local.azs[count.index]')],
        ['map_public_ip_on_launch', kind === 'public'],
        ['tags', raw(`merge(local.common_tags, {\n    Name = "\${local.name_prefix}-${kind}-\${local.azs[count.index]}"\n    Tier = "${kind}"\n  })`)],
      ]),
    );
  }
  m.ctx.subnetsPrivate = 'private';
  m.ctx.subnetsPublic = 'public';
  m.add(blk('resource', ['aws_route_table', 'public'], [['vpc_id', raw('aws_vpc.main.id')], blk('route', [], [['cidr_block', '0.0.0.0/0'], ['gateway_id', raw('aws_internet_gateway.main.id')]]), ['tags', raw('local.common_tags')]]));
  m.add(blk('resource', ['aws_route_table_association', 'public'], [['count', raw('length(local.azs)')], ['subnet_id', raw('aws_subnet.public[count.index].id')], ['route_table_id', raw('aws_route_table.public.id')]]));
  if (rng.chance(0.6)) {
    m.variables.push(['enable_nat_gateway', 'bool', true, 'Create a NAT gateway for the private subnets']);
    m.add(blk('resource', ['aws_eip', 'nat'], [['count', raw('var.enable_nat_gateway ? 1 : 0')], ['domain', 'vpc'], ['tags', raw('local.common_tags')]]));
    m.add(blk('resource', ['aws_nat_gateway', 'main'], [['count', raw('var.enable_nat_gateway ? 1 : 0')], ['allocation_id', raw('aws_eip.nat[0].id')], ['subnet_id', raw('aws_subnet.public[0].id')], ['tags', raw('local.common_tags')], ['depends_on', raw('[aws_internet_gateway.main]')]]));
    m.add(blk('resource', ['aws_route_table', 'private'], [['vpc_id', raw('aws_vpc.main.id')], ['tags', raw('local.common_tags')]]));
    m.add(blk('resource', ['aws_route', 'private_nat'], [['count', raw('var.enable_nat_gateway ? 1 : 0')], ['route_table_id', raw('aws_route_table.private.id')], ['destination_cidr_block', '0.0.0.0/0'], ['nat_gateway_id', raw('aws_nat_gateway.main[0].id')]]));
    m.add(blk('resource', ['aws_route_table_association', 'private'], [['count', raw('length(local.azs)')], ['subnet_id', raw('aws_subnet.private[count.index].id')], ['route_table_id', raw('aws_route_table.private.id')]]));
  }
  if (rng.chance(0.5)) {
    const sg = tfSecurityGroup(m, rng, 'vpc_endpoints');
    m.add(
      blk('resource', ['aws_vpc_endpoint', 'interface'], [
        ['for_each', raw(`toset(${hclValue(rng.pickN(['sagemaker.api', 'sagemaker.runtime', 'sts', 'logs', 'ecr.api', 'ecr.dkr'], rng.int(2, 4)), 2)})`)],
        ['vpc_id', raw('aws_vpc.main.id')],
        ['service_name', 'com.amazonaws.${var.region}.${each.value}'],
        ['vpc_endpoint_type', 'Interface'],
        ['private_dns_enabled', true],
        ['subnet_ids', raw('aws_subnet.private[*].id')],
        ['security_group_ids', raw(`[aws_security_group.${sg}.id]`)],
        ['tags', raw('merge(local.common_tags, { Name = "${local.name_prefix}-${each.value}" })')],
      ]),
    );
  }
}

function tfSecurityGroup(m, rng, purpose) {
  const n = m.name(snake(purpose));
  const body = [
    ['name_prefix', `\${local.name_prefix}-${n.replace(/_/g, '-')}-`],
    ['description', `${purpose.replace(/_/g, ' ')} security group`],
    ['vpc_id', raw(tfVpcRef(m))],
  ];
  if (rng.chance(0.5)) {
    const varName = `${n}_ingress_cidrs`;
    if (!m.variables.some((v) => v[0] === varName)) m.variables.push([varName, 'list(string)', ['10.0.0.0/8'], `CIDR blocks allowed to reach ${purpose}`]);
    body.push(blk('dynamic', ['ingress'], [['for_each', raw(`var.${varName}`)], blk('content', [], [['description', 'HTTPS from ${ingress.value}'], ['from_port', 443], ['to_port', 443], ['protocol', 'tcp'], ['cidr_blocks', raw('[ingress.value]')]])]));
  } else {
    for (let i = 0, k = rng.int(1, 3); i < k; i++) {
      const port = rng.pick([443, 80, 8080, 5432, 6379]);
      body.push(blk('ingress', [], [['description', `${purpose} ${port}`], ['from_port', port], ['to_port', port], ['protocol', 'tcp'], ['cidr_blocks', [rng.pick(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])]]]));
    }
  }
  body.push(blk('egress', [], [['from_port', 0], ['to_port', 0], ['protocol', '-1'], ['cidr_blocks', ['0.0.0.0/0']]]));
  body.push(['tags', raw('local.common_tags')]);
  body.push(blk('lifecycle', [], [['create_before_destroy', true]]));
  m.add(blk('resource', ['aws_security_group', n], body));
  m.ctx.sgs.push(n);
  return n;
}

function tfKms(m, rng) {
  const n = m.name(rng.pick(['data', 'notebook', 'logs', 'artifacts']));
  m.add(
    blk('resource', ['aws_kms_key', n], [
      ['description', `Customer managed key for ${n} encryption`],
      ['enable_key_rotation', true],
      ['deletion_window_in_days', rng.pick([7, 14, 30])],
      ['policy', heredoc(JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'EnableRootAccess', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::${data.aws_caller_identity.current.account_id}:root' }, Action: 'kms:*', Resource: '*' },
          { Sid: 'AllowCloudWatchLogs', Effect: 'Allow', Principal: { Service: 'logs.${var.region}.amazonaws.com' }, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'], Resource: '*' },
        ],
      }, null, 2), 'POLICY')],
      ['tags', raw('local.common_tags')],
    ]),
  );
  m.add(blk('resource', ['aws_kms_alias', n], [['name', `alias/\${local.name_prefix}-${n}`], ['target_key_id', raw(`aws_kms_key.${n}.key_id`)]]));
  m.ctx.keys.push(n);
}

function tfBucket(m, rng) {
  const n = m.name(rng.pick(BUCKET_PURPOSES));
  m.add(blk('resource', ['aws_s3_bucket', n], [['bucket', `\${local.name_prefix}-${n.replace(/_/g, '-')}-\${data.aws_caller_identity.current.account_id}`], ['force_destroy', raw('var.environment != "prod"')], ['tags', raw(`merge(local.common_tags, { DataClassification = "${rng.pick(['internal', 'confidential', 'restricted'])}" })`)]]));
  m.add(blk('resource', ['aws_s3_bucket_versioning', n], [['bucket', raw(`aws_s3_bucket.${n}.id`)], blk('versioning_configuration', [], [['status', raw('var.environment == "prod" ? "Enabled" : "Suspended"')]])]));
  const key = m.ctx.keys.length ? rng.pick(m.ctx.keys) : null;
  m.add(
    blk('resource', ['aws_s3_bucket_server_side_encryption_configuration', n], [
      ['bucket', raw(`aws_s3_bucket.${n}.id`)],
      blk('rule', [], [blk('apply_server_side_encryption_by_default', [], key ? [['sse_algorithm', 'aws:kms'], ['kms_master_key_id', raw(`aws_kms_key.${key}.arn`)]] : [['sse_algorithm', 'AES256']]), ['bucket_key_enabled', !!key]]),
    ]),
  );
  m.add(blk('resource', ['aws_s3_bucket_public_access_block', n], [['bucket', raw(`aws_s3_bucket.${n}.id`)], ['block_public_acls', true], ['block_public_policy', true], ['ignore_public_acls', true], ['restrict_public_buckets', true]]));
  m.add(
    blk('resource', ['aws_s3_bucket_lifecycle_configuration', n], [
      ['bucket', raw(`aws_s3_bucket.${n}.id`)],
      blk('rule', [], [
        ['id', `${n}-tiering`],
        ['status', 'Enabled'],
        blk('filter', [], [['prefix', rng.pick(['', 'raw/', 'tmp/', 'exports/'])]]),
        blk('transition', [], [['days', rng.pick([30, 45, 60])], ['storage_class', 'STANDARD_IA']]),
        blk('transition', [], [['days', rng.pick([90, 180])], ['storage_class', 'GLACIER']]),
        blk('noncurrent_version_expiration', [], [['noncurrent_days', rng.pick([30, 90, 365])]]),
      ]),
      blk('rule', [], [['id', 'abort-incomplete-uploads'], ['status', 'Enabled'], blk('filter', [], []), blk('abort_incomplete_multipart_upload', [], [['days_after_initiation', 7]])]),
    ]),
  );
  m.add(
    blk('resource', ['aws_s3_bucket_policy', n], [
      ['bucket', raw(`aws_s3_bucket.${n}.id`)],
      ['policy', raw(`jsonencode(${hclValue({
        Version: '2012-10-17',
        Statement: [{ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [raw(`aws_s3_bucket.${n}.arn`), `\${aws_s3_bucket.${n}.arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      }, 2)})`)],
    ]),
  );
  m.ctx.buckets.push(n);
}

function tfTable(m, rng) {
  const n = m.name(snake(rng.pick(TABLE_PURPOSES)));
  const body = [
    ['name', `\${local.name_prefix}-${n}`],
    ['billing_mode', 'PAY_PER_REQUEST'],
    ['hash_key', 'pk'],
    ['range_key', 'sk'],
    blk('attribute', [], [['name', 'pk'], ['type', 'S']]),
    blk('attribute', [], [['name', 'sk'], ['type', 'S']]),
  ];
  const nGsi = rng.int(0, 2);
  for (let i = 1; i <= nGsi; i++) body.push(blk('attribute', [], [['name', `gsi${i}pk`], ['type', rng.pick(['S', 'N'])]]));
  for (let i = 1; i <= nGsi; i++) body.push(blk('global_secondary_index', [], [['name', `gsi${i}`], ['hash_key', `gsi${i}pk`], ['range_key', 'sk'], ['projection_type', rng.pick(['ALL', 'KEYS_ONLY'])]]));
  body.push(blk('point_in_time_recovery', [], [['enabled', raw('var.environment == "prod"')]]));
  body.push(blk('server_side_encryption', [], m.ctx.keys.length ? [['enabled', true], ['kms_key_arn', raw(`aws_kms_key.${rng.pick(m.ctx.keys)}.arn`)]] : [['enabled', true]]));
  body.push(blk('ttl', [], [['attribute_name', 'expires_at'], ['enabled', rng.chance(0.5)]]));
  body.push(['tags', raw('local.common_tags')]);
  m.add(blk('resource', ['aws_dynamodb_table', n], body));
  m.ctx.tables.push(n);
}

function tfLambda(m, rng) {
  const purpose = rng.pick(LAMBDA_PURPOSES);
  const role = tfRole(m, rng, `${purpose}_function`, 'lambda.amazonaws.com');
  const n = m.name(snake(purpose));
  const snippet = rng.pick(PY_SNIPPETS)(purpose);
  const isNode = snippet.includes('exports.handler');
  m.add(
    blk('data', ['archive_file', n], [
      ['type', 'zip'],
      ['output_path', `\${path.module}/build/${n}.zip`],
      blk('source', [], [['content', heredoc(snippet.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{'), 'PY')], ['filename', isNode ? 'index.js' : 'index.py']]),
    ]),
  );
  m.add(blk('resource', ['aws_cloudwatch_log_group', n], [['name', `/aws/lambda/\${local.name_prefix}-${n}`], ['retention_in_days', raw('var.environment == "prod" ? 365 : 30')], ['kms_key_id', m.ctx.keys.length ? raw(`aws_kms_key.${rng.pick(m.ctx.keys)}.arn`) : undefined], ['tags', raw('local.common_tags')]]));
  const vars = { LOG_LEVEL: raw('var.environment == "prod" ? "INFO" : "DEBUG"'), POWERTOOLS_SERVICE_NAME: n };
  if (m.ctx.tables.length) vars.TABLE_NAME = raw(`aws_dynamodb_table.${rng.pick(m.ctx.tables)}.name`);
  if (m.ctx.topics.length) vars.TOPIC_ARN = raw(`aws_sns_topic.${rng.pick(m.ctx.topics)}.arn`);
  const body = [
    ['function_name', `\${local.name_prefix}-${n}`],
    ['description', `${purpose} function for ${m.app}`],
    ['role', raw(`aws_iam_role.${role}.arn`)],
    ['runtime', isNode ? 'nodejs20.x' : rng.pick(['python3.11', 'python3.12'])],
    ['handler', 'index.handler'],
    ['filename', raw(`data.archive_file.${n}.output_path`)],
    ['source_code_hash', raw(`data.archive_file.${n}.output_base64sha256`)],
    ['memory_size', rng.pick([128, 256, 512, 1024])],
    ['timeout', rng.pick([10, 30, 60, 300])],
    ['architectures', [rng.pick(['arm64', 'x86_64'])]],
    blk('environment', [], [['variables', vars]]),
    blk('tracing_config', [], [['mode', rng.pick(['Active', 'PassThrough'])]]),
  ];
  if (m.ctx.subnetsPrivate && m.ctx.sgs.length && rng.chance(0.5)) body.push(blk('vpc_config', [], [['subnet_ids', raw('aws_subnet.private[*].id')], ['security_group_ids', raw(`[aws_security_group.${rng.pick(m.ctx.sgs)}.id]`)]]));
  body.push(['tags', raw('local.common_tags')]);
  body.push(['depends_on', raw(`[aws_cloudwatch_log_group.${n}]`)]);
  m.add(blk('resource', ['aws_lambda_function', n], body));
  if (rng.chance(0.5)) {
    m.add(
      blk('resource', ['aws_cloudwatch_metric_alarm', `${n}_errors`], [
        ['alarm_name', `\${local.name_prefix}-${n}-errors`],
        ['namespace', 'AWS/Lambda'],
        ['metric_name', 'Errors'],
        ['dimensions', { FunctionName: raw(`aws_lambda_function.${n}.function_name`) }],
        ['statistic', 'Sum'],
        ['period', 300],
        ['evaluation_periods', rng.pick([1, 2, 3])],
        ['threshold', rng.pick([1, 5, 10])],
        ['comparison_operator', 'GreaterThanOrEqualToThreshold'],
        ['treat_missing_data', 'notBreaching'],
        ['alarm_actions', m.ctx.topics.length ? raw(`[aws_sns_topic.${rng.pick(m.ctx.topics)}.arn]`) : []],
      ]),
    );
  }
}

function tfMessaging(m, rng) {
  const n = m.name(snake(rng.pick(QUEUE_PURPOSES)));
  const queues = rng.pickN(['high', 'default', 'low', 'bulk', 'priority'], rng.int(2, 3));
  m.add(
    blk('resource', ['aws_sqs_queue', `${n}_dlq`], [['for_each', raw(`toset(${hclValue(queues, 2)})`)], ['name', `\${local.name_prefix}-${n.replace(/_/g, '-')}-\${each.key}-dlq`], ['message_retention_seconds', 1209600], ['kms_master_key_id', 'alias/aws/sqs'], ['tags', raw('local.common_tags')]]),
  );
  m.add(
    blk('resource', ['aws_sqs_queue', n], [
      ['for_each', raw(`toset(${hclValue(queues, 2)})`)],
      ['name', `\${local.name_prefix}-${n.replace(/_/g, '-')}-\${each.key}`],
      ['visibility_timeout_seconds', rng.pick([30, 60, 300])],
      ['kms_master_key_id', 'alias/aws/sqs'],
      ['redrive_policy', raw(`jsonencode({\n    deadLetterTargetArn = aws_sqs_queue.${n}_dlq[each.key].arn\n    maxReceiveCount     = ${rng.pick([3, 5, 10])}\n  })`)],
      ['tags', raw('local.common_tags')],
    ]),
  );
  m.ctx.queues.push(n);
  m.add(blk('resource', ['aws_sns_topic', n], [['name', `\${local.name_prefix}-${n.replace(/_/g, '-')}`], ['kms_master_key_id', 'alias/aws/sns'], ['tags', raw('local.common_tags')]]));
  m.ctx.topics.push(n);
  m.add(blk('resource', ['aws_sns_topic_subscription', n], [['for_each', raw(`aws_sqs_queue.${n}`)], ['topic_arn', raw(`aws_sns_topic.${n}.arn`)], ['protocol', 'sqs'], ['endpoint', raw('each.value.arn')], ['raw_message_delivery', true]]));
}

function tfStateMachine(m, rng) {
  const purpose = rng.pick(['training', 'batch_scoring', 'data_prep', 'retraining']);
  const role = tfRole(m, rng, `${purpose}_sfn`, 'states.amazonaws.com');
  const n = m.name(purpose);
  const def = {
    Comment: `${purpose} pipeline for ${m.app}`,
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: raw(`"\${local.name_prefix}-prepare"`), 'Payload.$': '$' }, Next: 'Train' },
      Train: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sagemaker:createTrainingJob.sync',
        Parameters: {
          AlgorithmSpecification: { TrainingImage: raw('var.training_image'), TrainingInputMode: 'File' },
          RoleArn: raw(`aws_iam_role.${role}.arn`),
          ResourceConfig: { InstanceCount: 1, InstanceType: rng.pick(['ml.m5.xlarge', 'ml.c5.2xlarge']), VolumeSizeInGB: 50 },
          StoppingCondition: { MaxRuntimeInSeconds: 86400 },
        },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
        Next: 'Done',
      },
      Failed: { Type: 'Fail', Cause: 'Training failed' },
      Done: { Type: 'Succeed' },
    },
  };
  if (!m.variables.some((v) => v[0] === 'training_image')) m.variables.push(['training_image', 'string', `123456789012.dkr.ecr.us-east-1.amazonaws.com/${m.app}:latest`, 'Training container image']);
  m.add(
    blk('resource', ['aws_sfn_state_machine', n], [
      ['name', `\${local.name_prefix}-${n.replace(/_/g, '-')}`],
      ['role_arn', raw(`aws_iam_role.${role}.arn`)],
      ['definition', raw(`jsonencode(${hclValue(def, 2)})`)],
      blk('logging_configuration', [], [['level', 'ERROR'], ['include_execution_data', false], ['log_destination', '${aws_cloudwatch_log_group.sfn.arn}:*']]),
      blk('tracing_configuration', [], [['enabled', true]]),
      ['tags', raw('local.common_tags')],
    ]),
  );
  if (!m.names.has('sfn')) {
    m.names.add('sfn');
    m.add(blk('resource', ['aws_cloudwatch_log_group', 'sfn'], [['name', '/aws/states/${local.name_prefix}'], ['retention_in_days', 90]]));
  }
}

function tfLaunchTemplate(m, rng) {
  const n = m.name('workers');
  m.add(
    blk('resource', ['aws_launch_template', n], [
      ['name_prefix', `\${local.name_prefix}-${n}-`],
      ['image_id', raw('data.aws_ssm_parameter.al2023_ami.value')],
      ['instance_type', rng.pick(['m5.large', 'c6i.xlarge', 't3.medium'])],
      blk('metadata_options', [], [['http_tokens', 'required'], ['http_put_response_hop_limit', 2]]),
      blk('block_device_mappings', [], [['device_name', '/dev/xvda'], blk('ebs', [], [['volume_size', rng.pick([20, 50, 100])], ['volume_type', 'gp3'], ['encrypted', true]])]),
      ['vpc_security_group_ids', m.ctx.sgs.length ? raw(`[aws_security_group.${rng.pick(m.ctx.sgs)}.id]`) : undefined],
      ['user_data', heredocCall('base64encode', `#!/bin/bash\nset -euxo pipefail\nyum update -y\nyum install -y amazon-cloudwatch-agent docker\nsystemctl enable --now docker\necho "ENVIRONMENT=\${var.environment}" >> /etc/environment\necho "PROJECT=\${var.project}" >> /etc/environment\n`)],
      blk('tag_specifications', [], [['resource_type', 'instance'], ['tags', raw('merge(local.common_tags, { Role = "worker" })')]]),
    ]),
  );
  if (!m.names.has('__ami')) {
    m.names.add('__ami');
    m.add(blk('data', ['aws_ssm_parameter', 'al2023_ami'], [['name', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64']]));
  }
}

function tfEcsTask(m, rng) {
  const role = tfRole(m, rng, 'inference_task', 'ecs-tasks.amazonaws.com');
  const n = m.name('inference');
  m.add(
    blk('resource', ['aws_ecs_task_definition', n], [
      ['family', `\${local.name_prefix}-${n}`],
      ['cpu', rng.pick([256, 512, 1024])],
      ['memory', rng.pick([512, 1024, 2048])],
      ['network_mode', 'awsvpc'],
      ['requires_compatibilities', ['FARGATE']],
      ['execution_role_arn', raw(`aws_iam_role.${role}.arn`)],
      ['task_role_arn', raw(`aws_iam_role.${role}.arn`)],
      ['container_definitions', raw(`jsonencode(${hclValue([
        {
          name: 'inference',
          image: '${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.region}.amazonaws.com/' + m.app + ':latest',
          essential: true,
          portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
          environment: ['MODEL_NAME', 'MODEL_VERSION', 'BATCH_SIZE', 'WORKERS'].map((k) => ({ name: k, value: k === 'MODEL_NAME' ? m.app : String(rng.int(1, 64)) })),
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${m.app}`, 'awslogs-region': raw('var.region'), 'awslogs-stream-prefix': 'inference' } },
          readonlyRootFilesystem: true,
        },
      ], 2)})`)],
      ['tags', raw('local.common_tags')],
    ]),
  );
}

const TF_FILLERS = [
  [tfBucket, 3], [tfTable, 2], [tfLambda, 3], [tfMessaging, 2], [tfKms, 1], [tfStateMachine, 1], [tfLaunchTemplate, 1], [tfEcsTask, 1],
  [(m, r) => tfSecurityGroup(m, r, r.pick(['app', 'workers', 'batch', 'api'])), 1],
  [(m, r) => tfRole(m, r, r.pick(['glue', 'batch', 'pipeline', 'analytics']), r.pick(['glue.amazonaws.com', 'batch.amazonaws.com', 'codepipeline.amazonaws.com'])), 1],
];

function tfSubnet(m, rng) {
  if (m.ctx.subnetsPrivate) return raw(`aws_subnet.private[${rng.int(0, 1)}].id`);
  if (!m.variables.some((v) => v[0] === 'notebook_subnet_id')) m.variables.push(['notebook_subnet_id', 'string', `subnet-${rng.hex(17)}`, 'Private subnet for notebook instances']);
  return raw('var.notebook_subnet_id');
}

function tfSageMaker(m, rng, nNotebooks, withDomain) {
  const role = tfRole(m, rng, 'sagemaker_execution', 'sagemaker.amazonaws.com');
  let lc = null;
  if (rng.chance(0.5)) {
    lc = 'autostop';
    m.add(blk('resource', ['aws_sagemaker_notebook_instance_lifecycle_configuration', lc], [['name', '${local.name_prefix}-autostop'], ['on_start', heredocCall('base64encode', SHELL_LIFECYCLE.replace(/\$\{/g, '$${'), 'SCRIPT')]]), 'SageMaker notebooks');
  }
  for (const nbName of rng.pickN(NOTEBOOK_NAMES, nNotebooks)) {
    const mode = notebookMode(rng);
    const n = m.name(snake(nbName));
    const body = [
      ['name', `\${local.name_prefix}-${n.replace(/_/g, '-')}`],
      ['role_arn', raw(`aws_iam_role.${role}.arn`)],
      ['instance_type', rng.chance(0.5) ? raw('var.notebook_instance_type') : rng.pick(NOTEBOOK_TYPES)],
      ['volume_size', rng.pick([5, 10, 20, 50, 100])],
      ['platform_identifier', rng.pick(['notebook-al2-v2', 'notebook-al2-v3'])],
    ];
    if (m.ctx.keys.length && rng.chance(0.6)) body.push(['kms_key_id', raw(`aws_kms_key.${rng.pick(m.ctx.keys)}.arn`)]);
    if (mode === 'disabled' || rng.chance(0.4)) {
      body.push(['subnet_id', tfSubnet(m, rng)]);
      const sg = m.ctx.sgs.length ? rng.pick(m.ctx.sgs) : tfSecurityGroupNb(m, rng);
      body.push(['security_groups', raw(`[aws_security_group.${sg}.id]`)]);
    }
    if (mode === 'enabled') body.push(['direct_internet_access', 'Enabled']);
    if (mode === 'disabled') body.push(['direct_internet_access', 'Disabled']);
    body.push(['root_access', rng.pick(['Enabled', 'Disabled'])]);
    if (lc) body.push(['lifecycle_config_name', raw(`aws_sagemaker_notebook_instance_lifecycle_configuration.${lc}.name`)]);
    if (rng.chance(0.3)) body.push(['default_code_repository', `https://github.com/example-org/${m.app}-notebooks.git`]);
    const ordered = rng.pickN(body, body.length);
    if (rng.chance(0.4)) ordered.push(blk('instance_metadata_service_configuration', [], [['minimum_instance_metadata_service_version', rng.pick(['1', '2'])]]));
    ordered.push(['tags', raw(`merge(local.common_tags, { Notebook = "${nbName}" })`)]);
    m.add(blk('resource', ['aws_sagemaker_notebook_instance', n], ordered));
    m.notebooks.push({ id: `aws_sagemaker_notebook_instance.${n}`, mode, expected: mode === 'disabled' ? 'pass' : 'fail' });
    m.outputs.push([`${n}_notebook_url`, raw(`aws_sagemaker_notebook_instance.${n}.url`)]);
  }
  if (withDomain) {
    const mode = domainMode(rng);
    const body = [
      ['domain_name', '${local.name_prefix}-studio'],
      ['auth_mode', rng.pick(['IAM', 'SSO'])],
      ['vpc_id', raw(tfVpcRef(m))],
      ['subnet_ids', m.ctx.subnetsPrivate ? raw('aws_subnet.private[*].id') : raw(`[${tfSubnet(m, rng).s}]`)],
    ];
    if (mode === 'vpconly') body.push(['app_network_access_type', 'VpcOnly']);
    if (mode === 'public') body.push(['app_network_access_type', 'PublicInternetOnly']);
    if (m.ctx.keys.length) body.push(['kms_key_id', raw(`aws_kms_key.${rng.pick(m.ctx.keys)}.arn`)]);
    body.push(
      blk('default_user_settings', [], [
        ['execution_role', raw(`aws_iam_role.${role}.arn`)],
        ['security_groups', m.ctx.sgs.length ? raw(`[aws_security_group.${rng.pick(m.ctx.sgs)}.id]`) : undefined],
        blk('sharing_settings', [], [['notebook_output_option', rng.pick(['Allowed', 'Disabled'])]]),
        blk('jupyter_server_app_settings', [], [blk('default_resource_spec', [], [['instance_type', 'system']])]),
      ]),
    );
    body.push(['tags', raw('local.common_tags')]);
    m.add(blk('resource', ['aws_sagemaker_domain', 'studio'], body), 'SageMaker Studio');
    m.domains.push({ id: 'aws_sagemaker_domain.studio', mode, expected: mode === 'vpconly' ? 'pass' : 'fail' });
    const users = rng.pickN(['alice', 'bob', 'carol', 'dave', 'erin'], rng.int(1, 3));
    m.add(
      blk('resource', ['aws_sagemaker_user_profile', 'users'], [
        ['for_each', raw(`toset(${hclValue(users, 2)})`)],
        ['domain_id', raw('aws_sagemaker_domain.studio.id')],
        ['user_profile_name', raw('each.key')],
        blk('user_settings', [], [['execution_role', raw(`aws_iam_role.${role}.arn`)]]),
      ]),
    );
    m.outputs.push(['studio_domain_id', raw('aws_sagemaker_domain.studio.id')]);
  }
}
function tfVpcRef(m) {
  if (m.ctx.vpc) return 'aws_vpc.main.id';
  if (!m.variables.some((v) => v[0] === 'vpc_id')) m.variables.push(['vpc_id', 'string', `vpc-${m.rng.hex(17)}`, 'VPC of the workload']);
  return 'var.vpc_id';
}
function tfSecurityGroupNb(m, rng) {
  return tfSecurityGroup(m, rng, 'notebook');
}

function generateTf(rng) {
  const app = rng.pick(APPS);
  const env = rng.pick(ENVS);
  const m = new TfModule(rng, app, env);
  m.outputs = [];
  const team = rng.pick(TEAMS);
  m.variables.push(
    ['project', 'string', app, 'Project name, used as a prefix for resource names'],
    ['environment', 'string', env, 'Deployment environment'],
    ['region', 'string', rng.pick(REGIONS), 'AWS region'],
    ['notebook_instance_type', 'string', rng.pick(NOTEBOOK_TYPES), 'Default SageMaker notebook instance type'],
    ['tags', 'map(string)', {}, 'Extra tags applied to every resource'],
  );
  const target = rng.int(MIN_BYTES + 512, MAX_BYTES - 8 * 1024);
  const nNotebooks = rng.weighted([[1, 40], [2, 30], [3, 20], [4, 10]]);
  const withDomain = rng.chance(0.3);
  if (rng.chance(0.7)) tfNetwork(m, rng);
  if (rng.chance(0.5)) tfKms(m, rng);
  const before = rng.int(0, 3);
  for (let i = 0; i < before; i++) rng.weighted(TF_FILLERS)(m, rng);
  tfSageMaker(m, rng, nNotebooks, withDomain);
  while (m.size < target) rng.weighted(TF_FILLERS)(m, rng);

  let header = `# ${app} (${env}) — ${team} team. Generated layout; see README for conventions.\n\n`;
  header += hclBlock(
    blk('terraform', [], [
      ['required_version', '>= 1.5.0'],
      blk('required_providers', [], [
        ['aws', { source: 'hashicorp/aws', version: `~> ${rng.pick(['5.40', '5.60', '5.80'])}` }],
        ['archive', { source: 'hashicorp/archive', version: '~> 2.4' }],
      ]),
      blk('backend', ['s3'], [['bucket', `${team}-terraform-state`], ['key', `${app}/${env}/terraform.tfstate`], ['region', 'us-east-1'], ['dynamodb_table', 'terraform-locks'], ['encrypt', true]]),
    ]),
    0,
  );
  header += '\n' + hclBlock(blk('provider', ['aws'], [['region', raw('var.region')], blk('default_tags', [], [['tags', raw('local.common_tags')]])]), 0);
  for (const [name, type, def, desc] of m.variables) {
    const body = [['description', desc], ['type', raw(type)]];
    if (def !== undefined) body.push(['default', def]);
    if (name === 'environment') body.push(blk('validation', [], [['condition', raw(`contains(${hclValue(ENVS, 4)}, var.environment)`)], ['error_message', `environment must be one of: ${ENVS.join(', ')}.`]]));
    header += '\n' + hclBlock(blk('variable', [name], body), 0);
  }
  header += '\n' + hclBlock(
    blk('locals', [], [
      ['name_prefix', '${var.project}-${var.environment}'],
      ['azs', raw('slice(data.aws_availability_zones.available.names, 0, 2)')],
      ['common_tags', raw(`merge(var.tags, {\n    Project     = var.project\n    Environment = var.environment\n    Team        = "${team}"\n    CostCenter  = "${rng.pick(COST_CENTERS)}"\n    ManagedBy   = "terraform"\n  })`)],
    ]),
    0,
  );
  header += '\n' + hclBlock(blk('data', ['aws_availability_zones', 'available'], [['state', 'available']]), 0);
  header += '\n' + hclBlock(blk('data', ['aws_caller_identity', 'current'], []), 0);
  header += '\n' + hclBlock(blk('data', ['aws_partition', 'current'], []), 0);
  let text = m.render(header);
  if (m.ctx.vpc) m.outputs.push(['vpc_id', raw('aws_vpc.main.id')], ['private_subnet_ids', raw('aws_subnet.private[*].id')]);
  for (const b of m.ctx.buckets.slice(0, 3)) m.outputs.push([`${b}_bucket`, raw(`aws_s3_bucket.${b}.bucket`)]);
  for (const [name, value] of m.outputs) text += '\n' + hclBlock(blk('output', [name], [['value', value]]), 0);
  return { text, notebooks: m.notebooks, domains: m.domains };
}

// ---------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------

function generateFile(seed, index) {
  const rng = new Rng(hash32(`${seed}:${index}`));
  const kind = rng.weighted([['cfn-yaml', 45], ['cfn-json', 25], ['terraform', 30]]);
  for (let attempt = 0; ; attempt++) {
    const out = kind === 'terraform' ? generateTf(rng) : generateCfn(rng, kind === 'cfn-json' ? 'cdk' : 'yaml', index);
    const bytes = Buffer.byteLength(out.text);
    if ((bytes >= MIN_BYTES && bytes <= MAX_BYTES) || attempt >= 20) return { kind, ...out, bytes, attempts: attempt + 1 };
  }
}

function relPathFor(index, kind, text) {
  const shard = `s${String(Math.floor(index / SHARD_SIZE)).padStart(2, '0')}`;
  const num = String(index).padStart(5, '0');
  const slug = (text.match(/^# ([a-z0-9-]+)/) || text.match(/"aws:cdk:path": "([A-Za-z0-9]+)\//) || [, 'stack'])[1].toLowerCase();
  if (kind === 'cfn-yaml') return `${shard}/${num}-${slug}.yaml`;
  if (kind === 'cfn-json') return `${shard}/${num}-${slug}.template.json`;
  return `${shard}/${num}-${slug}/main.tf`;
}

export function corpusDir(count) {
  return join(BENCH_DIR, `corpus-${count}`);
}

/** The manifest sits beside the corpus directory, so scanning the directory sees only templates. */
export function manifestPath(dir) {
  return `${resolve(dir)}.manifest.json`;
}

export function readManifest(dir) {
  try {
    return JSON.parse(readFileSync(manifestPath(dir), 'utf8'));
  } catch {
    return null;
  }
}

/** Makes sure the corpus exists; returns its manifest. Regenerates when missing or stale. */
export function ensureCorpus({ count = 10000, seed = DEFAULT_SEED, out, force = false, log = console.log } = {}) {
  const dir = resolve(out ?? corpusDir(count));
  const existing = readManifest(dir);
  if (!force && existing && existing.generatorVersion === GENERATOR_VERSION && existing.seed === seed && existing.count === count) {
    log(`corpus ${dir}: up to date (${count} files, seed ${seed})`);
    return { dir, manifest: existing, generated: false };
  }
  log(`generating ${count} files into ${dir} (seed ${seed}) ...`);
  const t0 = performance.now();
  rmSync(manifestPath(dir), { force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = [];
  const totals = { files: 0, bytes: 0, byKind: {}, notebooks: 0, notebookFailures: 0, notebookModes: { enabled: 0, disabled: 0, absent: 0 }, domains: 0, domainFailures: 0, domainModes: { vpconly: 0, public: 0, absent: 0 }, minBytes: Infinity, maxBytes: 0 };
  const made = new Set();
  for (let i = 0; i < count; i++) {
    const f = generateFile(seed, i);
    const rel = relPathFor(i, f.kind, f.text);
    const abs = join(dir, rel);
    const parent = dirname(abs);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(abs, f.text);
    files.push({ path: rel, kind: f.kind, bytes: f.bytes, notebooks: f.notebooks, domains: f.domains });
    totals.files++;
    totals.bytes += f.bytes;
    totals.minBytes = Math.min(totals.minBytes, f.bytes);
    totals.maxBytes = Math.max(totals.maxBytes, f.bytes);
    totals.byKind[f.kind] = (totals.byKind[f.kind] || 0) + 1;
    for (const nb of f.notebooks) {
      totals.notebooks++;
      totals.notebookModes[nb.mode]++;
      if (nb.expected === 'fail') totals.notebookFailures++;
    }
    for (const d of f.domains) {
      totals.domains++;
      totals.domainModes[d.mode]++;
      if (d.expected === 'fail') totals.domainFailures++;
    }
    if ((i + 1) % 2000 === 0) log(`  ${i + 1}/${count} files (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const manifest = {
    generator: 'cloudconform bench corpus',
    generatorVersion: GENERATOR_VERSION,
    seed,
    count,
    shardSize: SHARD_SIZE,
    rules: {
      notebook: 'fail unless DirectInternetAccess/direct_internet_access is "Disabled" (absent = AWS default Enabled)',
      domain: 'fail unless AppNetworkAccessType/app_network_access_type is "VpcOnly" (absent = AWS default PublicInternetOnly)',
    },
    totals,
    files,
  };
  const tmp = `${manifestPath(dir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, manifestPath(dir));
  log(`generated ${count} files, ${(totals.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, manifest, generated: true };
}

/** Totals over a subset of the manifest's files (by predicate on the entry). */
export function summarize(files) {
  const s = { files: 0, bytes: 0, notebooks: 0, notebookFailures: 0, domains: 0, domainFailures: 0, byKind: {} };
  for (const f of files) {
    s.files++;
    s.bytes += f.bytes;
    s.byKind[f.kind] = (s.byKind[f.kind] || 0) + 1;
    s.notebooks += f.notebooks.length;
    s.notebookFailures += f.notebooks.filter((n) => n.expected === 'fail').length;
    s.domains += f.domains.length;
    s.domainFailures += f.domains.filter((n) => n.expected === 'fail').length;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : def;
  };
  const count = Number(opt('--count', 10000));
  const seed = Number(opt('--seed', DEFAULT_SEED));
  if (!Number.isInteger(count) || count < 1) {
    console.error('--count must be a positive integer');
    process.exit(2);
  }
  const { dir, manifest } = ensureCorpus({ count, seed, out: opt('--out'), force: args.includes('--force') });
  const t = manifest.totals;
  console.log(
    `${dir}\n  files: ${t.files} (${Object.entries(t.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}), ${(t.bytes / 1e6).toFixed(1)} MB, ${t.minBytes}–${t.maxBytes} bytes each\n` +
      `  notebooks: ${t.notebooks} (enabled ${t.notebookModes.enabled}, disabled ${t.notebookModes.disabled}, absent ${t.notebookModes.absent}), expected failures ${t.notebookFailures}\n` +
      `  domains: ${t.domains} (VpcOnly ${t.domainModes.vpconly}, PublicInternetOnly ${t.domainModes.public}, absent ${t.domainModes.absent}), expected failures ${t.domainFailures}`,
  );
}
