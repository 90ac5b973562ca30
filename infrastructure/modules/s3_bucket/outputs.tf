# ─── Outputs ───

output "bucket_id" {
  description = "Bucket name (the ID of an S3 bucket is its name), known once the bucket policy is in place."
  value       = aws_s3_bucket.this.id
  # Other buckets name this one as their access-log target; S3 refuses a logging target
  # whose policy does not yet let the logging service write, so users wait for the policy.
  depends_on = [aws_s3_bucket_policy.this]
}

output "bucket_arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "policy_json" {
  description = "The bucket policy this module builds (attached unless create_bucket_policy is false)."
  value       = data.aws_iam_policy_document.this.json
}
