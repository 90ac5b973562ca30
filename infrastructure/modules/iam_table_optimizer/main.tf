# ─── IAM role for the Glue table optimizers ───
# What compaction, snapshot retention and orphan-file deletion need on the project's Iceberg
# tables, and nothing of other projects': the objects under the project's prefixes, the
# catalog entries of its own tables, the optimizers' CloudWatch logs and the domain CMK.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  glue_arn = "arn:aws:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  logs_arn = "arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group"

  table_objects = flatten([for bucket in var.table_bucket_arns : [for prefix in var.table_prefixes : "${bucket}/${prefix}/*"]])
  databases     = distinct([for table in var.tables : "${local.glue_arn}:database/${table.database}"])
}

module "role" {
  source = "../iam_role"

  name                     = var.role_name
  inline_policies          = { "table-optimizer" = data.aws_iam_policy_document.this.json }
  path                     = var.path
  description              = var.description
  trusted_services         = ["glue.amazonaws.com"]
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags

  # The table optimizer service assumes the role without sending aws:SourceAccount.
  enable_source_account_condition = false
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "S3TableObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = local.table_objects
  }

  # Orphan-file deletion lists each table's location: only under the project's prefixes.
  statement {
    sid       = "S3ListTables"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = var.table_bucket_arns

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = flatten([for prefix in var.table_prefixes : [prefix, "${prefix}/*"]])
    }
  }

  statement {
    sid       = "GlueOwnIcebergTables"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"]
    resources = concat(["${local.glue_arn}:catalog"], local.databases, [for table in var.tables : "${local.glue_arn}:table/${table.database}/${table.name}"])
  }

  statement {
    sid     = "OptimizerLogs"
    effect  = "Allow"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "${local.logs_arn}:/aws-glue/iceberg-compaction/logs:*",
      "${local.logs_arn}:/aws-glue/iceberg-retention/logs:*",
      "${local.logs_arn}:/aws-glue/iceberg-orphan-file-deletion/logs:*",
    ]
  }

  statement {
    sid       = "KMSTableData"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}
