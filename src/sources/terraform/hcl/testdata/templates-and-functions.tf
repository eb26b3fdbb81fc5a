# Templates, heredocs with directives, provider functions and argument expansion.

locals {
  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    %{ for pkg in var.packages ~}
    yum install -y ${pkg}
    %{ endfor ~}
    %{ if var.enable_ssm }
    systemctl enable amazon-ssm-agent
    %{ else }
    echo "SSM disabled"
    %{ endif }
    echo "done: $${HOME} and %%{literal}"
  EOT

  greeting   = "Hello, %{ if var.name != "" }${var.name}%{ else }world%{ endif }!"
  escaped    = "tab:\t quote:\" backslash:\\ unicode:\u00e9 astral:\U0001F600"
  arn_parts  = provider::aws::arn_parse(var.role_arn)
  max_size   = max(var.sizes...)
  merged     = merge(var.defaults, var.overrides...)
  first_az   = element(sort(var.azs), 0)
  negated    = !var.enabled
  arithmetic = -var.offset + 2 * (var.count - 1) / 4 % 3
}

resource "aws_launch_template" "app" {
  name_prefix   = "app-"
  user_data     = base64encode(local.user_data)
  instance_type = var.instance_type != null ? var.instance_type : "t3.micro"

  dynamic "block_device_mappings" {
    for_each = { for i, d in var.disks : d.name => d if d.size > 0 }
    content {
      device_name = block_device_mappings.key
      ebs {
        volume_size = block_device_mappings.value.size
        encrypted   = true
      }
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { for k, v in var.tags : k => v if !startswith(k, "aws:") }
  }
}

resource "aws_ssm_document" "bootstrap" {
  name          = "bootstrap"
  document_type = "Command"
  content = jsonencode({
    schemaVersion = "2.2"
    mainSteps = [{
      action = "aws:runShellScript"
      name   = "run"
      inputs = { runCommand = split("\n", trimspace(local.user_data)) }
    }]
  })
}
