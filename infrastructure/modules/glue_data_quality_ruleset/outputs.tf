# ─── Outputs ───

output "name" {
  description = "Ruleset name."
  value       = aws_glue_data_quality_ruleset.this.name
}

output "arn" {
  description = "Ruleset ARN (arn:aws:glue:<region>:<account>:dataQualityRuleset/<name>)."
  value       = aws_glue_data_quality_ruleset.this.arn
}

output "target_table" {
  description = "The Glue table the rules check: database_name and table_name."
  value = {
    database_name = aws_glue_data_quality_ruleset.this.target_table[0].database_name
    table_name    = aws_glue_data_quality_ruleset.this.target_table[0].table_name
  }
}
