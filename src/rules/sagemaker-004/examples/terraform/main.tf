variable "access_mode" {
  type    = string
  default = "Enabled"
}

variable "unset_access" {
  type = string
}

variable "teams" {
  type    = map(string)
  default = { alpha = "Disabled", beta = "Enabled" }
}

locals {
  subnet = "subnet-0123456789abcdef0"
  prod   = true
}

resource "aws_subnet" "private" {
  vpc_id     = "vpc-0123456789abcdef0"
  cidr_block = "10.0.1.0/24"
}

resource "aws_sagemaker_notebook_instance" "pass_literal_subnet" {
  name                   = "pass-literal-subnet"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = local.subnet
  direct_internet_access = "Disabled"
}

resource "aws_sagemaker_notebook_instance" "pass_subnet_reference" {
  name                   = "pass-subnet-reference"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = aws_subnet.private.id
  direct_internet_access = local.prod ? "Disabled" : "Enabled"
}

resource "aws_sagemaker_notebook_instance" "fail_enabled" {
  name                   = "fail-enabled"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  direct_internet_access = "Enabled"
}

resource "aws_sagemaker_notebook_instance" "fail_absent" {
  name          = "fail-absent"
  instance_type = "ml.t3.medium"
  role_arn      = "arn:aws:iam::111122223333:role/nb"
}

resource "aws_sagemaker_notebook_instance" "fail_lowercase" {
  name                   = "fail-lowercase"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = local.subnet
  direct_internet_access = lower("Disabled")
}

resource "aws_sagemaker_notebook_instance" "fail_disabled_without_subnet" {
  name                   = "fail-disabled-without-subnet"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  direct_internet_access = "Disabled"
}

resource "aws_sagemaker_notebook_instance" "fail_variable_default" {
  name                   = "fail-variable-default"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = local.subnet
  direct_internet_access = var.access_mode
}

resource "aws_sagemaker_notebook_instance" "team" {
  for_each               = var.teams
  name                   = "${each.key}-notebook"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = local.subnet
  direct_internet_access = each.value
}

resource "aws_sagemaker_notebook_instance" "unknown_variable" {
  name                   = "unknown-variable"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = local.subnet
  direct_internet_access = var.unset_access
}

# The Cloud Control provider (awscc): same resource, CloudFormation's names in snake_case.
resource "awscc_sagemaker_notebook_instance" "pass_cloud_control" {
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::111122223333:role/nb"
  subnet_id              = local.subnet
  security_group_ids     = ["sg-0123456789abcdef0"]
  direct_internet_access = "Disabled"
}

resource "awscc_sagemaker_notebook_instance" "fail_cloud_control_absent" {
  instance_type = "ml.t3.medium"
  role_arn      = "arn:aws:iam::111122223333:role/nb"
}
