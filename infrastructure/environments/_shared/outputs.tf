# ─── Outputs ───
# Every baseline output, re-exported under the same name: the project stacks read this root
# module's state (terraform_remote_state) as local.baseline. tests/infrastructure checks that
# none is missing.

# ─── Domain and naming ───

output "environment" {
  description = "Environment name."
  value       = module.baseline.environment
}

output "domain_name" {
  description = "Domain name (setup/domain.json)."
  value       = module.baseline.domain_name
}

output "domain_abbr" {
  description = "Domain abbreviation (setup/domain.json)."
  value       = module.baseline.domain_abbr
}

output "aws_region" {
  description = "AWS region of the environment."
  value       = module.baseline.aws_region
}

output "account_id" {
  description = "AWS account ID of the environment."
  value       = module.baseline.account_id
}

output "name_format" {
  description = "format() pattern of resource names: {domain_abbr}-%s-{account_id}-{env}."
  value       = module.baseline.name_format
}

output "glue_database_format" {
  description = "format() pattern of Glue database names: {domain_abbr}_%s_{env}."
  value       = module.baseline.glue_database_format
}

# ─── Encryption ───

output "kms_key_arn" {
  description = "ARN of the domain CMK."
  value       = module.baseline.kms_key_arn
}

output "kms_key_id" {
  description = "Key ID of the domain CMK."
  value       = module.baseline.kms_key_id
}

output "kms_alias_name" {
  description = "Alias of the domain CMK (alias/{domain_abbr}-data-lake-{env})."
  value       = module.baseline.kms_alias_name
}

# ─── Buckets ───

output "s3_raw_bucket" {
  description = "Raw layer bucket name."
  value       = module.baseline.s3_raw_bucket
}

output "s3_refined_bucket" {
  description = "Refined layer bucket name."
  value       = module.baseline.s3_refined_bucket
}

output "s3_curated_bucket" {
  description = "Curated layer bucket name."
  value       = module.baseline.s3_curated_bucket
}

output "s3_artifacts_bucket" {
  description = "Artifacts bucket name (wheels/, jobs/, glue-temp/)."
  value       = module.baseline.s3_artifacts_bucket
}

output "s3_logs_bucket_id" {
  description = "Server-access-log bucket name."
  value       = module.baseline.s3_logs_bucket_id
}

output "s3_raw_bucket_arn" {
  description = "Raw layer bucket ARN."
  value       = module.baseline.s3_raw_bucket_arn
}

output "s3_refined_bucket_arn" {
  description = "Refined layer bucket ARN."
  value       = module.baseline.s3_refined_bucket_arn
}

output "s3_curated_bucket_arn" {
  description = "Curated layer bucket ARN."
  value       = module.baseline.s3_curated_bucket_arn
}

output "s3_artifacts_bucket_arn" {
  description = "Artifacts bucket ARN."
  value       = module.baseline.s3_artifacts_bucket_arn
}

output "s3_logs_bucket_arn" {
  description = "Server-access-log bucket ARN."
  value       = module.baseline.s3_logs_bucket_arn
}

output "iceberg_warehouse" {
  description = "Warehouse of the glue_catalog Iceberg catalog (s3://<refined bucket>/warehouse/)."
  value       = module.baseline.iceberg_warehouse
}

# ─── Glue ───

output "glue_database_raw" {
  description = "Raw layer Glue database."
  value       = module.baseline.glue_database_raw
}

output "glue_database_refined" {
  description = "Refined layer Glue database."
  value       = module.baseline.glue_database_refined
}

output "glue_database_curated" {
  description = "Curated layer Glue database."
  value       = module.baseline.glue_database_curated
}

output "glue_security_configuration_name" {
  description = "Glue security configuration (CMK encryption of S3 writes, logs, bookmarks)."
  value       = module.baseline.glue_security_configuration_name
}

output "glue_connection_names" {
  description = "Glue NETWORK connections, one per private subnet."
  value       = module.baseline.glue_connection_names
}

output "glue_job_settings" {
  description = "Environment defaults of project Glue jobs: execution class and auto scaling."
  value       = module.baseline.glue_job_settings
}

output "log_retention_days" {
  description = "Retention of the environment's application log groups (pipelines)."
  value       = module.baseline.log_retention_days
}

# ─── Network ───

output "vpc_id" {
  description = "VPC ID."
  value       = module.baseline.vpc_id
}

output "vpc_arn" {
  description = "VPC ARN."
  value       = module.baseline.vpc_arn
}

output "vpc_cidr" {
  description = "VPC CIDR block."
  value       = module.baseline.vpc_cidr
}

output "private_subnet_ids" {
  description = "Private subnet IDs."
  value       = module.baseline.private_subnet_ids
}

output "private_subnet_arns" {
  description = "Private subnet ARNs (Glue network interfaces are scoped to them)."
  value       = module.baseline.private_subnet_arns
}

output "private_route_table_id" {
  description = "Route table of the private subnets (S3 gateway endpoint only)."
  value       = module.baseline.private_route_table_id
}

output "glue_security_group_id" {
  description = "Security group of the Glue workers."
  value       = module.baseline.glue_security_group_id
}

output "glue_security_group_arn" {
  description = "ARN of the Glue workers' security group."
  value       = module.baseline.glue_security_group_arn
}

output "vpc_endpoint_security_group_id" {
  description = "Security group of the interface VPC endpoints."
  value       = module.baseline.vpc_endpoint_security_group_id
}

output "vpc_endpoint_ids" {
  description = "VPC endpoint IDs by service (s3, glue, sts, logs)."
  value       = module.baseline.vpc_endpoint_ids
}

output "flow_log_id" {
  description = "VPC flow log ID."
  value       = module.baseline.flow_log_id
}

output "flow_log_group_name" {
  description = "Log group of the VPC flow logs."
  value       = module.baseline.flow_log_group_name
}

# ─── Orchestration and alerting ───

output "sfn_role_arn" {
  description = "Step Functions execution role of the pipelines."
  value       = module.baseline.sfn_role_arn
}

output "sfn_role_name" {
  description = "Name of the Step Functions execution role."
  value       = module.baseline.sfn_role_name
}

output "sfn_scheduler_role_arn" {
  description = "Role EventBridge schedules assume to start pipelines."
  value       = module.baseline.sfn_scheduler_role_arn
}

output "alerts_topic_arn" {
  description = "SNS topic of pipeline and Glue job failure alerts; subscribe here."
  value       = module.baseline.alerts_topic_arn
}

output "alert_rule_names" {
  description = "EventBridge rules feeding the alerts topic."
  value       = module.baseline.alert_rule_names
}

output "project_permissions_boundary_arn" {
  description = "Permissions boundary every project role must carry."
  value       = module.baseline.project_permissions_boundary_arn
}

output "project_role_path" {
  description = "IAM path of project roles."
  value       = module.baseline.project_role_path
}
