// Throughput of the HCL parser on generated, realistic Terraform.
//
//   npx tsx bench/hcl-parser-bench.ts [--mb 20] [--rounds 5]
//
// Generates ~20 MB of Terraform in memory (deterministic: seeded), split into files of 10-50 KB
// like real modules (variables, locals with for expressions, resources with tags and dynamic
// blocks, heredoc and jsonencode IAM policies, modules, outputs), parses every file once to warm
// up, then times `rounds` full passes and prints MB/s and files/s (best and median).
import { parseHcl } from '../src/sources/terraform/hcl/parser';

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** mulberry32: small, seeded, good enough for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(20240611);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const WORDS = ['app', 'data', 'ml', 'core', 'edge', 'batch', 'stream', 'audit', 'lake', 'api', 'web', 'worker'];
const name = () => `${pick(WORDS)}_${pick(WORDS)}_${int(1, 99)}`;

function variables(out: string[]): void {
  for (let k = 0; k < int(3, 8); k++) {
    const type = pick(['string', 'number', 'bool', 'list(string)', 'map(string)']);
    const fallback = type === 'string' ? `"${pick(WORDS)}-${int(1, 9)}"` : type === 'number' ? String(int(1, 500)) : type === 'bool' ? 'true' : type.startsWith('list') ? '["a", "b"]' : '{}';
    out.push(`variable "${name()}" {
  description = "The ${pick(WORDS)} setting for ${pick(WORDS)} workloads"
  type        = ${type}
  default     = ${fallback}
${random() < 0.3 ? `
  validation {
    condition     = length(var.${name()}) > 0 && can(regex("^[a-z0-9-]+$", var.${name()}))
    error_message = "Must be lowercase letters, digits and dashes."
  }
` : ''}}
`);
  }
}

function locals(out: string[]): void {
  out.push(`locals {
  name_prefix = "\${var.project}-\${var.environment}"
  common_tags = merge(var.tags, {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  })
  azs             = slice(data.aws_availability_zones.available.names, 0, ${int(2, 3)})
  private_subnets = [for i, az in local.azs : cidrsubnet(var.vpc_cidr, 8, i + 10)]
  public_subnets  = { for i, az in local.azs : az => cidrsubnet(var.vpc_cidr, 8, i) if var.enable_public }
  bucket_names    = { for k, v in var.buckets : k => lower("\${local.name_prefix}-\${k}") }
  enabled         = var.enabled && !var.disabled ? 1 : 0
}
`);
}

function policyHeredoc(): string {
  const statements: string[] = [];
  for (let k = 0; k < int(1, 4); k++) {
    statements.push(`    {
      "Effect": "${pick(['Allow', 'Deny'])}",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::\${var.bucket}", "arn:aws:s3:::\${var.bucket}/*"]
    }`);
  }
  return `<<-EOF
  {
    "Version": "2012-10-17",
    "Statement": [
${statements.join(',\n')}
    ]
  }
  EOF`;
}

function resources(out: string[]): void {
  const vpc = name();
  out.push(`resource "aws_vpc" "${vpc}" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.common_tags, { Name = "\${local.name_prefix}-vpc" })
}

resource "aws_subnet" "private" {
  count             = length(local.private_subnets)
  vpc_id            = aws_vpc.${vpc}.id
  cidr_block        = local.private_subnets[count.index]
  availability_zone = element(local.azs, count.index)
  tags              = merge(local.common_tags, { Name = "\${local.name_prefix}-private-\${count.index}", Tier = "private" })
}
`);
  for (let k = 0; k < int(2, 6); k++) {
    const sg = name();
    out.push(`resource "aws_security_group" "${sg}" {
  name_prefix = "\${local.name_prefix}-${sg}-"
  description = "Security group for ${sg}"
  vpc_id      = aws_vpc.${vpc}.id

  dynamic "ingress" {
    for_each = var.ingress_rules
    content {
      from_port   = ingress.value.from_port
      to_port     = ingress.value.to_port
      protocol    = lookup(ingress.value, "protocol", "tcp")
      cidr_blocks = ingress.value.cidr_blocks
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}
`);
  }
  for (let k = 0; k < int(1, 4); k++) {
    const role = name();
    out.push(`resource "aws_iam_role" "${role}" {
  name               = "\${local.name_prefix}-${role}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "${role}" {
  name   = "${role}-inline"
  role   = aws_iam_role.${role}.id
  policy = ${policyHeredoc()}
}
`);
  }
  for (let k = 0; k < int(1, 3); k++) {
    const nb = name();
    out.push(`resource "aws_sagemaker_notebook_instance" "${nb}" {
  for_each               = toset(var.notebook_users)
  name                   = "\${local.name_prefix}-\${each.key}"
  role_arn               = aws_iam_role.${nb}.arn
  instance_type          = var.notebook_instance_type
  direct_internet_access = "${pick(['Enabled', 'Disabled'])}"
  subnet_id              = aws_subnet.private[0].id
  security_groups        = [aws_security_group.${nb}.id]
  volume_size            = ${int(5, 100)}
  kms_key_id             = var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.this[0].arn
  tags                   = local.common_tags
}
`);
  }
  const bucket = name();
  out.push(`resource "aws_s3_bucket" "${bucket}" {
  for_each = local.bucket_names
  bucket   = each.value
  tags     = merge(local.common_tags, { Purpose = each.key })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "${bucket}" {
  for_each = aws_s3_bucket.${bucket}
  bucket   = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

module "${name()}" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "\${local.name_prefix}-handler"
  handler       = "index.handler"
  runtime       = "python3.12"
  memory_size   = ${pick([128, 256, 512, 1024])}
  timeout       = ${int(3, 900)}
  environment_variables = {
    TABLE = aws_dynamodb_table.this.name
    STAGE = var.environment
  }
}

output "${name()}_ids" {
  description = "IDs of the ${pick(WORDS)} resources"
  value       = [for s in aws_subnet.private : s.id]
}

output "${name()}_arns" {
  value = aws_s3_bucket.${bucket}[*].arn # every bucket
}
`);
}

/** One module file of 10-50 KB. */
function generateFile(): string {
  const target = int(10, 50) * 1024;
  const out: string[] = [`# ${name()} module — generated for the parser benchmark\n\n`];
  let size = 0;
  variables(out);
  locals(out);
  while (size < target) {
    resources(out);
    size = out.reduce((n, s) => n + s.length, 0);
  }
  return out.join('\n');
}

const targetBytes = argValue('--mb', 20) * 1e6;
const rounds = argValue('--rounds', 5);
const files: string[] = [];
let totalBytes = 0;
while (totalBytes < targetBytes) {
  const file = generateFile();
  files.push(file);
  totalBytes += Buffer.byteLength(file);
}

for (const file of files) parseHcl(file); // warm-up, and proof that everything parses

const seconds: number[] = [];
for (let r = 0; r < rounds; r++) {
  const start = process.hrtime.bigint();
  for (const file of files) parseHcl(file);
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
seconds.sort((a, b) => a - b);
const mb = totalBytes / 1e6;
const report = (label: string, s: number) => `${label}: ${(mb / s).toFixed(1)} MB/s, ${Math.round(files.length / s)} files/s`;
console.log(`${files.length} files, ${mb.toFixed(1)} MB of Terraform (avg ${Math.round(totalBytes / files.length / 1024)} KB), ${rounds} rounds`);
console.log(report('best  ', seconds[0]!));
console.log(report('median', seconds[Math.floor(seconds.length / 2)]!));
