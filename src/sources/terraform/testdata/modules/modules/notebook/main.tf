variable "name" {
  type = string
}

variable "access" {
  type    = string
  default = "Enabled"
}

variable "subnet_id" {
  type    = string
  default = null
}

resource "aws_sagemaker_notebook_instance" "this" {
  name                   = var.name
  direct_internet_access = var.access
  subnet_id              = var.subnet_id
}

module "inner" {
  source = "./inner"
  prefix = var.name
}

output "notebook_name" {
  value = "${var.name}-out"
}
