/*
 * A reusable network module: counts, chained conditionals, splats,
 * legacy index syntax and nested for expressions.
 */

variable "edge_subnets" {
  type    = list(string)
  default = []
}

variable "shared_gateway" {
  type        = bool
  default     = false
  description = "One NAT gateway for every private subnet instead of one per zone"
}

locals {
  edge_count    = max(length(var.edge_subnets), length(var.edge_ipv6_offsets))
  enabled       = var.enabled && var.region != ""
  network_id    = try(aws_vpc.core[0].id, "")
  gateway_count = var.shared_gateway ? 1 : var.gateway_per_zone ? length(var.zones) : local.edge_count
  route_pairs = flatten([
    for name, route in var.routes : [
      for cidr in route.cidrs : {
        key  = "${name}-${cidr}"
        cidr = cidr
      }
    ]
  ])
}

resource "aws_vpc" "core" {
  count = local.enabled ? 1 : 0

  cidr_block         = var.ipam_pool_id != null ? null : var.cidr
  ipv4_ipam_pool_id  = var.ipam_pool_id
  enable_dns_support = true
  instance_tenancy   = "default"

  tags = merge(
    { "Name" = var.name },
    var.tags,
  )
}

resource "aws_subnet" "edge" {
  count = local.enabled && (!var.gateway_per_zone || local.edge_count >= length(var.zones)) ? local.edge_count : 0

  availability_zone = length(regexall("^[a-z]{2}-", element(var.zones, count.index))) > 0 ? element(var.zones, count.index) : null
  cidr_block        = var.ipv6_only ? null : element(concat(var.edge_subnets, [""]), count.index)
  ipv6_cidr_block   = var.ipv6 ? cidrsubnet(aws_vpc.core[0].ipv6_cidr_block, 8, var.edge_ipv6_offsets[count.index]) : null
  vpc_id            = local.network_id

  tags = merge(
    {
      Name = try(
        var.edge_names[count.index],
        format("${var.name}-edge-%s", element(var.zones, count.index))
      )
    },
    var.tags,
    lookup(var.edge_tags_by_zone, element(var.zones, count.index), {})
  )
}

resource "aws_route" "edge_default" {
  count = local.enabled ? 1 : 0

  route_table_id         = aws_route_table.edge.0.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.core.*.id[0]

  timeouts {
    create = "5m"
  }
}

resource "aws_network_acl_rule" "edge_in" {
  count = local.enabled ? length(var.edge_acl_rules) : 0

  network_acl_id = aws_network_acl.edge[0].id
  egress         = false
  rule_number    = var.edge_acl_rules[count.index]["rule_number"]
  from_port      = lookup(var.edge_acl_rules[count.index], "from_port", null)
}

output "edge_subnet_arns" {
  description = "ARNs of the edge subnets"
  value       = aws_subnet.edge[*].arn
}

output "zones_by_subnet" {
  value = zipmap(aws_subnet.edge[*].id, [for s in aws_subnet.edge : s.availability_zone])
}
