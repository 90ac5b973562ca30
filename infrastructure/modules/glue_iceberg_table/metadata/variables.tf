# ─── Inputs ───
# The table as its data contract declares it. The checks here are the ones Iceberg itself
# would make when it loads the file: a table whose first metadata file Iceberg refuses could
# not be read or written at all, so a mistake stops the plan, naming the column.

variable "location" {
  description = "The table's folder (data and metadata), e.g. s3://bucket/project/table/; stored without the trailing slash, as Iceberg does."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+://.+/$", var.location))
    error_message = "location must be the table's folder URI, ending with a slash."
  }
}

variable "columns" {
  description = "Ordered columns: name, physical (Spark/Hive) type, comment and required, from the contract."
  type = list(object({
    name     = string
    type     = string
    comment  = optional(string)
    required = optional(bool, false)
  }))

  validation {
    condition     = length(var.columns) > 0 && length(distinct([for c in var.columns : c.name])) == length(var.columns)
    error_message = "An Iceberg table needs at least one column, and unique column names."
  }

  # The physical types dp contract accepts (dp_cli/contracts/interpret.py), after the same
  # normalisation (lower case, no spaces).
  validation {
    condition = alltrue([
      for c in var.columns : can(regex("^(string|tinyint|smallint|int|bigint|float|double|boolean|binary|date|timestamp|timestamp_ntz|decimal\\(\\d+,\\d+\\)|varchar\\(\\d+\\)|char\\(\\d+\\))$", lower(replace(trimspace(c.type), " ", ""))))
    ])
    error_message = "No Iceberg type for column(s) ${join(", ", [for c in var.columns : "${c.name} (${c.type})" if !can(regex("^(string|tinyint|smallint|int|bigint|float|double|boolean|binary|date|timestamp|timestamp_ntz|decimal\\(\\d+,\\d+\\)|varchar\\(\\d+\\)|char\\(\\d+\\))$", lower(replace(trimspace(c.type), " ", ""))))])}: the contract's physicalType must be one of string, varchar(n), char(n), tinyint, smallint, int, bigint, float, double, decimal(p,s), boolean, binary, date, timestamp, timestamp_ntz."
  }
}

variable "partition_fields" {
  description = "Partition fields in order: the source column and its transform as the contract spells it (identity, year, month, day, hour, bucket[N], truncate[W])."
  type        = list(object({ column = string, transform = string }))
  default     = []

  validation {
    condition     = alltrue([for f in var.partition_fields : can(regex("^(identity|year|month|day|hour|bucket\\[[1-9]\\d*\\]|truncate\\[[1-9]\\d*\\])$", f.transform))])
    error_message = "Unknown partition transform(s) ${join(", ", [for f in var.partition_fields : "${f.column}: ${f.transform}" if !can(regex("^(identity|year|month|day|hour|bucket\\[[1-9]\\d*\\]|truncate\\[[1-9]\\d*\\])$", f.transform))])}: expected identity, year, month, day, hour, bucket[N] or truncate[W]."
  }

  validation {
    condition     = alltrue([for f in var.partition_fields : contains([for c in var.columns : c.name], f.column)])
    error_message = "Partition column(s) ${join(", ", [for f in var.partition_fields : f.column if !contains([for c in var.columns : c.name], f.column)])} are not columns of the table."
  }
}

variable "sort_order" {
  description = "Write order as the contract spells it: \"<column> [ASC|DESC] [NULLS FIRST|LAST]\" per entry."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.sort_order : can(regex("(?i)^([a-z_][a-z0-9_]*)(\\s+(asc|desc))?(\\s+nulls\\s+(first|last))?$", trimspace(s))) && contains([for c in var.columns : c.name], split(" ", trimspace(s))[0])])
    error_message = "Sort entries ${join(", ", [for s in var.sort_order : "'${s}'" if !(can(regex("(?i)^([a-z_][a-z0-9_]*)(\\s+(asc|desc))?(\\s+nulls\\s+(first|last))?$", trimspace(s))) && contains([for c in var.columns : c.name], split(" ", trimspace(s))[0]))])} are not '<column> [ASC|DESC] [NULLS FIRST|LAST]' of a column of the table."
  }
}

variable "properties" {
  description = "Table properties: the platform's (src/dp_foundation/iceberg/table_properties.json) and the table's own; format-version is ignored (the file is format v2)."
  type        = map(string)
  default     = {}
}

variable "last_updated_ms" {
  description = "The metadata's last-updated-ms: when the table is created, in milliseconds since the epoch."
  type        = number

  validation {
    condition     = var.last_updated_ms >= 0 && floor(var.last_updated_ms) == var.last_updated_ms
    error_message = "last_updated_ms must be a whole number of milliseconds since 1970-01-01."
  }
}
