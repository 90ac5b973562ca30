# ─── Tables of project01 (TPC-H, order to revenue) ───
# Every table's columns, keys, layout and quality rules are in its data contract,
# contracts/<layer>/<table>.odcs.yaml: the refined and curated Iceberg tables are the
# contracts of those layers. Raw tables add where their files land (s3://<raw bucket>/<prefix>/);
# Iceberg tables live at s3://<layer bucket>/project01/<table>/ and get their optimizers
# (compaction, snapshot retention, orphan-file deletion) automatically.

locals {
  # ─── Raw layer (f01_raw_<env>): TPC-H Parquet as landed (contracts/raw/) ───
  raw_tables = {
    for name in ["region", "nation", "customer", "supplier", "orders", "lineitem"] : name => {
      prefix = "tpch/${name}"
    }
  }
}
