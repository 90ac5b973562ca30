# ─── Glue jobs of the project ───
# Declare jobs in project.json ("jobs": script, arguments, worker_type, number_of_workers,
# timeout_minutes, max_concurrent_runs); main.tf creates one Glue job per entry. Put here only
# settings Terraform alone knows, per job name, e.g.:
#   my_job = { number_of_workers = var.environment == "prod" ? 10 : 2 }
#   my_job = { arguments = { "--SOURCE_TABLE" = local.baseline.glue_database_raw } }

locals {
  job_overrides = {}
}
