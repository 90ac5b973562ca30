# ─── Inputs ───

variable "database_name" {
  description = "Glue database of the table (the raw layer's, e.g. f01_raw_dev)."
  type        = string
}

variable "table_name" {
  description = "Table name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.table_name))
    error_message = "table_name must be lower-case letters, digits and underscores."
  }
}

variable "description" {
  description = "What the table holds."
  type        = string
  default     = ""
}

variable "location" {
  description = "S3 folder of the table's files (s3://bucket/prefix/)."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9.-]+/.*/$", var.location))
    error_message = "location must be an s3:// folder ending with a slash."
  }
}

variable "format" {
  description = "File format: parquet or csv."
  type        = string
  default     = "parquet"

  validation {
    condition     = contains(["parquet", "csv"], var.format)
    error_message = "format must be parquet or csv."
  }
}

variable "csv_delimiter" {
  description = "Field separator of CSV files."
  type        = string
  default     = ","
}

variable "csv_has_header" {
  description = "Whether CSV files start with a header line to skip."
  type        = bool
  default     = true
}

variable "columns" {
  description = "Ordered columns (Hive types: string, int, bigint, decimal(p,s), date, timestamp, ...)."
  type = list(object({
    name    = string
    type    = string
    comment = optional(string)
  }))

  validation {
    condition     = length(var.columns) > 0
    error_message = "A table needs at least one column."
  }

  validation {
    condition     = alltrue([for c in var.columns : can(regex("^[a-z_][a-z0-9_]*$", c.name))])
    error_message = "Column names must be lower-case letters, digits and underscores."
  }
}

variable "partition_keys" {
  description = "Ordered Hive partition columns (folder=value in the location)."
  type = list(object({
    name    = string
    type    = string
    comment = optional(string)
  }))
  default = []
}

variable "parameters" {
  description = "Extra table parameters."
  type        = map(string)
  default     = {}
}
