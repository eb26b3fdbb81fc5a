# Notebooks that can reach the internet directly, through variables, for_each and a module.
variable "teams" {
  type    = set(string)
  default = ["forecasting", "pricing"]
}

variable "internet_access" {
  type    = string
  default = "Enabled"
}

locals {
  notebook_role_arn = "arn:aws:iam::111122223333:role/team-notebook"
}

# One notebook per team, all with direct internet access from the variable's default.
resource "aws_sagemaker_notebook_instance" "team" {
  for_each               = var.teams
  name                   = "${each.key}-notebook"
  instance_type          = "ml.t3.medium"
  role_arn               = local.notebook_role_arn
  direct_internet_access = var.internet_access
}

# A sandbox with an accepted exception: it stays in every report, marked suppressed.
resource "aws_sagemaker_notebook_instance" "sandbox" {
  # cloudconform:skip=SageMaker-004 Public training sandbox with no customer data (SEC-1234)
  name          = "training-sandbox"
  instance_type = "ml.t3.medium"
  role_arn      = local.notebook_role_arn
}

module "reporting" {
  source        = "./modules/notebook"
  name          = "reporting"
  role_arn      = local.notebook_role_arn
}
