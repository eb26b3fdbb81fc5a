variable "network_mode" {
  type = string
}

variable "private" {
  type    = bool
  default = true
}

resource "aws_sagemaker_domain" "pass_vpc_only" {
  domain_name             = "pass-vpc-only"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = var.private ? "VpcOnly" : "PublicInternetOnly"

  default_user_settings {
    execution_role = "arn:aws:iam::111122223333:role/studio"
  }
}

resource "aws_sagemaker_domain" "fail_public" {
  domain_name             = "fail-public"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = "PublicInternetOnly"

  default_user_settings {
    execution_role = "arn:aws:iam::111122223333:role/studio"
  }
}

resource "aws_sagemaker_domain" "fail_default" {
  count       = 2
  domain_name = "fail-default-${count.index}"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]

  default_user_settings {
    execution_role = "arn:aws:iam::111122223333:role/studio"
  }
}

resource "aws_sagemaker_domain" "unknown_variable" {
  domain_name             = "unknown-variable"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = var.network_mode

  default_user_settings {
    execution_role = "arn:aws:iam::111122223333:role/studio"
  }
}

# The Cloud Control provider (awscc): nested settings are attributes, not blocks.
resource "awscc_sagemaker_domain" "pass_cloud_control" {
  domain_name             = "pass-cloud-control"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = "VpcOnly"
  default_user_settings = {
    execution_role = "arn:aws:iam::111122223333:role/studio"
  }
}

resource "awscc_sagemaker_domain" "fail_cloud_control_absent" {
  domain_name = "fail-cloud-control-absent"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]
  default_user_settings = {
    execution_role = "arn:aws:iam::111122223333:role/studio"
  }
}
