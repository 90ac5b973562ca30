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

  # ─── Tables (contracts/<layer>/<table>.odcs.yaml, tables.tf) ───
  # Every table of the project has an ODCS data contract: the one place its columns, types,
  # descriptions and partition columns are written. tables.tf adds where a raw table's files
  # land. Raw tables sit over the prefix their data lands in; Iceberg tables under the
  # project's own prefix of their layer bucket, s3://<bucket>/<project>/<table>/ (see
  # Isolation below).
  contract_files = fileset("${path.module}/contracts", "*/*.odcs.yaml")
  contracts = {
    for file in local.contract_files : trimsuffix(file, ".odcs.yaml") => {
      layer  = dirname(file)
      table  = trimsuffix(basename(file), ".odcs.yaml")
      schema = yamldecode(file("${path.module}/contracts/${file}")).schema[0]
    }
  }
  # A raw table's partition columns are Hive partition keys (folder=value), not data columns.
  # required: the column's required, or its being part of the primary key (Iceberg's
  # required field), as dp_cli/contracts/interpret.py reads it.
  contract_columns = {
    for key, contract in local.contracts : key => {
      columns = [
        for p in contract.schema.properties : {
          name     = p.name
          type     = p.physicalType
          comment  = try(p.description, null)
          required = try(p.required, false) == true || try(p.primaryKey, false) == true
        } if !(contract.layer == "raw" && try(p.partitioned, false))
      ]
      partition_keys = [
        for p in contract.schema.properties : { name = p.name, type = p.physicalType, comment = try(p.description, null) }
        if contract.layer == "raw" && try(p.partitioned, false)
      ]
    }
  }
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
      description    = try(local.contracts["raw/${name}"].schema.description, "")
      format         = try(table.format, "parquet")
      prefix         = trim(table.prefix, "/")
      location       = "s3://${local.layer_buckets.raw}/${trim(table.prefix, "/")}/"
      columns        = local.contract_columns["raw/${name}"].columns
      partition_keys = local.contract_columns["raw/${name}"].partition_keys
    }
  }
  iceberg_table_definitions = {
    for key, contract in local.contracts : contract.table => {
      description = try(contract.schema.description, "")
      layer       = contract.layer
      database    = local.layer_databases[contract.layer]
      location    = "s3://${local.layer_buckets[contract.layer]}/${local.project}/${contract.table}/"
      columns     = local.contract_columns[key].columns
      layout      = local.contract_layouts[key]
    } if contract.layer != "raw"
  }
  # An Iceberg table's layout, read as dp_cli/contracts/interpret.py reads it: the columns
  # marked partitioned: true, ordered by partitionKeyPosition, each with the transform of its
  # customProperties partitionTransform (identity when absent); the table's customProperties
  # sortOrder (the last entry of a property wins, as there). `dp contract lint` reports
  # malformed declarations; the table module refuses transforms and sort entries Iceberg
  # would not load.
  contract_layouts = {
    for key, contract in local.contracts : key => {
      partition_fields = flatten([
        for position in distinct(sort([for p in contract.schema.properties : try(format("%05d", p.partitionKeyPosition), "00000") if try(p.partitioned, false) == true])) : [
          for p in contract.schema.properties : {
            column    = p.name
            transform = try(tostring(reverse([for e in p.customProperties : e.value if try(e.property, "") == "partitionTransform"])[0]), "identity")
          } if try(p.partitioned, false) == true && try(format("%05d", p.partitionKeyPosition), "00000") == position
        ]
      ])
      sort_order = try([for s in reverse([for e in contract.schema.customProperties : e.value if try(e.property, "") == "sortOrder"])[0] : trimspace(s)], [])
    } if contract.layer != "raw"
  }
  # Raw tables without a contract, and raw contracts without a landing place in tables.tf.
  raw_contract_tables = [for contract in values(local.contracts) : contract.table if contract.layer == "raw"]
  raw_contract_gaps = setunion(
    setsubtract(keys(local.raw_tables), local.raw_contract_tables),
    setsubtract(local.raw_contract_tables, keys(local.raw_tables)),
  )

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
