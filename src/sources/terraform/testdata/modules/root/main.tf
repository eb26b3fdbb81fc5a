variable "maybe_count" {
  type = number
}

resource "aws_subnet" "main" {
  cidr_block = "10.0.0.0/24"
}

module "single" {
  source    = "../modules/notebook"
  name      = "single"
  access    = "Disabled"
  subnet_id = aws_subnet.main.id
}

module "counted" {
  source = "../modules/notebook"
  count  = 2
  name   = "counted-${count.index}"
}

module "teams" {
  source   = "../modules/notebook"
  for_each = toset(["alpha", "beta"])
  name     = each.key
}

module "maybe" {
  source = "../modules/notebook"
  count  = var.maybe_count
  name   = "maybe"
}

module "remote" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

module "missing" {
  source = "./does-not-exist"
}

resource "aws_sagemaker_notebook_instance" "uses_outputs" {
  name      = module.single.notebook_name
  subnet_id = module.remote.private_subnets[0]
  role_arn  = module.teams["beta"].notebook_name
}
