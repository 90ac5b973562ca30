# ─── Outputs ───

output "name" {
  description = "Iceberg table name."
  value       = aws_glue_catalog_table.this.name
}

output "database_name" {
  description = "Glue database of the Iceberg table."
  value       = aws_glue_catalog_table.this.database_name
}

output "arn" {
  description = "Iceberg table ARN."
  value       = aws_glue_catalog_table.this.arn
}

output "location" {
  description = "S3 location of the Iceberg table (data and metadata)."
  value       = var.location
}

output "metadata_location" {
  description = "The table's first Iceberg metadata file (Glue's metadata_location until the first commit)."
  value       = "s3://${aws_s3_object.this.bucket}/${aws_s3_object.this.key}"
}

output "optimizer_types" {
  description = "Types of the optimizers created for the table."
  value = [
    aws_glue_catalog_table_optimizer.compaction.type,
    aws_glue_catalog_table_optimizer.retention.type,
    aws_glue_catalog_table_optimizer.orphan_file_deletion.type,
  ]
}

output "data_quality_ruleset" {
  description = "The table's Glue Data Quality ruleset: name, database_name and table_name (null without one)."
  value       = length(module.data_quality_ruleset) == 0 ? null : merge({ name = module.data_quality_ruleset[0].name }, module.data_quality_ruleset[0].target_table)
}
