# ─── Outputs ───

output "role_arn" {
  description = "ARN of the table optimizer role."
  value       = module.role.role_arn
}

output "role_name" {
  description = "Name of the table optimizer role."
  value       = module.role.role_name
}

output "policy_json" {
  description = "Inline policy of the table optimizer role."
  value       = data.aws_iam_policy_document.this.json
}
