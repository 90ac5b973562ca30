# ─── Iceberg table (refined and curated layers) ───
# Created the way Iceberg's own GlueCatalog creates a table: first the table's metadata file
# (format v2: schema with field ids, partition spec, sort order and properties from the data
# contract; no snapshot) under <location>metadata/, then the Glue table pointing at it
# (table_type=ICEBERG, metadata_location). So the table exists with its layout before its
# first write, and writers change nothing. Glue's own CreateTable with an Iceberg input
# (open_table_format_input) takes no partition spec or sort order in the provider's 5.x.
#
# Afterwards Iceberg owns the metadata: every commit writes the next metadata file and moves
# metadata_location (parameters) and the column list (storage_descriptor), so Terraform does
# not revert them, and it leaves the first file's content as written. Schema changes go
# through Spark DDL (ALTER TABLE), not through this module.

data "aws_caller_identity" "current" {}

locals {
  # The library's table properties file: the tables the writer creates locally and the tables
  # created here carry the same properties. format-version is a field of the file, not a property.
  platform_properties = {
    for key, value in jsondecode(file("${path.module}/../../../src/dp_foundation/iceberg/table_properties.json")) : key => value if key != "format-version"
  }

  bucket = split("/", trimprefix(var.location, "s3://"))[0]
  prefix = trimprefix(trimprefix(var.location, "s3://"), "${local.bucket}/")

  # Milliseconds since the epoch of the plan's time (days-from-civil: Terraform has no epoch
  # function); only the creation's value is kept (ignore_changes below).
  now    = plantimestamp()
  year   = tonumber(substr(local.now, 0, 4)) - (tonumber(substr(local.now, 5, 2)) <= 2 ? 1 : 0)
  month  = tonumber(substr(local.now, 5, 2))
  era    = floor(local.year / 400)
  yoe    = local.year - local.era * 400
  doy    = floor((153 * (local.month + (local.month > 2 ? -3 : 9)) + 2) / 5) + tonumber(substr(local.now, 8, 2)) - 1
  days   = local.era * 146097 + local.yoe * 365 + floor(local.yoe / 4) - floor(local.yoe / 100) + local.doy - 719468
  now_ms = 1000 * (local.days * 86400 + tonumber(substr(local.now, 11, 2)) * 3600 + tonumber(substr(local.now, 14, 2)) * 60 + tonumber(substr(local.now, 17, 2)))
}

module "metadata" {
  source = "./metadata"

  location         = var.location
  columns          = var.columns
  partition_fields = var.partition_fields
  sort_order       = var.sort_order
  properties       = merge(local.platform_properties, var.properties)
  last_updated_ms  = local.now_ms
}

resource "aws_s3_object" "this" {
  bucket       = local.bucket
  key          = "${local.prefix}${module.metadata.path}"
  content      = module.metadata.json
  content_type = "application/json"

  # Like every object of the layer buckets: SSE-KMS with the domain key and an S3 Bucket Key.
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
  bucket_key_enabled     = true

  # A file of the table's data, not a piece of infrastructure: no traceability tags, which
  # would otherwise be rewritten on every deploy (git_sha) on a file Iceberg owns.
  override_provider {
    default_tags {
      tags = {}
    }
  }

  lifecycle {
    # Written once, like any Iceberg metadata file: later plans (a new timestamp, an edited
    # contract) must not rewrite a file the table's history may point at.
    ignore_changes = [content]
  }
}

resource "aws_glue_catalog_table" "this" {
  database_name = var.database_name
  name          = var.table_name
  table_type    = "EXTERNAL_TABLE"
  description   = var.description

  parameters = {
    table_type        = "ICEBERG"
    metadata_location = "s3://${aws_s3_object.this.bucket}/${aws_s3_object.this.key}"
  }

  # What Glue, Athena and the console show until the first commit rewrites it.
  storage_descriptor {
    location = var.location

    dynamic "columns" {
      for_each = module.metadata.glue_columns
      iterator = column

      content {
        name    = column.value.name
        type    = column.value.type
        comment = column.value.comment
      }
    }
  }

  lifecycle {
    # open_table_format_input: tables created before the module wrote their metadata itself
    # were created through it; ignoring it keeps them as they are.
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

# ─── Glue Data Quality ruleset ───
# The table's rules in DQDL (from its data contract), created once the table exists: Glue
# refuses a ruleset whose target table is missing.

module "data_quality_ruleset" {
  source = "../glue_data_quality_ruleset"
  count  = var.data_quality_ruleset == null ? 0 : 1

  name          = var.data_quality_ruleset.name
  description   = var.data_quality_ruleset.description
  ruleset       = var.data_quality_ruleset.ruleset
  tags          = var.data_quality_ruleset.tags
  database_name = aws_glue_catalog_table.this.database_name
  table_name    = aws_glue_catalog_table.this.name
}
