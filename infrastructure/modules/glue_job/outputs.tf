# ─── Outputs ───

output "name" {
  description = "Job name."
  value       = aws_glue_job.this.name
}

output "arn" {
  description = "Job ARN."
  value       = aws_glue_job.this.arn
}

output "default_arguments" {
  description = "The job's effective default arguments."
  value       = aws_glue_job.this.default_arguments
}
