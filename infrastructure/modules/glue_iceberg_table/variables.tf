# ─── Inputs ───

variable "database_name" {
  description = "Glue database of the Iceberg table (refined or curated layer, e.g. f01_refined_dev)."
  type        = string
}

variable "table_name" {
  description = "Iceberg table name; Spark addresses it as glue_catalog.<database>.<table>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.table_name))
    error_message = "Iceberg table names must be lower-case letters, digits and underscores."
  }
}

variable "description" {
  description = "What the Iceberg table holds."
  type        = string
  default     = ""
}

variable "location" {
  description = "S3 folder of the table (data and metadata), s3://bucket/prefix/."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9.-]+/.*/$", var.location))
    error_message = "location must be the table's s3:// folder, ending with a slash."
  }
}

variable "columns" {
  description = "Ordered columns from the table's data contract: name, physical (Spark/Hive) type, comment and required. Types map to Iceberg's (bigint -> long, timestamp -> timestamptz, ...); see metadata/main.tf."
  type        = list(object({ name = string, type = string, comment = optional(string), required = optional(bool, false) }))
}

variable "partition_fields" {
  description = "Iceberg partition fields in order: source column and transform (identity, year, month, day, hour, bucket[N], truncate[W])."
  type        = list(object({ column = string, transform = string }))
  default     = []
}

variable "sort_order" {
  description = "The table's write order: \"<column> [ASC|DESC] [NULLS FIRST|LAST]\" per entry."
  type        = list(string)
  default     = []
}

variable "properties" {
  description = "Iceberg table properties added to the platform's defaults (metadata/main.tf)."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "ARN of the KMS key the layer bucket encrypts with; the table's first metadata file is encrypted with it."
  type        = string
}

variable "optimizer_role_arn" {
  description = "ARN of the IAM role the Glue table optimizers run as (modules/iam_table_optimizer)."
  type        = string
}

variable "optimizers" {
  description = "Settings of the three table optimizers (compaction, snapshot retention, orphan-file deletion)."
  type = object({
    enable_compaction                    = optional(bool, true)
    enable_snapshot_retention            = optional(bool, true)
    snapshot_retention_period_in_days    = optional(number, 5)
    number_of_snapshots_to_retain        = optional(number, 1)
    clean_expired_files                  = optional(bool, true)
    enable_orphan_file_deletion          = optional(bool, true)
    orphan_file_retention_period_in_days = optional(number, 3)
  })
  default = {}

  validation {
    condition     = var.optimizers.snapshot_retention_period_in_days >= 1 && var.optimizers.number_of_snapshots_to_retain >= 1
    error_message = "Snapshot retention needs at least 1 day and 1 snapshot."
  }

  validation {
    condition     = var.optimizers.orphan_file_retention_period_in_days >= 1
    error_message = "orphan_file_retention_period_in_days must be at least 1 (in-flight writes look like orphans)."
  }
}

variable "data_quality_ruleset" {
  description = "The table's Glue Data Quality ruleset (DQDL text, name, description, tags), or null for none."
  type = object({
    name        = string
    description = string
    ruleset     = string
    tags        = map(string)
  })
  default = null
}
