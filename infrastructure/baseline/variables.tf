# ─── Inputs ───
# The environment roots (infrastructure/environments/<env>) pass the environment's name and
# its entry of environments/environments.json; everything else comes from setup/domain.json.

variable "environment" {
  description = "Environment name: a key of environments/environments.json."
  type        = string

  validation {
    condition     = contains(keys(jsondecode(file("${path.module}/../environments/environments.json"))), var.environment)
    error_message = "environment must be a key of infrastructure/environments/environments.json."
  }
}

variable "settings" {
  description = "Per-environment settings (one entry of environments/environments.json)."
  type = object({
    vpc_cidr                           = string
    availability_zone_count            = optional(number, 2)
    glue_execution_class               = optional(string, "FLEX")
    glue_enable_auto_scaling           = optional(bool, true)
    log_retention_days                 = optional(number, 365)
    access_log_retention_days          = optional(number, 365)
    kms_deletion_window_in_days        = optional(number, 30)
    intelligent_tiering_after_days     = optional(number, 30)
    noncurrent_version_expiration_days = optional(number, 30)
    alert_email_addresses              = optional(list(string), [])
  })

  validation {
    condition     = can(cidrhost(var.settings.vpc_cidr, 0)) && tonumber(split("/", var.settings.vpc_cidr)[1]) <= 20
    error_message = "settings.vpc_cidr must be a CIDR block of /20 or larger."
  }

  validation {
    condition     = var.settings.availability_zone_count >= 2 && var.settings.availability_zone_count <= 4
    error_message = "settings.availability_zone_count must be between 2 and 4."
  }

  validation {
    condition     = contains(["FLEX", "STANDARD"], var.settings.glue_execution_class)
    error_message = "settings.glue_execution_class must be FLEX or STANDARD."
  }

  validation {
    condition     = var.settings.kms_deletion_window_in_days >= 7 && var.settings.kms_deletion_window_in_days <= 30
    error_message = "settings.kms_deletion_window_in_days must be between 7 and 30."
  }

  validation {
    condition     = var.settings.access_log_retention_days > 90
    error_message = "settings.access_log_retention_days must exceed 90 (logs move to Glacier Instant Retrieval after 90 days)."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs (90 days)."
  type        = number
  default     = 90

  validation {
    condition     = contains([30, 60, 90, 120, 150, 180, 365, 400, 545, 731], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a CloudWatch Logs retention value between 30 and 731."
  }
}
