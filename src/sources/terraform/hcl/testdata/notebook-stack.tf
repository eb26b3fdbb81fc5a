# Notebook stack: network, notebooks, IAM and a logging module.
// Hand-written fixture for the HCL parser tests.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

locals {
  name_prefix = "${var.project}-${var.environment}"
  azs         = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  subnet_cidrs = {
    for index, az in local.azs : az => cidrsubnet(var.vpc_cidr, 8, index)
  }
  notebook_users = toset([for u in var.users : lower(u) if u != ""])
  tags_by_team   = { for user in var.users : user.team => user.name... }
  common_tags = merge(var.tags, {
    Project   = var.project
    ManagedBy = "terraform"
  })
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  tags                 = merge(local.common_tags, { Name = "${local.name_prefix}-vpc" })
}

resource "aws_subnet" "private" {
  for_each          = local.subnet_cidrs
  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value
  availability_zone = each.key

  tags = {
    Name = "${local.name_prefix}-private-${each.key}"
    Tier = "private"
  }
}

resource "aws_security_group" "notebook" {
  name_prefix = "${local.name_prefix}-nb-"
  vpc_id      = aws_vpc.main.id

  dynamic "ingress" {
    for_each = var.allowed_cidrs
    iterator = rule
    content {
      from_port   = 443
      to_port     = 443
      protocol    = "tcp"
      cidr_blocks = [rule.value]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_role" "notebook" {
  name = "${local.name_prefix}-notebook"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": { "Service": "sagemaker.amazonaws.com" },
        "Action": "sts:AssumeRole"
      }]
    }
  EOT
}

resource "aws_iam_role_policy" "notebook_s3" {
  role   = aws_iam_role.notebook.id
  policy = <<POLICY
{
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:GetObject"],
    "Resource": "arn:aws:s3:::${var.bucket}/*"
  }]
}
POLICY
}

resource "aws_sagemaker_notebook_instance" "shared" {
  count                  = var.create_shared ? 1 : 0
  name                   = "${local.name_prefix}-shared-${count.index}"
  role_arn               = aws_iam_role.notebook.arn
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Disabled"
  subnet_id              = aws_subnet.private["eu-west-1a"].id
  security_groups        = [aws_security_group.notebook.id]
  root_access            = "Disabled"
}

resource "aws_sagemaker_notebook_instance" "per_user" {
  for_each               = local.notebook_users
  name                   = "${local.name_prefix}-${each.key}"
  role_arn               = aws_iam_role.notebook.arn
  instance_type          = lookup(var.instance_types, each.key, "ml.t3.medium")
  direct_internet_access = var.allow_internet ? "Enabled" : "Disabled"
  subnet_id              = values(aws_subnet.private)[0].id
  kms_key_id             = var.kms_key_arn
  volume_size            = 5 * 4 + 10

  dynamic "instance_metadata_service_configuration" {
    for_each = var.imds_v2 ? [1] : []
    content {
      minimum_instance_metadata_service_version = "2"
    }
  }

  lifecycle {
    ignore_changes = [tags["LastModified"]]
  }
}

module "logging" {
  source  = "./modules/logging"
  buckets = [for nb in aws_sagemaker_notebook_instance.per_user : nb.name]
  ids     = aws_sagemaker_notebook_instance.shared[*].id
}

output "notebook_urls" {
  value = { for name, nb in aws_sagemaker_notebook_instance.per_user : name => nb.url }
}
