# ─── Project wiring ───
# Shared (symlinked) by every project. A project declares its data product in project.json
# (jobs, pipelines), tables.tf, jobs.tf and pipelines.tf; this file turns them into Glue
# tables, IAM roles, Glue jobs and Step Functions pipelines with for_each.

locals {
  artifacts      = local.baseline.s3_artifacts_bucket
  artifacts_arn  = local.baseline.s3_artifacts_bucket_arn
  wheel_uri      = "s3://${local.artifacts}/wheels/data_platform_foundation-${var.wheel_version}-py3-none-any.whl"
  scripts_prefix = "jobs/${var.wheel_version}/${local.project}"
  # The project's compiled data contracts, uploaded beside the scripts (upload-artifacts.sh);
  # Glue copies --extra-files into the job's working folder, where load_contract finds them.
  contract_uris = [for key, contract in local.contracts : "s3://${local.artifacts}/${local.scripts_prefix}/contracts/${contract.layer}.${contract.table}.contract.json"]
  temp_prefix   = "glue-temp/${local.project}"
}

# ─── Tables ───

module "raw_tables" {
  source   = "../../modules/glue_catalog_table"
  for_each = local.raw_table_definitions

  database_name  = local.baseline.glue_database_raw
  table_name     = each.key
  description    = each.value.description
  location       = each.value.location
  format         = each.value.format
  columns        = each.value.columns
  partition_keys = each.value.partition_keys
}

module "iceberg_tables" {
  source   = "../../modules/glue_iceberg_table"
  for_each = local.iceberg_table_definitions

  database_name      = each.value.database
  table_name         = each.key
  description        = each.value.description
  location           = each.value.location
  columns            = each.value.columns
  partition_fields   = each.value.layout.partition_fields
  sort_order         = each.value.layout.sort_order
  kms_key_arn        = local.baseline.kms_key_arn
  optimizer_role_arn = module.table_optimizer_role[0].role_arn

  data_quality_ruleset = lookup(local.data_quality_rulesets, "${each.value.layer}/${each.key}", null)
}

# ─── Glue Data Quality rulesets (contracts/<layer>/<table>.dqdl) ───
# The rules of each table's contract that DQDL can express, so a team can run them with Glue's
# engine and its anomaly detection. Terraform cannot run the contract compiler: the ruleset is
# the file `dp contract dqdl --write` commits beside the contract (a test and CI fail when it
# differs from what the contract exports). A table whose contract has no DQDL rule has no
# file, so no ruleset. Each Iceberg table module creates its table's ruleset, after the table
# (Glue refuses a ruleset whose table does not exist). Raw tables are read as landed and
# checked by the jobs that refine them: a ruleset file for a raw table stops the plan.

locals {
  data_quality_rulesets = {
    for key, contract in local.contracts : key => {
      name        = format(local.name_format, "${local.project}-${contract.layer}-${contract.table}")
      description = "Rules of the data contract ${local.project}.${contract.layer}.${contract.table} (contracts/${key}.odcs.yaml), exported by dp contract dqdl --write"
      ruleset     = file("${path.module}/contracts/${key}.dqdl")
      tags        = { DataContract = "${local.project}.${contract.layer}.${contract.table}" }
    } if fileexists("${path.module}/contracts/${key}.dqdl")
  }
}

# ─── Table ownership (one project per table) ───
# A table another applied project declares (data.tf reads their states) stops the plan
# before anything changes: creating it would fail half-way through the apply at best, and
# this project's roles would be granted the other project's table. The stack folder, the
# state key and the S3 prefix of the tables all derive from the project name, which is why
# it must equal the folder name.

locals {
  claimed_tables = merge([
    for project, state in data.terraform_remote_state.projects : { for table in keys(state.outputs.catalog_tables) : table => project }
  ]...)
  table_collisions = { for table in keys(local.catalog_tables) : table => local.claimed_tables[table] if contains(keys(local.claimed_tables), table) }
}

resource "terraform_data" "table_ownership" {
  lifecycle {
    precondition {
      condition     = local.project == local.stack_folder
      error_message = "project.json name \"${local.project}\" differs from the folder name \"${local.stack_folder}\": the state key, the roles and the S3 prefix of the project's tables derive from the name, so they must be equal."
    }

    precondition {
      condition     = length(local.raw_contract_gaps) == 0
      error_message = "raw tables ${join(", ", sort(local.raw_contract_gaps))}: each raw table needs both a contract (contracts/raw/<table>.odcs.yaml, its columns) and an entry in tables.tf's raw_tables (where its files land)."
    }

    precondition {
      condition     = length([for key in keys(local.data_quality_rulesets) : key if startswith(key, "raw/")]) == 0
      error_message = "contracts ${join(", ", [for key in keys(local.data_quality_rulesets) : "${key}.dqdl" if startswith(key, "raw/")])}: raw tables get no Glue Data Quality ruleset (they are read as landed; the job that refines them runs their checks): move the rules to the refined table's contract."
    }

    precondition {
      condition     = length(local.table_collisions) == 0
      error_message = join("\n", [for table, owner in local.table_collisions : "table ${table} is already declared by project ${owner} (this is project ${local.project}): table names are unique across the projects of the domain, which share the layer databases; rename the table (its contract, contracts/<layer>/<table>.odcs.yaml)."])
    }
  }
}

