# ─── Iceberg table (refined and curated layers) ───
# Terraform creates the table through Glue's open-table-format API; afterwards Iceberg owns
# its metadata: every commit rewrites metadata_location (parameters) and the column list
# (storage_descriptor), so Terraform must not revert them. Schema changes go through Spark
# DDL (ALTER TABLE), not through this module.

data "aws_caller_identity" "current" {}

resource "aws_glue_catalog_table" "this" {
  name          = var.table_name
  database_name = var.database_name
  description   = var.description
  table_type    = "EXTERNAL_TABLE"

  open_table_format_input {
    iceberg_input {
      metadata_operation = "CREATE"
      version            = var.format_version
    }
  }

  storage_descriptor {
    location = var.location

    dynamic "columns" {
      for_each = var.columns
      iterator = column

      content {
        name    = column.value.name
        type    = column.value.type
        comment = column.value.comment
      }
    }
  }

  lifecycle {
    ignore_changes = [parameters, storage_descriptor, open_table_format_input]

    # ignore_changes also keeps an existing table where it was created. A table the catalog
    # places elsewhere than the configuration (e.g. created before tables moved under their
    # project's prefix) would be written where the project's roles may not reach: say so at
    # plan time instead of failing in the job. Iceberg may store the location without the
    # trailing slash.
    postcondition {
      condition     = trimsuffix(self.storage_descriptor[0].location, "/") == trimsuffix(var.location, "/")
      error_message = "Table ${var.database_name}.${var.table_name} is at ${self.storage_descriptor[0].location} in the Glue catalog, not at ${var.location}: Terraform does not move an Iceberg table. Recreate it at the new location (terraform apply -replace on its aws_glue_catalog_table, then rerun the pipeline that writes it) or move its data and metadata first; see docs/infrastructure.md."
    }
  }
}

# ─── Table optimizers ───
# The three Glue-managed Iceberg maintenance jobs, created with every table (no separate
# optimizer module): compaction, snapshot retention and orphan-file deletion. They run as
# the project's table-optimizer role (modules/iam_table_optimizer).

resource "aws_glue_catalog_table_optimizer" "compaction" {
  catalog_id    = data.aws_caller_identity.current.account_id
  database_name = var.database_name
  table_name    = aws_glue_catalog_table.this.name
  type          = "compaction"

  configuration {
    role_arn = var.optimizer_role_arn
    enabled  = var.optimizers.enable_compaction
  }
}

resource "aws_glue_catalog_table_optimizer" "retention" {
  catalog_id    = data.aws_caller_identity.current.account_id
  database_name = var.database_name
  table_name    = aws_glue_catalog_table.this.name
  type          = "retention"

  configuration {
    role_arn = var.optimizer_role_arn
    enabled  = var.optimizers.enable_snapshot_retention

    retention_configuration {
      iceberg_configuration {
        snapshot_retention_period_in_days = var.optimizers.snapshot_retention_period_in_days
        number_of_snapshots_to_retain     = var.optimizers.number_of_snapshots_to_retain
        clean_expired_files               = var.optimizers.clean_expired_files
      }
    }
  }
}

resource "aws_glue_catalog_table_optimizer" "orphan_file_deletion" {
  catalog_id    = data.aws_caller_identity.current.account_id
  database_name = var.database_name
  table_name    = aws_glue_catalog_table.this.name
  type          = "orphan_file_deletion"

  configuration {
    role_arn = var.optimizer_role_arn
    enabled  = var.optimizers.enable_orphan_file_deletion

    orphan_file_deletion_configuration {
      iceberg_configuration {
        orphan_file_retention_period_in_days = var.optimizers.orphan_file_retention_period_in_days
        location                             = var.location
      }
    }
  }
}
