# ─── Inputs ───

variable "name" {
  description = "Ruleset name, unique in the account and region (the naming module's format)."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 255
    error_message = "A Glue Data Quality ruleset name has 1 to 255 characters."
  }
}

variable "description" {
  description = "What the ruleset checks and where it comes from."
  type        = string
  default     = ""

  validation {
    condition     = length(var.description) <= 2048
    error_message = "A ruleset description has at most 2048 characters."
  }
}

variable "ruleset" {
  description = "The DQDL document: optional # comment lines, then Rules = [ ... ]."
  type        = string

  validation {
    condition     = length(var.ruleset) <= 65536 && can(regex("(?m)^Rules\\s*=\\s*\\[", var.ruleset))
    error_message = "ruleset must be a DQDL document of at most 65536 characters with a Rules = [ ... ] section."
  }
}

variable "database_name" {
  description = "Glue database of the table the rules check."
  type        = string
}

variable "table_name" {
  description = "Glue table the rules check."
  type        = string
}

variable "tags" {
  description = "Extra tags of the ruleset (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
