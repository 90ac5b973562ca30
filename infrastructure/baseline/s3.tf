# ─── S3 buckets ───
# Data lake layers (raw, refined, curated), artifacts (wheels, job scripts, Glue scratch) and
# the server-access-log bucket: {domain_abbr}-{purpose}-{account_id}-{env}.

locals {
  data_lake_lifecycle = [{
    id                                 = "intelligent-tiering"
    transitions                        = [{ days = var.settings.intelligent_tiering_after_days, storage_class = "INTELLIGENT_TIERING" }]
    noncurrent_version_expiration_days = var.settings.noncurrent_version_expiration_days
  }]

  # Wheels and scripts keep unique, versioned keys (rollback needs old ones): no expiry of
  # current objects; Glue scratch files expire after a week.
  artifacts_lifecycle = [
    { id = "artifacts", noncurrent_version_expiration_days = var.settings.noncurrent_version_expiration_days },
    { id = "glue-temp", prefix = "glue-temp/", expiration_days = 7, noncurrent_version_expiration_days = 1 },
  ]

  data_buckets = {
    raw       = local.data_lake_lifecycle
    refined   = local.data_lake_lifecycle
    curated   = local.data_lake_lifecycle
    artifacts = local.artifacts_lifecycle
  }
}

module "s3_data" {
  source   = "../modules/s3_bucket"
  for_each = local.data_buckets

  bucket_name     = format(local.name_format, each.key)
  kms_key_arn     = aws_kms_key.this.arn
  lifecycle_rules = each.value

  # Every data bucket logs its accesses to the log bucket, under <layer>/.
  enable_access_logging = true
  logging_bucket_id     = module.s3_logs.bucket_id
  logging_prefix        = "${each.key}/"
}

module "s3_logs" {
  source = "../modules/s3_bucket"

  bucket_name = format(local.name_format, "logs")

  # Exception to CMK encryption, required by AWS: S3 server access logs can only be delivered
  # to a bucket whose default encryption is SSE-S3 (AES256), not SSE-KMS. No kms_key_arn.
  kms_key_arn = null

  # Never log the log bucket into itself (every log write would create another log record).
  enable_access_logging = false

  # Log delivery is granted in the bucket policy to logging.s3.amazonaws.com for the data
  # buckets of this account only (ACLs are disabled).
  log_delivery_source_bucket_arns = [for purpose in keys(local.data_buckets) : "arn:aws:s3:::${format(local.name_format, purpose)}"]

  lifecycle_rules = [{
    id                                 = "access-logs"
    transitions                        = [{ days = 90, storage_class = "GLACIER_IR" }]
    expiration_days                    = var.settings.access_log_retention_days
    noncurrent_version_expiration_days = 7
  }]
}
