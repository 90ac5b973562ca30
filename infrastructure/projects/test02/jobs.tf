# ─── Glue jobs of test02 ───
# Declared in project.json ("jobs"); created by main.tf. No Terraform-only settings.

locals {
  job_overrides = {}
}
