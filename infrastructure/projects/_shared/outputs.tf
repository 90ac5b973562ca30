# ─── Outputs ───

output "project" {
  description = "Project name (project.json)."
  value       = local.project
}

output "glue_job_names" {
  description = "Glue job name per project.json job."
  value       = { for key, job in module.glue_jobs : key => job.name }
}

output "state_machine_arns" {
  description = "Step Functions state machine ARN per project.json pipeline."
  value       = { for key, pipeline in module.pipelines : key => pipeline.state_machine_arn }
}

output "raw_tables" {
  description = "Raw (Hive) tables: name => location."
  value       = { for key, table in module.raw_tables : key => table.location }
}

output "iceberg_tables" {
  description = "Iceberg tables: name => location."
  value       = { for key, table in module.iceberg_tables : key => table.location }
}

output "catalog_tables" {
  description = "Every Glue table of the project, raw and Iceberg: database.table => location. The other project stacks read it from this state to refuse a table name already taken (data.tf); it names only tables this stack has created."
  value = merge(
    { for table in module.raw_tables : "${table.database_name}.${table.name}" => table.location },
    { for table in module.iceberg_tables : "${table.database_name}.${table.name}" => table.location },
  )
}

output "data_quality_rulesets" {
  description = "Glue Data Quality ruleset per table with DQDL rules, <layer>/<table> => its name and the Glue table it checks (database_name, table_name)."
  value = {
    for name, table in module.iceberg_tables : "${local.iceberg_table_definitions[name].layer}/${name}" => table.data_quality_ruleset if table.data_quality_ruleset != null
  }
}

output "glue_job_role_arn" {
  description = "Execution role of the project's Glue jobs."
  value       = module.glue_job_role.role_arn
}

output "table_optimizer_role_arn" {
  description = "Role of the project's Glue table optimizers (null without Iceberg tables)."
  value       = try(module.table_optimizer_role[0].role_arn, null)
}
