# ─── Inputs ───

variable "domain_abbr" {
  description = "Domain abbreviation from setup/domain.json (e.g. f01)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.domain_abbr))
    error_message = "domain_abbr must be 2-10 lower-case letters or digits, starting with a letter."
  }
}

variable "account_id" {
  description = "AWS account ID the resources live in."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account ID."
  }
}

variable "environment" {
  description = "Environment name (dev, int, prod)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lower-case letters or digits."
  }
}

variable "purposes" {
  description = "Purposes to build full names for (returned in the names output)."
  type        = list(string)
  default     = []
}
