# ─── Inputs ───

variable "bucket_name" {
  description = "Bucket name; follows {domain_abbr}-{purpose}-{account_id}-{env}."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS CMK for default encryption (SSE-KMS). null means SSE-S3, which only the server-access-log bucket may use (AWS does not deliver access logs to SSE-KMS buckets)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}

variable "enable_versioning" {
  description = "Keep object versions (noncurrent versions expire through lifecycle_rules)."
  type        = bool
  default     = true
}

variable "enable_access_logging" {
  description = "Send server access logs to logging_bucket_id. Must stay false for the log bucket itself (it would log its own log writes forever)."
  type        = bool
  default     = false
}

variable "logging_bucket_id" {
  description = "Name of the bucket receiving server access logs; required when enable_access_logging is true."
  type        = string
  default     = null

  validation {
    condition     = !var.enable_access_logging || var.logging_bucket_id != null
    error_message = "logging_bucket_id is required when enable_access_logging is true."
  }

  validation {
    condition     = var.logging_bucket_id == null || var.logging_bucket_id != var.bucket_name
    error_message = "A bucket must not log its accesses to itself."
  }
}

variable "logging_prefix" {
  description = "Prefix of the access-log objects in the logging bucket; empty means \"<bucket_name>/\"."
  type        = string
  default     = ""
}

variable "create_bucket_policy" {
  description = "Attach this module's bucket policy (TLS-only, plus log delivery when configured). A bucket has a single policy: disable only if another aws_s3_bucket_policy for this bucket carries the same TLS deny."
  type        = bool
  default     = true
}

variable "log_delivery_source_bucket_arns" {
  description = "ARNs (wildcards allowed) of the buckets whose server access logs this bucket receives; non-empty adds the logging.s3.amazonaws.com grant to the bucket policy."
  type        = list(string)
  default     = []
}

variable "lifecycle_rules" {
  description = "Lifecycle rules: storage-class transitions, optional expiry, expiring noncurrent versions (a rule aborting incomplete multipart uploads is always added)."
  type = list(object({
    id                                 = string
    enabled                            = optional(bool, true)
    prefix                             = optional(string, "")
    transitions                        = optional(list(object({ days = number, storage_class = string })), [])
    expiration_days                    = optional(number)
    noncurrent_version_expiration_days = optional(number, 30)
  }))
  default = [{ id = "noncurrent-versions" }]

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      for t in r.transitions : contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class)
    ]]))
    error_message = "Transition storage_class must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1
    error_message = "abort_incomplete_multipart_upload_days must be at least 1."
  }
}

variable "enable_eventbridge_notifications" {
  description = "Send the bucket's object events to Amazon EventBridge."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags of the bucket (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
