# ─── Tables of the project ───
# Columns are DDL strings: "name type, name type, ..." (Hive types: string, int, bigint,
# decimal(p,s), date, timestamp, ...). Table names are unique per layer database, across
# projects.
#
# raw_tables: Hive tables over files landed in s3://<raw bucket>/<prefix>/, e.g.
#   events = { prefix = "source/events", format = "parquet", columns = "id bigint, payload string",
#              partition_keys = "year int, month int", description = "..." }
# iceberg_tables: Iceberg tables at s3://<layer bucket>/<name>/ with their optimizers, e.g.
#   daily_totals = { layer = "curated", columns = "day date, total decimal(18,2)", description = "..." }

locals {
  raw_tables     = {}
  iceberg_tables = {}
}
