# ─── Inputs ───

variable "name" {
  description = "Database name; follows {domain_abbr}_{layer}_{env} (e.g. f01_refined_dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{1,254}$", var.name))
    error_message = "name must be lower-case letters, digits and underscores (Glue and Athena reject hyphens)."
  }
}

variable "description" {
  description = "What the database holds."
  type        = string
  default     = ""
}

variable "location_uri" {
  description = "Default S3 location of the database's tables (s3://bucket/prefix/), or null."
  type        = string
  default     = null

  validation {
    condition     = var.location_uri == null || can(regex("^s3://", var.location_uri))
    error_message = "location_uri must start with s3://."
  }
}

variable "tags" {
  description = "Extra tags of the database (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
