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
