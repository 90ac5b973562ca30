# ─── Inputs ───

variable "name" {
  description = "Job name; follows {domain_abbr}-{project}-{job}-{account_id}-{env}."
  type        = string
}

variable "description" {
  description = "What the job does."
  type        = string
  default     = ""
}

variable "role_arn" {
  description = "ARN of the job's execution role (modules/iam_glue_job)."
  type        = string
}

variable "script_location" {
  description = "S3 URI of the PySpark script (s3://<artifacts>/jobs/<wheel_version>/<project>/<script>.py)."
  type        = string

  validation {
    condition     = can(regex("^s3://.+\\.py$", var.script_location))
    error_message = "script_location must be an s3:// URI of a .py file."
  }
}

variable "extra_py_files" {
  description = "S3 URIs of the Python dependencies (the versioned foundation wheel)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for f in var.extra_py_files : can(regex("^s3://", f))])
    error_message = "extra_py_files must be s3:// URIs."
  }
}

variable "iceberg_warehouse" {
  description = "S3 URI of the Iceberg warehouse of the glue_catalog catalog (s3://<refined>/warehouse/)."
  type        = string

  validation {
    condition     = can(regex("^s3://.+/$", var.iceberg_warehouse))
    error_message = "iceberg_warehouse must be an s3:// folder ending with a slash."
  }
}

variable "temp_dir" {
  description = "S3 URI of the job's scratch folder (--TempDir)."
  type        = string

  validation {
    condition     = can(regex("^s3://.+/$", var.temp_dir))
    error_message = "temp_dir must be an s3:// folder ending with a slash."
  }
}

variable "default_arguments" {
  description = "Job arguments (--KEY = value) added to, and overriding, the platform defaults."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.default_arguments) : startswith(k, "--")])
    error_message = "Argument names must start with --."
  }
}

variable "glue_version" {
  description = "Glue version (5.1: Spark 3.5.6, Python 3.11, Iceberg 1.10)."
  type        = string
  default     = "5.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.glue_version))
    error_message = "glue_version must look like 5.1."
  }
}

variable "worker_type" {
  description = "Worker type of a Spark ETL (glueetl) job. G.025X exists for streaming jobs only: Glue rejects it for glueetl, so it is refused here, at plan time."
  type        = string
  default     = "G.1X"

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X"], var.worker_type)
    error_message = "worker_type must be one of G.1X, G.2X, G.4X, G.8X (G.025X is for Glue streaming jobs, not glueetl)."
  }
}

variable "number_of_workers" {
  description = "Number of workers (the maximum when auto scaling is on)."
  type        = number
  default     = 2

  validation {
    condition     = var.number_of_workers >= 2 && var.number_of_workers <= 100
    error_message = "number_of_workers must be between 2 and 100."
  }
}

variable "execution_class" {
  description = "FLEX (spare capacity, cheaper, may start later) or STANDARD. FLEX applies to G.1X/G.2X only."
  type        = string
  default     = "FLEX"

  validation {
    condition     = contains(["FLEX", "STANDARD"], var.execution_class)
    error_message = "execution_class must be FLEX or STANDARD."
  }
}

variable "enable_auto_scaling" {
  description = "Let Glue scale workers up to number_of_workers (--enable-auto-scaling)."
  type        = bool
  default     = true
}

variable "timeout_minutes" {
  description = "Job run timeout in minutes."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_minutes >= 1 && var.timeout_minutes <= 2880
    error_message = "timeout_minutes must be between 1 and 2880."
  }
}

variable "max_concurrent_runs" {
  description = "Maximum concurrent runs of the job."
  type        = number
  default     = 1

  validation {
    condition     = var.max_concurrent_runs >= 1 && var.max_concurrent_runs <= 10
    error_message = "max_concurrent_runs must be between 1 and 10."
  }
}

variable "max_retries" {
  description = "Glue-level retries; 0 by default because Step Functions retries the job with backoff."
  type        = number
  default     = 0
}

variable "security_configuration" {
  description = "Name of the Glue security configuration (CMK encryption of S3 writes, logs, bookmarks)."
  type        = string
}

variable "connections" {
  description = "Glue network connections (private subnets of the domain VPC)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags of the job (the provider's default_tags add the traceability tags)."
  type        = map(string)
  default     = {}
}
