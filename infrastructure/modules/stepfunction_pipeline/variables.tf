# ─── Inputs ───

variable "name" {
  description = "State machine name; follows {domain_abbr}-{project}-{pipeline}-{account_id}-{env}. Also names the log group /aws/states/<name> and the schedule rule."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 letters, digits, hyphens or underscores (EventBridge rule names are limited to 64)."
  }
}

variable "role_arn" {
  description = "ARN of the Step Functions execution role (the baseline's)."
  type        = string
}

variable "glue_job_names" {
  description = "Ordered list of Glue job names to run one after the other."
  type        = list(string)

  validation {
    condition     = length(var.glue_job_names) > 0
    error_message = "A pipeline needs at least one Glue job."
  }
}

variable "step_names" {
  description = "Short names of the steps, one per job (states are named Run_<step>); empty derives them from the job names."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.step_names : can(regex("^[A-Za-z0-9_]{1,70}$", s))])
    error_message = "step_names must be letters, digits and underscores (at most 70)."
  }

  validation {
    condition     = length(var.step_names) == 0 || length(var.step_names) == length(var.glue_job_names)
    error_message = "step_names must have one entry per Glue job."
  }
}

variable "max_retries" {
  description = "Retries of a job task after a transient Glue API error (Retry.MaxAttempts; the errors are in retry_policy.json). A failed job run is not retried."
  type        = number
  default     = 2

  validation {
    condition     = var.max_retries >= 0 && var.max_retries <= 10
    error_message = "max_retries must be between 0 and 10."
  }
}

variable "backoff_seconds" {
  description = "Wait before the first retry (Retry.IntervalSeconds)."
  type        = number
  default     = 60

  validation {
    condition     = var.backoff_seconds >= 1 && var.backoff_seconds <= 3600
    error_message = "backoff_seconds must be between 1 and 3600."
  }
}

variable "backoff_rate" {
  description = "Multiplier of the wait between retries (Retry.BackoffRate)."
  type        = number
  default     = 2

  validation {
    condition     = var.backoff_rate >= 1 && var.backoff_rate <= 10
    error_message = "backoff_rate must be between 1 and 10."
  }
}

variable "enable_failure_notification" {
  description = "On failure, publish the error to notification_topic_arn before failing."
  type        = bool
  default     = false
}

variable "notification_topic_arn" {
  description = "SNS topic for failure notifications (the baseline's alerts topic)."
  type        = string
  default     = null

  validation {
    condition     = !var.enable_failure_notification || var.notification_topic_arn != null
    error_message = "notification_topic_arn is required when enable_failure_notification is true."
  }
}

variable "kms_key_arn" {
  description = "ARN of the domain CMK: encrypts the state machine data and its log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the execution log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts."
  }
}

variable "log_level" {
  description = "Execution logging level: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.log_level)
    error_message = "log_level must be ALL, ERROR, FATAL or OFF."
  }
}

variable "include_execution_data" {
  description = "Log state input and output (the log group is CMK-encrypted)."
  type        = bool
  default     = true
}

variable "enable_tracing" {
  description = "Send traces to AWS X-Ray."
  type        = bool
  default     = true
}

variable "schedule_expression" {
  description = "EventBridge schedule, e.g. cron(0 6 * * ? *); null means no schedule."
  type        = string
  default     = null

  validation {
    condition     = var.schedule_expression == null || can(regex("^(cron|rate)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be cron(...) or rate(...)."
  }
}

variable "schedule_role_arn" {
  description = "Role EventBridge assumes to start the pipeline (the baseline's scheduler role); required with a schedule."
  type        = string
  default     = null

  validation {
    condition     = var.schedule_expression == null || var.schedule_role_arn != null
    error_message = "schedule_role_arn is required when schedule_expression is set."
  }
}

variable "tags" {
  description = "Extra tags of the state machine, its log group and schedule (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
