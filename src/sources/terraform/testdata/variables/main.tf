variable "from_default" {
  default = "Enabled"
}

variable "from_tfvars" {
  type = string
}

variable "from_auto" {
  type    = string
  default = "default"
}

variable "from_var_file" {
  type = string
}

variable "from_cli" {
  type = string
}

variable "cli_list" {
  type = list(string)
}

variable "size" {
  type = number
}

variable "settings" {
  type = object({
    name = string
    size = optional(number, 20)
  })
}

variable "unset" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                         = "nb"
  direct_internet_access       = var.from_default
  instance_type                = var.from_tfvars
  role_arn                     = var.from_auto
  kms_key_id                   = var.from_var_file
  platform_identifier          = var.from_cli
  additional_code_repositories = var.cli_list
  volume_size                  = var.size
  tags                         = var.settings
  subnet_id                    = var.unset
}
