# ─── Private subnets ───
# One private subnet per availability zone, keyed a, b, c, ... (stable keys). The only route
# table has no default route: the S3 gateway endpoint adds the S3 prefix list, nothing else.

locals {
  subnet_keys = slice(["a", "b", "c", "d"], 0, var.settings.availability_zone_count)

  # Interface endpoints: Glue API, STS (account lookups), CloudWatch Logs and
  # CloudWatch metrics ("monitoring"): jobs run with --enable-metrics, and with no NAT their
  # PutMetricData calls reach CloudWatch only through this endpoint.
  interface_endpoint_services = toset(["glue", "sts", "logs", "monitoring"])
}

# Pinned to the zones the subnets use (<region>a, <region>b, ...): a zone AWS adds later
# never changes the result.
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "zone-name"
    values = [for key in local.subnet_keys : "${local.region}${key}"]
  }
}

resource "aws_subnet" "private" {
  for_each = { for i, key in local.subnet_keys : key => i }

  vpc_id                  = aws_vpc.this.id
  availability_zone       = sort(data.aws_availability_zones.available.names)[each.value]
  cidr_block              = cidrsubnet(var.settings.vpc_cidr, 4, each.value)
  map_public_ip_on_launch = false

  tags = { Name = format(local.name_format, "private-${each.key}") }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  tags = { Name = format(local.name_format, "private-rt") }
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

# ─── VPC endpoints ───

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]

  tags = { Name = format(local.name_format, "vpce-s3") }
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoint_services

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [for subnet in aws_subnet.private : subnet.id]
  security_group_ids  = [aws_security_group.vpc_endpoints.id]
  private_dns_enabled = true

  tags = { Name = format(local.name_format, "vpce-${each.key}") }
}

# ─── Security groups ───
# No rule reaches 0.0.0.0/0 or ::/0. Glue workers talk to each other (shuffle) and, over
# HTTPS, to the interface endpoints (VPC CIDR) and to S3 through the gateway endpoint (the S3
# prefix list: gateway-endpoint traffic goes to S3's public ranges, not to the VPC CIDR).

resource "aws_security_group" "vpc_endpoints" {
  name        = format(local.name_format, "vpce")
  description = "Interface VPC endpoints: HTTPS from inside the VPC only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = format(local.name_format, "vpce") }
}

resource "aws_vpc_security_group_ingress_rule" "vpc_endpoints_https" {
  security_group_id = aws_security_group.vpc_endpoints.id
  description       = "HTTPS from the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this.cidr_block
}

resource "aws_vpc_security_group_egress_rule" "vpc_endpoints_vpc" {
  security_group_id = aws_security_group.vpc_endpoints.id
  description       = "Responses and traffic inside the VPC only"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this.cidr_block
}

resource "aws_security_group" "glue_job" {
  #checkov:skip=CKV2_AWS_5:Attached to the Glue network connections (glue.tf), which checkov does not follow.
  name        = format(local.name_format, "glue")
  description = "Glue job workers: shuffle between workers, HTTPS to the VPC endpoints"
  vpc_id      = aws_vpc.this.id

  tags = { Name = format(local.name_format, "glue") }
}

resource "aws_vpc_security_group_ingress_rule" "glue_job_self" {
  #checkov:skip=CKV_AWS_24:The source is the group itself (referenced_security_group_id), not 0.0.0.0/0.
  #checkov:skip=CKV_AWS_25:The source is the group itself (referenced_security_group_id), not 0.0.0.0/0.
  #checkov:skip=CKV_AWS_260:The source is the group itself (referenced_security_group_id), not 0.0.0.0/0.
  security_group_id            = aws_security_group.glue_job.id
  description                  = "Glue worker shuffle traffic (self, required by Glue)"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.glue_job.id
}

resource "aws_vpc_security_group_egress_rule" "glue_job_self" {
  security_group_id            = aws_security_group.glue_job.id
  description                  = "Glue worker shuffle traffic (self)"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.glue_job.id
}

resource "aws_vpc_security_group_egress_rule" "glue_job_endpoints" {
  security_group_id = aws_security_group.glue_job.id
  description       = "HTTPS to the interface VPC endpoints (Glue, STS, CloudWatch Logs and metrics)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this.cidr_block
}

resource "aws_vpc_security_group_egress_rule" "glue_job_s3" {
  security_group_id = aws_security_group.glue_job.id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
}
