locals {
  by_name = {
    "__proto__"   = "Disabled"
    "constructor" = "Enabled"
  }
  decoded = jsondecode("{\"__proto__\": {\"polluted\": \"yes\"}}")
}

resource "aws_sagemaker_notebook_instance" "p" {
  for_each               = local.by_name
  name                   = each.key
  direct_internet_access = each.value
  tags                   = merge(local.decoded, { "__proto__" = { polluted = "yes" } })
}
