# ─── Glue Data Quality ruleset ───
# A table's data quality rules in DQDL, attached to the Glue table they check, so Glue's
# engine can evaluate them (an evaluation run, a Glue job's EvaluateDataQuality transform, or
# the catalog's data quality tab, with its anomaly detection). The ruleset is text: the project
# wiring reads it from the file `dp contract dqdl --write` generates from the table's contract.

resource "aws_glue_data_quality_ruleset" "this" {
  name        = var.name
  description = var.description
  ruleset     = var.ruleset
  tags        = var.tags

  target_table {
    database_name = var.database_name
    table_name    = var.table_name
  }
}
