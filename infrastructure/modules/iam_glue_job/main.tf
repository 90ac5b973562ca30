# ─── IAM role for a project's Glue jobs ───
# Least privilege for the PySpark jobs of one project: its data buckets, its artifacts, the
# layer databases, Glue's CloudWatch logs and metrics, the VPC network interfaces Glue creates
# in the domain's private subnets, and the domain CMK.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  glue_arn   = "arn:aws:glue:${local.region}:${local.account_id}"
}

data "aws_iam_policy_document" "this" {
  statement {
    sid    = "S3DataReadWrite"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = concat([for arn in var.data_bucket_arns : "${arn}/*"], var.scratch_object_arns)
  }

  statement {
    sid       = "S3ArtifactsRead"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = var.artifact_object_arns
  }

  statement {
    sid       = "S3ListBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = concat(var.data_bucket_arns, [var.artifacts_bucket_arn])
  }

  statement {
    sid    = "GlueCatalogReadWrite"
    effect = "Allow"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:DeleteTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:DeletePartition",
      "glue:BatchDeletePartition",
      "glue:GetUserDefinedFunction",
      "glue:GetUserDefinedFunctions",
    ]
    resources = concat(
      ["${local.glue_arn}:catalog"],
      [for db in var.glue_database_names : "${local.glue_arn}:database/${db}"],
      [for db in var.glue_database_names : "${local.glue_arn}:table/${db}/*"],
      [for db in var.glue_database_names : "${local.glue_arn}:userDefinedFunction/${db}/*"],
    )
  }

  # Spark's Glue catalog client looks up the "default" database when a session starts.
  statement {
    sid       = "GlueDefaultDatabaseRead"
    effect    = "Allow"
    actions   = ["glue:GetDatabase"]
    resources = ["${local.glue_arn}:catalog", "${local.glue_arn}:database/default"]
  }

  dynamic "statement" {
    for_each = length(var.glue_connection_names) > 0 ? [1] : []

    content {
      sid       = "GlueNetworkConnections"
      effect    = "Allow"
      actions   = ["glue:GetConnection", "glue:GetConnections"]
      resources = concat(["${local.glue_arn}:catalog"], [for c in var.glue_connection_names : "${local.glue_arn}:connection/${c}"])
    }
  }

  statement {
    sid    = "CloudWatchLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:AssociateKmsKey",
    ]
    resources = ["arn:aws:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*"]
  }

  # cloudwatch:PutMetricData has no resource-level permissions: AWS requires Resource "*".
  # The namespace condition limits it to Glue's job metrics (--enable-metrics).
  statement {
    sid       = "CloudWatchMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue"]
    }
  }

  # P0-SEC-02: Resource "*" here is intentional and required by AWS, not a misconfiguration.
  # These EC2 Describe* calls are List-category APIs without resource-level permissions
  # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html);
  # IAM only accepts "*" for them. They are read-only.
  statement {
    sid    = "EC2DescribeNetworking"
    effect = "Allow"
    actions = [
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeVpcEndpoints",
      "ec2:DescribeRouteTables",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "EC2DescribeDomainVpc"
    effect    = "Allow"
    actions   = ["ec2:DescribeVpcAttribute"]
    resources = [var.vpc_arn]
  }

  # Glue attaches its workers to the VPC through network interfaces: creating one is allowed
  # only in the domain's private subnets with the domain's Glue security group.
  statement {
    sid       = "EC2CreateNetworkInterfaceInDomainSubnets"
    effect    = "Allow"
    actions   = ["ec2:CreateNetworkInterface"]
    resources = concat(var.subnet_arns, var.security_group_arns)
  }

  statement {
    sid    = "EC2ManageNetworkInterfacesInDomainSubnets"
    effect = "Allow"
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:CreateTags",
      "ec2:DeleteTags",
    ]
    resources = ["arn:aws:ec2:${local.region}:${local.account_id}:network-interface/*"]

    condition {
      test     = "ArnEquals"
      variable = "ec2:Subnet"
      values   = var.subnet_arns
    }
  }

  statement {
    sid    = "KMSDataLakeKey"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:DescribeKey",
    ]
    resources = [var.kms_key_arn]
  }
}

module "role" {
  source = "../iam_role"

  name                     = var.role_name
  path                     = var.path
  description              = var.description
  trusted_services         = ["glue.amazonaws.com"]
  permissions_boundary_arn = var.permissions_boundary_arn
  inline_policies          = { "glue-job" = data.aws_iam_policy_document.this.json }
  tags                     = var.tags

  # Glue jobs assume their role without sending aws:SourceAccount.
  enable_source_account_condition = false
}
