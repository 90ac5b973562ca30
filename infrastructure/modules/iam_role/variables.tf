# ─── Inputs ───

variable "name" {
  description = "Role name; follows {domain_abbr}-{purpose}-{account_id}-{env}."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be a valid IAM role name of at most 64 characters."
  }
}

variable "path" {
  description = "IAM path of the role (e.g. /f01/projects/); lets deploy roles manage a subtree only."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9_+=,.@-]+/)*$", var.path))
    error_message = "path must start and end with a slash."
  }
}

variable "description" {
  description = "What the role is for."
  type        = string
  default     = ""
}

variable "trusted_services" {
  description = "Service principals allowed to assume the role (e.g. glue.amazonaws.com)."
  type        = list(string)

  validation {
    condition     = length(var.trusted_services) > 0 && alltrue([for s in var.trusted_services : endswith(s, ".amazonaws.com")])
    error_message = "trusted_services must list service principals ending in .amazonaws.com."
  }
}

variable "enable_source_account_condition" {
  description = "Require aws:SourceAccount = this account in the trust policy (confused-deputy protection). Enable for services that send it (states, events, vpc-flow-logs)."
  type        = bool
  default     = true
}

variable "inline_policies" {
  description = "Inline policies: name => policy JSON (e.g. data.aws_iam_policy_document.x.json). Keys must be known at plan time."
  type        = map(string)
  default     = {}
}

variable "managed_policy_arns" {
  description = "Managed policies to attach."
  type        = list(string)
  default     = []
}

variable "permissions_boundary_arn" {
  description = "ARN of the permissions boundary policy, or null."
  type        = string
  default     = null
}

variable "max_session_duration" {
  description = "Maximum session duration in seconds (3600-43200)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}

variable "tags" {
  description = "Extra tags of the role (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
