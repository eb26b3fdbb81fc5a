variable "prefix" {
  type = string
}

resource "aws_sagemaker_domain" "this" {
  domain_name             = "${var.prefix}-domain"
  app_network_access_type = "VpcOnly"
}
