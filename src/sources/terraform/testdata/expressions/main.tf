locals {
  env     = "prod"
  name    = "nb-${local.env}"
  is_prod = local.env == "prod"
  teams   = { alpha = "Disabled", beta = "Enabled" }
  names   = [for k, v in local.teams : upper(k) if v == "Disabled"]
  a       = local.b
  b       = local.a
}

data "aws_subnets" "all" {}

resource "aws_subnet" "private" {
  count      = 2
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}

resource "aws_sagemaker_notebook_instance" "evaluated" {
  name                   = "evaluated"
  direct_internet_access = null
  instance_type          = local.name
  role_arn               = local.is_prod ? "arn:prod" : "arn:dev"
  subnet_id              = aws_subnet.private[0].id
  security_groups        = local.names
  kms_key_id             = local.a
  platform_identifier    = "${local.env}-${aws_subnet.private[1].id}"
  volume_size            = max(5, 10) * 2
  additional_code_repositories = [
    "literal",
    data.aws_subnets.all.ids[0],
  ]

  dynamic "instance_metadata_service_configuration" {
    for_each = local.is_prod ? ["2"] : []
    content {
      minimum_instance_metadata_service_version = instance_metadata_service_configuration.value
    }
  }
}

resource "aws_sagemaker_notebook_instance" "counted" {
  count = 2
  name  = "counted-${count.index}"
}

resource "aws_sagemaker_notebook_instance" "none" {
  count = 0
  name  = "none"
}

resource "aws_sagemaker_notebook_instance" "team" {
  for_each               = local.teams
  name                   = "${each.key}-nb"
  direct_internet_access = each.value
}

resource "aws_sagemaker_notebook_instance" "per_subnet" {
  count = length(data.aws_subnets.all.ids)
  name  = "per-subnet-${count.index}"
}

resource "aws_sagemaker_domain" "static_block" {
  domain_name = "d"

  default_user_settings {
    execution_role = "arn:role"
  }
}

resource "aws_sagemaker_notebook_instance" "per_private_subnet" {
  count     = length(aws_subnet.private)
  name      = "private-${count.index}"
  subnet_id = aws_subnet.private[count.index].id
}
