# ─── Permissions boundary of project roles ───
# Every role a project stack creates (Glue job role, table-optimizer role) lives under
# /{domain_abbr}/projects/ and carries this boundary. The projects deploy role may only create
# roles with it (cicd stack), so a project cannot grant itself more than this envelope:
# the environment's data and artifacts, its Glue catalog, Glue logs and the domain CMK.

locals {
  glue_arn          = "arn:aws:glue:${local.region}:${local.account_id}"
  data_bucket_arns  = [for bucket in module.s3_data : bucket.bucket_arn]
  glue_db_pattern   = "${local.abbr}_*_${var.environment}"
  private_subnets   = [for subnet in aws_subnet.private : subnet.arn]
  network_interface = "arn:aws:ec2:${local.region}:${local.account_id}:network-interface/*"
}

data "aws_iam_policy_document" "project_boundary" {
  statement {
    sid       = "DataObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [for arn in local.data_bucket_arns : "${arn}/*"]
  }

  statement {
    sid       = "DataBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = local.data_bucket_arns
  }

  statement {
    sid     = "GlueCatalog"
    effect  = "Allow"
    actions = ["glue:Get*", "glue:BatchGet*", "glue:*Table", "glue:*Partition", "glue:BatchCreatePartition", "glue:BatchDeletePartition"]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/default",
      "${local.glue_arn}:database/${local.glue_db_pattern}",
      "${local.glue_arn}:table/${local.glue_db_pattern}/*",
      "${local.glue_arn}:userDefinedFunction/${local.glue_db_pattern}/*",
      "${local.glue_arn}:connection/${local.abbr}-*",
    ]
  }

  statement {
    sid       = "GlueLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = ["arn:aws:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*"]
  }

  # Resource "*" is required by AWS: cloudwatch:PutMetricData has no resource-level
  # permissions. Limited to the Glue namespace.
  statement {
    sid       = "GlueMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["Glue*"]
    }
  }

  # Resource "*" is required by AWS: these EC2 Describe calls support no resource-level
  # permissions (P0-SEC-02). Read-only.
  statement {
    sid       = "DescribeNetworking"
    effect    = "Allow"
    actions   = ["ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables"]
    resources = ["*"]
  }

  statement {
    sid       = "NetworkInterfacesInDomainSubnets"
    effect    = "Allow"
    actions   = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeVpcAttribute"]
    resources = concat(local.private_subnets, [aws_vpc.this.arn, aws_security_group.glue_job.arn, local.network_interface])
  }

  statement {
    sid       = "DataLakeKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_policy" "project_boundary" {
  name        = format(local.name_format, "project-boundary")
  description = "Permissions boundary of the ${var.environment} project roles"
  policy      = data.aws_iam_policy_document.project_boundary.json
}
