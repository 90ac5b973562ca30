# ─── IAM role for a project's Glue jobs ───
# Least privilege for the PySpark jobs of one project. Every project shares the layer buckets
# and databases, so the role names the project's own data only: object prefixes (its tables
# under <bucket>/<project>/, the landed raw data it declares, read-only) and the catalog
# entries of its own tables. Besides: its artifacts, Glue's CloudWatch logs and metrics, the
# VPC network interfaces Glue creates in the domain's private subnets, and the domain CMK.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  glue_arn   = "arn:aws:glue:${local.region}:${local.account_id}"

  read_write_objects = flatten([
    for location in values(var.data_locations) : [for prefix in location.read_write_prefixes : "${location.bucket_arn}/${prefix}/*"]
  ])
  # A reader of landed data also asks for the folder itself as a key (Hadoop file systems check
  # whether "<prefix>" is a file before listing "<prefix>/"); a 403 there would fail the read.
  read_only_objects = flatten([
    for location in values(var.data_locations) : [for prefix in location.read_only_prefixes : ["${location.bucket_arn}/${prefix}", "${location.bucket_arn}/${prefix}/*"]]
  ])
  # s3:ListBucket per bucket, under the same prefixes: the prefix itself and everything below.
  listed_prefixes = {
    for label, location in var.data_locations : label => {
      bucket_arn = location.bucket_arn
      patterns = distinct(flatten([
        for prefix in concat(location.read_write_prefixes, location.read_only_prefixes) : [prefix, "${prefix}/*"]
      ]))
    } if length(concat(location.read_write_prefixes, location.read_only_prefixes)) > 0
  }

  table_arns = {
    for access, tables in var.tables : access => [for table in tables : "${local.glue_arn}:table/${table.database}/${table.name}"]
  }
  database_arns = {
    for access, tables in var.tables : access => distinct([for table in tables : "${local.glue_arn}:database/${table.database}"])
  }
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = length(local.read_write_objects) + length(var.scratch_object_arns) > 0 ? [1] : []

    content {
      sid    = "S3DataReadWrite"
      effect = "Allow"
      actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ]
      resources = concat(local.read_write_objects, var.scratch_object_arns)
    }
  }

  dynamic "statement" {
    for_each = length(local.read_only_objects) > 0 ? [1] : []

    content {
      sid       = "S3DataReadOnly"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = local.read_only_objects
    }
  }

  dynamic "statement" {
    for_each = local.listed_prefixes
    iterator = location

    content {
      sid       = "S3List${title(location.key)}"
      effect    = "Allow"
      actions   = ["s3:ListBucket"]
      resources = [location.value.bucket_arn]

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = location.value.patterns
      }
    }
  }

  statement {
    sid       = "S3ArtifactsRead"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = var.artifact_object_arns
  }

  statement {
    sid       = "S3ListArtifacts"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.artifacts_bucket_arn]
  }

  statement {
    sid       = "S3BucketLocations"
    effect    = "Allow"
    actions   = ["s3:GetBucketLocation"]
    resources = concat([for location in values(local.listed_prefixes) : location.bucket_arn], [var.artifacts_bucket_arn])
  }

  # Iceberg's GlueCatalog commits by reading the table (GetTable) and swapping its metadata
  # pointer (UpdateTable, with the version it read); Glue authorises both on the catalog, the
  # database and the table. No CreateTable or DeleteTable: Terraform owns the tables.
  dynamic "statement" {
    for_each = length(var.tables.read_write) > 0 ? [1] : []

    content {
      sid       = "GlueOwnTablesReadWrite"
      effect    = "Allow"
      actions   = ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"]
      resources = concat(["${local.glue_arn}:catalog"], local.database_arns.read_write, local.table_arns.read_write)
    }
  }

  dynamic "statement" {
    for_each = length(var.tables.read_only) > 0 ? [1] : []

    content {
      sid       = "GlueOwnTablesReadOnly"
      effect    = "Allow"
      actions   = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"]
      resources = concat(["${local.glue_arn}:catalog"], local.database_arns.read_only, local.table_arns.read_only)
    }
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
