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
  description = "ARNs of the buckets holding the project's Iceberg tables (refined, curated)."
  type        = list(string)
}

variable "glue_database_names" {
  description = "Glue databases holding the project's Iceberg tables."
  type        = list(string)
}

variable "tags" {
  description = "Extra tags of the optimizer role (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
