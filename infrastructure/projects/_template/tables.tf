# ─── Tables of the project ───
# Every table has a data contract, contracts/<layer>/<table>.odcs.yaml (ODCS v3.0.2): its
# columns, types, keys, partitioning, sort order, quality rules and SLA (docs/contracts.md).
# Refined and curated contracts become Iceberg tables at s3://<layer bucket>/<project>/<table>/
# with their optimizers. Table names are unique per layer database, across projects.
#
# raw_tables: where each raw contract's files land, s3://<raw bucket>/<prefix>/, e.g.
#   events = { prefix = "source/events", format = "parquet" }   # contracts/raw/events.odcs.yaml

locals {
  raw_tables = {}
}