# ─── IAM roles (under the project role path, with the baseline's permissions boundary) ───

module "glue_job_role" {
  source = "../../modules/iam_glue_job"

  role_name                = format(local.name_format, "${local.project}-glue")
  path                     = local.baseline.project_role_path
  description              = "Glue jobs of project ${local.project}"
  permissions_boundary_arn = local.baseline.project_permissions_boundary_arn
  kms_key_arn              = local.baseline.kms_key_arn
  artifacts_bucket_arn     = local.artifacts_arn
  artifact_object_arns     = ["${local.artifacts_arn}/wheels/*", "${local.artifacts_arn}/jobs/*/${local.project}/*"] # every version: a deploy changes no policy
  scratch_object_arns      = ["${local.artifacts_arn}/${local.temp_prefix}/*"]
  glue_connection_names    = local.baseline.glue_connection_names
  vpc_arn                  = local.baseline.vpc_arn
  subnet_arns              = local.baseline.private_subnet_arns
  security_group_arns      = [local.baseline.glue_security_group_arn]

  # Read-write under the project's prefix of each layer it has Iceberg tables in; read-only
  # under the landed data its raw tables declare. Nothing of other projects.
  data_locations = {
    for layer, arn in local.layer_bucket_arns : layer => {
      bucket_arn          = arn
      read_write_prefixes = contains(local.table_layers, layer) ? [local.project] : []
      read_only_prefixes  = layer == "raw" ? distinct([for table in values(local.raw_table_definitions) : table.prefix]) : []
    }
  }

  # The table names come from the table modules, so a table is granted only once this stack
  # has created it: if another project created it first, the apply fails before the grant.
  tables = {
    read_write = [for key, table in local.iceberg_table_definitions : { database = table.database, name = module.iceberg_tables[key].name }]
    read_only  = [for key, table in local.raw_table_definitions : { database = local.layer_databases.raw, name = module.raw_tables[key].name }]
  }
}

# Only a project with Iceberg tables has optimizers to run.
module "table_optimizer_role" {
  source = "../../modules/iam_table_optimizer"
  count  = length(local.iceberg_table_definitions) > 0 ? 1 : 0

  role_name                = format(local.name_format, "${local.project}-optimizer")
  path                     = local.baseline.project_role_path
  description              = "Glue table optimizers of project ${local.project}"
  permissions_boundary_arn = local.baseline.project_permissions_boundary_arn
  kms_key_arn              = local.baseline.kms_key_arn
  table_bucket_arns        = [for layer in local.table_layers : local.layer_bucket_arns[layer]]
  table_prefixes           = [local.project]
  tables                   = [for name, table in local.iceberg_table_definitions : { database = table.database, name = name }]
}

# ─── Glue jobs (project.json "jobs") ───

module "glue_jobs" {
  source   = "../../modules/glue_job"
  for_each = local.jobs

  name                   = format(local.name_format, "${local.project}-${each.key}")
  description            = each.value.description
  role_arn               = module.glue_job_role.role_arn
  script_location        = "s3://${local.artifacts}/${local.scripts_prefix}/${each.value.script}"
  extra_py_files         = [local.wheel_uri]
  iceberg_warehouse      = local.baseline.iceberg_warehouse
  temp_dir               = "s3://${local.artifacts}/${local.temp_prefix}/"
  worker_type            = each.value.worker_type
  number_of_workers      = each.value.number_of_workers
  timeout_minutes        = each.value.timeout_minutes
  max_concurrent_runs    = each.value.max_concurrent_runs
  execution_class        = try(each.value.execution_class, local.baseline.glue_job_settings.execution_class)
  enable_auto_scaling    = try(each.value.enable_auto_scaling, local.baseline.glue_job_settings.enable_auto_scaling)
  security_configuration = local.baseline.glue_security_configuration_name
  connections            = local.baseline.glue_connection_names

  # The job's arguments from project.json, then the platform's: the environment, the account
  # (so the library needs no STS call), the project and its compiled data contracts.
  default_arguments = merge(each.value.arguments, {
    "--ENV"            = var.environment
    "--AWS_ACCOUNT_ID" = local.baseline.account_id
    "--PROJECT"        = local.project
  }, length(local.contract_uris) > 0 ? { "--extra-files" = join(",", local.contract_uris) } : {})
}

# ─── Pipelines (project.json "pipelines": jobs in order) ───

module "pipelines" {
  source   = "../../modules/stepfunction_pipeline"
  for_each = local.pipelines

  name                        = format(local.name_format, "${local.project}-${each.key}")
  role_arn                    = local.baseline.sfn_role_arn
  glue_job_names              = [for job in each.value.jobs : module.glue_jobs[job].name]
  step_names                  = each.value.jobs
  max_retries                 = each.value.max_retries
  backoff_seconds             = each.value.backoff_seconds
  backoff_rate                = each.value.backoff_rate
  enable_failure_notification = each.value.notify_on_failure
  notification_topic_arn      = local.baseline.alerts_topic_arn
  kms_key_arn                 = local.baseline.kms_key_arn
  log_retention_days          = local.baseline.log_retention_days
  schedule_expression         = try(each.value.schedule, null)
  schedule_role_arn           = local.baseline.sfn_scheduler_role_arn
}
