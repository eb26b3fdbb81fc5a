resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = trimspace(file("${path.module}/scripts/name.txt"))
  platform_identifier    = templatefile("${path.module}/scripts/platform.tpl", { version = 2 })
  kms_key_id             = fileexists("${path.module}/scripts/missing.txt") ? "exists" : "missing"
  role_arn               = file("/etc/hostname")
}
