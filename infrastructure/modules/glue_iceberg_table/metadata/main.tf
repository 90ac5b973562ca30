# ─── Iceberg table metadata (format v2) ───
# The first metadata file of a table, rendered from its contract: what Iceberg's own catalogs
# write when they create a table (schema with field ids, partition spec, sort order,
# properties, no snapshot). No provider: a test renders it with `terraform apply` on an empty
# state and hands it to Iceberg's readers.
#
# It spells the table as Spark's Iceberg DDL would (CREATE TABLE ... PARTITIONED BY, then
# WRITE ORDERED BY): the same types, partition field names and ids, sort order ids and null
# orders, so a table created here and one the writer creates locally are alike, and the
# writer finds nothing to change.

locals {
  location   = trimsuffix(var.location, "/")
  table_uuid = uuidv5("url", local.location)
  # Stable per table, so the plan does not move the file; Iceberg numbers the next one 00001.
  metadata_path = "metadata/00000-${uuidv5("url", "${local.location}/metadata/00000")}.metadata.json"

  # ─── Types: Spark/Hive physical type -> Iceberg type ───
  # As Spark's Iceberg catalog converts a DDL type: Iceberg has no tinyint, smallint or
  # length-bounded strings; Spark's timestamp carries a time zone (timestamptz).
  simple_types = {
    string        = "string"
    tinyint       = "int"
    smallint      = "int"
    int           = "int"
    bigint        = "long"
    float         = "float"
    double        = "double"
    boolean       = "boolean"
    binary        = "binary"
    date          = "date"
    timestamp     = "timestamptz"
    timestamp_ntz = "timestamp"
  }
  physical = { for c in var.columns : c.name => lower(replace(trimspace(c.type), " ", "")) }
  iceberg_types = {
    for name, type in local.physical : name => (
      contains(keys(local.simple_types), type) ? local.simple_types[type] :
      can(regex("^decimal\\(\\d+,\\d+\\)$", type)) ? format("decimal(%s, %s)", regex("^decimal\\((\\d+),(\\d+)\\)$", type)...) :
      "string" # varchar(n), char(n): the variable's validation admits nothing else
    )
  }
  # What Glue shows for each Iceberg type (Iceberg's GlueCatalog writes these on every commit).
  glue_types = {
    for name, type in local.iceberg_types : name => lookup(
      { long = "bigint", timestamptz = "timestamp" }, type, replace(type, ", ", ",")
    )
  }

  # ─── Schema 0: field ids 1..n in column order ───
  field_ids = { for i, c in var.columns : c.name => i + 1 }
  fields = [
    for c in var.columns : merge(
      { id = local.field_ids[c.name], name = c.name, required = c.required, type = local.iceberg_types[c.name] },
      c.comment == null || c.comment == "" ? {} : { doc = c.comment },
    )
  ]

  # Iceberg's transforms accept these source types only (Iceberg table spec, "Partition
  # Transforms"): year, month and day of a date or timestamp, hour of a timestamp, truncate of
  # a string, integer, decimal or binary, bucket of anything but floating point and boolean.
  transform_sources = {
    identity = ".*"
    year     = "^(date|timestamp|timestamp_ntz)$"
    month    = "^(date|timestamp|timestamp_ntz)$"
    day      = "^(date|timestamp|timestamp_ntz)$"
    hour     = "^(timestamp|timestamp_ntz)$"
    truncate = "^(string|varchar.*|char.*|tinyint|smallint|int|bigint|decimal.*|binary)$"
    bucket   = "^(string|varchar.*|char.*|tinyint|smallint|int|bigint|decimal.*|binary|date|timestamp|timestamp_ntz)$"
  }
  misfits = [
    for f in var.partition_fields : "${f.transform}(${f.column})"
    if !can(regex(local.transform_sources[split("[", f.transform)[0]], local.physical[f.column]))
  ]

  # ─── Partition spec 0: field ids from 1000 (Iceberg's first partition field id) ───
  # Field names as Iceberg names them: the column for identity, else <column>_<transform>
  # (year, month, day, hour, bucket, trunc).
  partition_fields = [
    for i, f in var.partition_fields : {
      name      = f.transform == "identity" ? f.column : "${f.column}_${replace(split("[", f.transform)[0], "truncate", "trunc")}"
      transform = f.transform
      source-id = local.field_ids[f.column]
      field-id  = 1000 + i
    }
  ]

  # ─── Sort order: 0 is "unsorted"; a declared order is order 1, as WRITE ORDERED BY makes it ───
  # Nulls first when ascending, last when descending, unless the entry says otherwise.
  sort_parts = [
    for s in var.sort_order : regex("(?i)^([a-z_][a-z0-9_]*)(?:\\s+(asc|desc))?(?:\\s+nulls\\s+(first|last))?$", trimspace(s))
  ]
  sort_fields = [
    for p in local.sort_parts : {
      transform  = "identity"
      source-id  = local.field_ids[p[0]]
      direction  = lower(coalesce(p[1], "asc"))
      null-order = "nulls-${lower(coalesce(p[2], lower(coalesce(p[1], "asc")) == "asc" ? "first" : "last"))}"
    }
  ]
  # (for ... if rather than `cond ? [x] : []`: static evaluators such as tfparse, which the
  # stack tests use, give up on a conditional whose two results have different types.)
  sort_orders = concat(
    [{ order-id = 0, fields = [] }],
    [for id in [1] : { order-id = id, fields = local.sort_fields } if length(local.sort_fields) > 0],
  )

  # ─── Properties ───
  # `properties` (the platform's, which the calling module reads from the library's
  # table_properties.json, plus the table's own) over Parquet as the data file format. A sorted
  # table is range-distributed, as WRITE ORDERED BY sets it.
  default_properties = merge(
    { "write.format.default" = "parquet" },
    { for key in ["write.distribution-mode"] : key => "range" if length(local.sort_fields) > 0 },
  )

  metadata = {
    format-version        = 2
    table-uuid            = local.table_uuid
    location              = local.location
    last-sequence-number  = 0
    last-updated-ms       = var.last_updated_ms
    last-column-id        = length(var.columns)
    current-schema-id     = 0
    schemas               = [{ type = "struct", schema-id = 0, fields = local.fields }]
    default-spec-id       = 0
    partition-specs       = [{ spec-id = 0, fields = local.partition_fields }]
    last-partition-id     = 999 + length(local.partition_fields)
    default-sort-order-id = length(local.sort_fields) > 0 ? 1 : 0
    sort-orders           = local.sort_orders
    properties            = merge(local.default_properties, var.properties)
    current-snapshot-id   = -1
    refs                  = {}
    snapshots             = []
    statistics            = []
    partition-statistics  = []
    snapshot-log          = []
    metadata-log          = []
  }
}

# A file Iceberg would refuse to load would leave the table unreadable: stop the plan instead.
resource "terraform_data" "checks" {
  lifecycle {
    precondition {
      condition     = length(local.misfits) == 0
      error_message = "Partition transform(s) ${join(", ", local.misfits)} do not fit the column's type: year, month and day take a date or timestamp, hour a timestamp, truncate a string, integer, decimal or binary, bucket no float, double or boolean."
    }
  }
}
