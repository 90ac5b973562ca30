# ─── Inputs ───

variable "role_name" {
  description = "Role name; follows {domain_abbr}-{project}-optimizer-{account_id}-{env}."
  type        = string
}

variable "path" {
  description = "IAM path of the optimizer role (project roles live under /{domain_abbr}/projects/)."
  type        = string
  default     = "/"
}

variable "description" {
  description = "What the optimizer role is for."
  type        = string
  default     = "Glue table optimizer role (compaction, snapshot retention, orphan-file deletion)"
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the optimizer role (the baseline's project boundary), or null."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "ARN of the domain CMK the Iceberg table data is encrypted with."
  type        = string
}

variable "table_bucket_arns" {
  description = "ARNs of the buckets holding the project's Iceberg tables (refined, curated); at least one (a project without Iceberg tables needs no optimizer role)."
  type        = list(string)
}

variable "table_prefixes" {
  description = "Object key prefixes of the project's tables in those buckets, without a slash at either end (the project name). The optimizers rewrite, expire and delete files, and list the buckets, under these prefixes only."
  type        = list(string)

  validation {
    condition     = alltrue([for prefix in var.table_prefixes : can(regex("^[A-Za-z0-9_.=-]+(/[A-Za-z0-9_.=-]+)*$", prefix))])
    error_message = "Each prefix must be a non-empty key prefix such as \"project01\": no wildcard, no leading or trailing slash (never the whole bucket)."
  }
}

variable "tables" {
  description = "The project's Iceberg tables (database and name) whose optimizers run as this role; at least one. No other table of the catalog is reachable."
  type        = list(object({ database = string, name = string }))
}

variable "tags" {
  description = "Extra tags of the optimizer role (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
