# ─── Outputs ───

output "json" {
  description = "The table's first Iceberg metadata file (format v2, JSON)."
  value       = jsonencode(local.metadata)
}

output "path" {
  description = "Where the file goes, relative to the table's folder: metadata/00000-<uuid>.metadata.json."
  value       = local.metadata_path
}

output "table_uuid" {
  description = "The table's Iceberg UUID (stable: derived from its location)."
  value       = local.table_uuid
}

output "glue_columns" {
  description = "The columns as Glue shows an Iceberg table's columns: name, Hive type of the Iceberg type, comment."
  value       = [for c in var.columns : { name = c.name, type = local.glue_types[c.name], comment = c.comment }]
}
