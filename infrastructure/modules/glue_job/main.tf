# ─── Glue Spark job ───
# A PySpark job on Glue 5.1 with the platform's defaults: Iceberg enabled with a catalog named
# glue_catalog, the versioned foundation wheel on the Python path, the Glue Data Catalog as
# Hive metastore, job metrics, bookmarks off, encryption through a Glue security
# configuration, and FLEX capacity with auto scaling where the environment wants it.
# No --enable-continuous-cloudwatch-log: from Glue 5.0 every job streams its driver and
# executor logs to CloudWatch in real time, and the flag (a Glue 4.0-and-earlier option) does
# nothing.

locals {
  iceberg_conf = join(" --conf ", [
    "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    "spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog",
    "spark.sql.catalog.glue_catalog.warehouse=${var.iceberg_warehouse}",
    "spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
    "spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
  ])

  platform_arguments = merge(
    {
      "--datalake-formats"        = "iceberg"
      "--conf"                    = local.iceberg_conf
      "--enable-glue-datacatalog" = "true"
      "--enable-metrics"          = "true"
      "--job-bookmark-option"     = "job-bookmark-disable"
      "--TempDir"                 = var.temp_dir
    },
    length(var.extra_py_files) > 0 ? { "--extra-py-files" = join(",", var.extra_py_files) } : {},
    var.enable_auto_scaling ? { "--enable-auto-scaling" = "true" } : {},
  )

  # FLEX capacity exists for G.1X and G.2X workers only; bigger workers always run STANDARD.
  execution_class = contains(["G.1X", "G.2X"], var.worker_type) ? var.execution_class : "STANDARD"
}

resource "aws_glue_job" "this" {
  name                   = var.name
  description            = var.description
  role_arn               = var.role_arn
  glue_version           = var.glue_version
  worker_type            = var.worker_type
  number_of_workers      = var.number_of_workers
  execution_class        = local.execution_class
  timeout                = var.timeout_minutes
  max_retries            = var.max_retries
  security_configuration = var.security_configuration
  connections            = var.connections
  default_arguments      = merge(local.platform_arguments, var.default_arguments)
  tags                   = var.tags

  command {
    name            = "glueetl"
    script_location = var.script_location
    python_version  = "3"
  }

  execution_property {
    max_concurrent_runs = var.max_concurrent_runs
  }
}
