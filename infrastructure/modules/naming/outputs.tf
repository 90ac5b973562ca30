# ─── Outputs ───

output "name_format" {
  description = "format() pattern of resource names: {domain_abbr}-%s-{account_id}-{env}."
  value       = local.name_format
}

output "glue_database_format" {
  description = "format() pattern of Glue database names: {domain_abbr}_%s_{env}."
  value       = local.glue_database_format
}

output "names" {
  description = "Full name per requested purpose."
  value       = local.names
}

output "baseline_role_path" {
  description = "IAM path of the baseline's service roles: /{domain_abbr}/baseline/."
  value       = local.baseline_role_path
}

output "project_role_path" {
  description = "IAM path of the roles project stacks create: /{domain_abbr}/projects/."
  value       = local.project_role_path
}
