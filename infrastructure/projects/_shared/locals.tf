# ─── Project facts ───
# local.domain (setup/domain.json), local.config (this project's project.json) and
# local.baseline (the environment's baseline outputs: the one object output "baseline" of
# infrastructure/environments/<env>). Job and pipeline settings are read from
# project.json and completed with the defaults declared in ../project.schema.json, then with
# the Terraform-only overrides of jobs.tf and pipelines.tf.

locals {
  domain   = jsondecode(file("${path.module}/../../../setup/domain.json"))
  config   = jsondecode(file("${path.module}/project.json"))
  schema   = jsondecode(file("${path.module}/../project.schema.json"))
  baseline = data.terraform_remote_state.baseline.outputs.baseline

  project     = local.config.name
  name_format = module.naming.name_format
  stack_tags = {
    Environment        = var.environment
    Stack              = "project"
    Project            = local.project
    DataOwner          = try(local.config.data_owner, local.schema.properties.data_owner.default)
    DataClassification = try(local.config.data_classification, local.schema.properties.data_classification.default)
    PII                = tostring(try(local.config.pii, local.schema.properties.pii.default))
    SlaTier            = try(local.config.sla_tier, local.schema.properties.sla_tier.default)
  }

  # ─── Jobs and pipelines (project.json + schema defaults + overrides) ───
  job_schema      = local.schema.properties.jobs.additionalProperties.properties
  pipeline_schema = local.schema.properties.pipelines.additionalProperties.properties
  job_defaults    = { for key, field in local.job_schema : key => field.default if contains(keys(field), "default") }
  pipeline_defaults = merge(
    { for key, field in local.pipeline_schema : key => field.default if contains(keys(field), "default") },
    { notify_on_failure = false },
  )

  # Unset (null) settings are dropped: the modules' own defaults apply (e.g. no schedule).
  jobs = {
    for name, job in try(local.config.jobs, {}) : name => {
      for key, value in merge(local.job_defaults, job, try(local.job_overrides[name], {}), {
        arguments = merge(try(job.arguments, {}), try(local.job_overrides[name].arguments, {}))
      }) : key => value if value != null
    }
  }
  pipelines = {
    for name, pipeline in try(local.config.pipelines, {}) : name => {
      for key, value in merge(local.pipeline_defaults, pipeline, try(local.pipeline_overrides[name], {})) : key => value if value != null
    }
  }

  # ─── Tables (tables.tf) ───
  # Column lists are DDL strings ("name type, name type, ..."); parsed here into Glue columns.
  # Raw tables sit over the prefix their data lands in; Iceberg tables under the project's
  # own prefix of their layer bucket, s3://<bucket>/<project>/<table>/ (see Isolation below).
  column_pattern = "([a-z_][a-z0-9_]*)\\s+([a-z]+(?:\\(\\s*[0-9]+\\s*(?:,\\s*[0-9]+\\s*)?\\))?)"
  layer_buckets = {
    raw     = local.baseline.s3_raw_bucket
    refined = local.baseline.s3_refined_bucket
    curated = local.baseline.s3_curated_bucket
  }
  layer_bucket_arns = {
    raw     = local.baseline.s3_raw_bucket_arn
    refined = local.baseline.s3_refined_bucket_arn
    curated = local.baseline.s3_curated_bucket_arn
  }
  layer_databases = {
    raw     = local.baseline.glue_database_raw
    refined = local.baseline.glue_database_refined
    curated = local.baseline.glue_database_curated
  }
  raw_table_definitions = {
    for name, table in local.raw_tables : name => {
      description    = try(table.description, "")
      format         = try(table.format, "parquet")
      prefix         = trim(table.prefix, "/")
      location       = "s3://${local.layer_buckets.raw}/${trim(table.prefix, "/")}/"
      columns        = [for m in regexall(local.column_pattern, table.columns) : { name = m[0], type = m[1] }]
      partition_keys = [for m in regexall(local.column_pattern, try(table.partition_keys, "")) : { name = m[0], type = m[1] }]
    }
  }
  iceberg_table_definitions = {
    for name, table in local.iceberg_tables : name => {
      description = try(table.description, "")
      layer       = table.layer
      database    = local.layer_databases[table.layer]
      location    = "s3://${local.layer_buckets[table.layer]}/${local.project}/${name}/"
      columns     = [for m in regexall(local.column_pattern, table.columns) : { name = m[0], type = m[1] }]
    }
  }

  # ─── Isolation ───
  # Every project shares the layer buckets and databases. A project owns the prefix
  # <layer bucket>/<project>/ of each layer it has Iceberg tables in, and the names of the
  # tables it declares; its roles reach nothing else (main.tf), and a table another project
  # has already declared stops the plan (terraform_data.table_ownership). catalog_tables is the
  # claim, keyed database.table.
  catalog_tables = merge(
    { for name, table in local.raw_table_definitions : "${local.layer_databases.raw}.${name}" => table.location },
    { for name, table in local.iceberg_table_definitions : "${table.database}.${name}" => table.location },
  )
  table_layers = distinct([for table in values(local.iceberg_table_definitions) : table.layer])
}
