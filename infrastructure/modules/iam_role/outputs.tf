# ─── Outputs ───

output "role_arn" {
  description = "Role ARN."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Role name."
  value       = aws_iam_role.this.name
}

output "role_id" {
  description = "Role ID (the name; use for aws_iam_role_policy.role)."
  value       = aws_iam_role.this.id
}
