# A notebook and a Studio domain kept inside their VPC.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "vpc_cidr" {
  type    = string
  default = "10.50.0.0/16"
}

resource "aws_vpc" "analytics" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.analytics.id
  cidr_block = cidrsubnet(var.vpc_cidr, 8, 1)
}

resource "aws_security_group" "notebook" {
  name   = "notebook"
  vpc_id = aws_vpc.analytics.id

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "aws_iam_role" "notebook" {
  name = "analytics-notebook"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_sagemaker_notebook_instance" "analytics" {
  name                   = "analytics"
  instance_type          = "ml.t3.medium"
  role_arn               = aws_iam_role.notebook.arn
  subnet_id              = aws_subnet.private.id
  security_groups        = [aws_security_group.notebook.id]
  direct_internet_access = "Disabled"
}

resource "aws_sagemaker_domain" "analytics" {
  domain_name             = "analytics"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.analytics.id
  subnet_ids              = [aws_subnet.private.id]
  app_network_access_type = "VpcOnly"

  default_user_settings {
    execution_role  = aws_iam_role.notebook.arn
    security_groups = [aws_security_group.notebook.id]
  }
}
