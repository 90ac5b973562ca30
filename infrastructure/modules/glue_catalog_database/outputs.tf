# ─── Outputs ───

output "name" {
  description = "Database name."
  value       = aws_glue_catalog_database.this.name
}

output "arn" {
  description = "Database ARN."
  value       = aws_glue_catalog_database.this.arn
}
