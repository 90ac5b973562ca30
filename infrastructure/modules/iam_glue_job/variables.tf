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

variable "data_bucket_arns" {
  description = "ARNs of the data buckets the jobs read and write (raw, refined, curated)."
  type        = list(string)
}

variable "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket (wheel, job scripts, Glue temp dir)."
  type        = string
}

variable "artifact_object_arns" {
  description = "Object ARN patterns the jobs may read in the artifacts bucket (wheels/*, jobs/<project>/*)."
  type        = list(string)
}

variable "scratch_object_arns" {
  description = "Object ARN patterns the jobs may read, write and delete as scratch space (--TempDir)."
  type        = list(string)
  default     = []
}

variable "glue_database_names" {
  description = "Glue databases the jobs read and write."
  type        = list(string)
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
