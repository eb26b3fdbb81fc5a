variable "name" {
  type = string
}

variable "role_arn" {
  type = string
}

variable "subnet_id" {
  type    = string
  default = null
}

resource "aws_sagemaker_notebook_instance" "this" {
  name                   = var.name
  instance_type          = "ml.t3.medium"
  role_arn               = var.role_arn
  subnet_id              = var.subnet_id
  direct_internet_access = var.subnet_id == null ? "Enabled" : "Disabled"
}
