# ─── Glue jobs of project01 ───
# The jobs are declared in project.json ("jobs": script, arguments, workers, timeout) and
# created by main.tf. Here only what Terraform alone knows: prod refines the full data set
# with more workers.

locals {
  job_overrides = {
    refine = { number_of_workers = var.environment == "prod" ? 10 : 4 }
  }
}
