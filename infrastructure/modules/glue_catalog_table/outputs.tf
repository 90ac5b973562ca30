# ─── Outputs ───

output "name" {
  description = "Hive table name."
  value       = aws_glue_catalog_table.this.name
}

output "database_name" {
  description = "Glue database of the Hive table."
  value       = aws_glue_catalog_table.this.database_name
}

output "arn" {
  description = "Hive table ARN."
  value       = aws_glue_catalog_table.this.arn
}

output "location" {
  description = "S3 folder of the Hive table's files."
  value       = var.location
}
