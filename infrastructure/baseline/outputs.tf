# ─── Outputs ───
# infrastructure/environments/<env> exports them all as one object output, "baseline", which
# the project stacks read from its state as local.baseline. Keep them non-sensitive.

# ─── Domain and naming ───

output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "domain_name" {
  description = "Domain name (setup/domain.json)."
  value       = local.domain.domain_name
}

output "domain_abbr" {
  description = "Domain abbreviation (setup/domain.json)."
  value       = local.abbr
}

output "aws_region" {
  description = "AWS region of the environment."
  value       = local.region
}

output "account_id" {
  description = "AWS account ID of the environment."
  value       = local.account_id
}

output "name_format" {
  description = "The environment's naming convention: format(name_format, purpose) = {domain_abbr}-{purpose}-{account_id}-{env}."
  value       = local.name_format
}

output "glue_database_format" {
  description = "Glue database naming: format(glue_database_format, layer) = {domain_abbr}_{layer}_{env}."
  value       = local.glue_database_format
}

# ─── Encryption ───

output "kms_key_arn" {
  description = "ARN of the domain CMK."
  value       = aws_kms_key.this.arn
}

output "kms_key_id" {
  description = "Key ID of the domain CMK."
  value       = aws_kms_key.this.key_id
}

output "kms_alias_name" {
  description = "Alias of the domain CMK (alias/{domain_abbr}-data-lake-{env})."
  value       = aws_kms_alias.this.name
}

# ─── Buckets ───

output "s3_raw_bucket" {
  description = "Raw layer bucket name."
  value       = module.s3_data["raw"].bucket_id
}

output "s3_refined_bucket" {
  description = "Refined layer bucket name."
  value       = module.s3_data["refined"].bucket_id
}

output "s3_curated_bucket" {
  description = "Curated layer bucket name."
  value       = module.s3_data["curated"].bucket_id
}

output "s3_artifacts_bucket" {
  description = "Artifacts bucket name (wheels/, jobs/, glue-temp/)."
  value       = module.s3_data["artifacts"].bucket_id
}

output "s3_logs_bucket_id" {
  description = "Server-access-log bucket name."
  value       = module.s3_logs.bucket_id
}

output "s3_raw_bucket_arn" {
  description = "Raw layer bucket ARN."
  value       = module.s3_data["raw"].bucket_arn
}

output "s3_refined_bucket_arn" {
  description = "Refined layer bucket ARN."
  value       = module.s3_data["refined"].bucket_arn
}

output "s3_curated_bucket_arn" {
  description = "Curated layer bucket ARN."
  value       = module.s3_data["curated"].bucket_arn
}

output "s3_artifacts_bucket_arn" {
  description = "Artifacts bucket ARN."
  value       = module.s3_data["artifacts"].bucket_arn
}

output "s3_logs_bucket_arn" {
  description = "Server-access-log bucket ARN."
  value       = module.s3_logs.bucket_arn
}

output "iceberg_warehouse" {
  description = "Warehouse of the glue_catalog Iceberg catalog (s3://<refined bucket>/warehouse/)."
  value       = "s3://${module.s3_data["refined"].bucket_id}/warehouse/"
}

# ─── Glue ───

output "glue_database_raw" {
  description = "Raw layer Glue database."
  value       = module.glue_databases["raw"].name
}

output "glue_database_refined" {
  description = "Refined layer Glue database."
  value       = module.glue_databases["refined"].name
}

output "glue_database_curated" {
  description = "Curated layer Glue database."
  value       = module.glue_databases["curated"].name
}

output "glue_security_configuration_name" {
  description = "Glue security configuration (CMK encryption of S3 writes, logs, bookmarks)."
  value       = aws_glue_security_configuration.this.name
}

output "glue_connection_names" {
  description = "Glue NETWORK connections, one per private subnet."
  value       = [for connection in aws_glue_connection.network : connection.name]
}

output "glue_job_settings" {
  description = "Environment defaults of project Glue jobs: execution class and auto scaling."
  value = {
    execution_class     = var.settings.glue_execution_class
    enable_auto_scaling = var.settings.glue_enable_auto_scaling
  }
}

output "log_retention_days" {
  description = "Retention of the environment's application log groups (pipelines)."
  value       = var.settings.log_retention_days
}

# ─── Network ───

output "vpc_id" {
  description = "VPC ID."
  value       = aws_vpc.this.id
}

output "vpc_arn" {
  description = "VPC ARN."
  value       = aws_vpc.this.arn
}

output "vpc_cidr" {
  description = "VPC CIDR block."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnet IDs."
  value       = [for subnet in aws_subnet.private : subnet.id]
}

output "private_subnet_arns" {
  description = "Private subnet ARNs (Glue network interfaces are scoped to them)."
  value       = local.private_subnets
}

output "private_route_table_id" {
  description = "Route table of the private subnets (S3 gateway endpoint only)."
  value       = aws_route_table.private.id
}

output "glue_security_group_id" {
  description = "Security group of the Glue workers."
  value       = aws_security_group.glue_job.id
}

output "glue_security_group_arn" {
  description = "ARN of the Glue workers' security group."
  value       = aws_security_group.glue_job.arn
}

output "vpc_endpoint_security_group_id" {
  description = "Security group of the interface VPC endpoints."
  value       = aws_security_group.vpc_endpoints.id
}

output "vpc_endpoint_ids" {
  description = "VPC endpoint IDs by service (s3, glue, sts, logs, monitoring)."
  value       = merge({ s3 = aws_vpc_endpoint.s3.id }, { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id })
}

output "flow_log_id" {
  description = "VPC flow log ID."
  value       = aws_flow_log.this.id
}

output "flow_log_group_name" {
  description = "Log group of the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

# ─── Orchestration and alerting ───

output "sfn_role_arn" {
  description = "Step Functions execution role of the pipelines."
  value       = module.sfn_role.role_arn
}

output "sfn_role_name" {
  description = "Name of the Step Functions execution role."
  value       = module.sfn_role.role_name
}

output "sfn_scheduler_role_arn" {
  description = "Role EventBridge schedules assume to start pipelines."
  value       = module.sfn_scheduler_role.role_arn
}

output "alerts_topic_arn" {
  description = "SNS topic of pipeline and Glue job failure alerts; subscribe here."
  value       = aws_sns_topic.alerts.arn
}

output "alert_rule_names" {
  description = "EventBridge rules feeding the alerts topic."
  value       = [for rule in aws_cloudwatch_event_rule.alerts : rule.name]
}

output "project_permissions_boundary_arn" {
  description = "Permissions boundary every project role must carry."
  value       = aws_iam_policy.project_boundary.arn
}

output "project_role_path" {
  description = "IAM path of project roles."
  value       = module.naming.project_role_path
}
