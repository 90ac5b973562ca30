# ─── Inputs ───

variable "role_name" {
  description = "Role name; follows {domain_abbr}-{project}-glue-{account_id}-{env}."
  type        = string
}

variable "path" {
  description = "IAM path of the Glue job role (project roles live under /{domain_abbr}/projects/)."
  type        = string
  default     = "/"
}

variable "description" {
  description = "What the Glue job role is for."
  type        = string
  default     = "Glue job execution role"
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the Glue job role (the baseline's project boundary), or null."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "ARN of the domain CMK (data buckets, Glue security configuration)."
  type        = string
}

variable "data_locations" {
  description = "S3 data the jobs reach, per bucket (key: a short label such as raw, refined, curated): read_write_prefixes (objects the jobs read, write and delete: the project's tables) and read_only_prefixes (objects they only read: landed raw data). Prefixes are object key prefixes without a slash at either end; they also bound s3:ListBucket (s3:prefix condition). Nothing outside them is reachable."
  type = map(object({
    bucket_arn          = string
    read_write_prefixes = optional(list(string), [])
    read_only_prefixes  = optional(list(string), [])
  }))

  validation {
    condition     = alltrue([for label in keys(var.data_locations) : can(regex("^[a-z][a-z0-9]*$", label))])
    error_message = "data_locations keys must be lower-case letters and digits (they name policy statements)."
  }

  # An empty prefix or a wildcard would open the whole bucket, or other projects' data.
  validation {
    condition = alltrue(flatten([
      for location in values(var.data_locations) : [
        for prefix in concat(location.read_write_prefixes, location.read_only_prefixes) :
        can(regex("^[A-Za-z0-9_.=-]+(/[A-Za-z0-9_.=-]+)*$", prefix))
      ]
    ]))
    error_message = "Each prefix must be a non-empty key prefix such as \"project01\" or \"tpch/orders\": no wildcard, no leading or trailing slash."
  }
}

variable "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket (wheel, job scripts, Glue temp dir)."
  type        = string
}

variable "artifact_object_arns" {
  description = "Object ARN patterns the jobs may read in the artifacts bucket (wheels/*, jobs/*/<project>/*: the scripts of every version of the project)."
  type        = list(string)
}

variable "scratch_object_arns" {
  description = "Object ARN patterns the jobs may read, write and delete as scratch space (--TempDir)."
  type        = list(string)
  default     = []
}

variable "tables" {
  description = "Glue Data Catalog tables the jobs use, by database and name: read_write (the project's Iceberg tables: an Iceberg commit reads the table and moves its metadata pointer) and read_only (its raw tables). No other table of the catalog is reachable; Terraform, not the jobs, creates and deletes tables."
  type = object({
    read_write = optional(list(object({ database = string, name = string })), [])
    read_only  = optional(list(object({ database = string, name = string })), [])
  })
  default = {}
}

variable "glue_connection_names" {
  description = "Glue network connections the jobs run in."
  type        = list(string)
  default     = []
}

variable "vpc_arn" {
  description = "ARN of the domain VPC (Glue reads its DNS attributes)."
  type        = string
}

variable "subnet_arns" {
  description = "ARNs of the private subnets Glue may create network interfaces in."
  type        = list(string)

  validation {
    condition     = length(var.subnet_arns) > 0
    error_message = "At least one subnet ARN is required (network interfaces are scoped to them)."
  }
}

variable "security_group_arns" {
  description = "ARNs of the security groups Glue attaches to its network interfaces."
  type        = list(string)
}

variable "tags" {
  description = "Extra tags of the Glue job role (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
