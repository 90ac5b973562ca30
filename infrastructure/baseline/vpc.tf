# ─── VPC ───
# Private-only network for Glue workers: no internet gateway, no NAT. AWS services
# are reached through the VPC endpoints in subnets.tf.

resource "aws_vpc" "this" {
  cidr_block           = var.settings.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = format(local.name_format, "vpc") }
}

# The default security group allows nothing (every group in use is explicit).
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = format(local.name_format, "default-sg") }
}

# ─── VPC flow logs ───
# All traffic to a CMK-encrypted log group kept 90 days, written by a role that may only
# write to that log group.

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:Flow logs are kept 90 days by requirement; older traffic records are not needed.
  name              = "/aws/vpc/${format(local.name_format, "vpc")}/flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    sid    = "WriteFlowLogsToItsLogGroup"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = [
      aws_cloudwatch_log_group.flow_logs.arn,
      "${aws_cloudwatch_log_group.flow_logs.arn}:*",
    ]
  }
}

module "flow_logs_role" {
  source = "../modules/iam_role"

  name             = format(local.name_format, "vpc-flow-logs")
  path             = module.naming.baseline_role_path
  description      = "VPC flow logs delivery to ${aws_cloudwatch_log_group.flow_logs.name}"
  trusted_services = ["vpc-flow-logs.amazonaws.com"]
  inline_policies  = { "flow-logs" = data.aws_iam_policy_document.flow_logs.json }
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = module.flow_logs_role.role_arn
  max_aggregation_interval = 60

  tags = { Name = format(local.name_format, "flow-log") }
}
