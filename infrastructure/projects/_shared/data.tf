# ─── Baseline (remote state) ───
# The project reads the environment's baseline outputs from the state of
# infrastructure/environments/<env> (its one output "baseline"): same state bucket, key
# baseline/terraform.tfstate (both written by setup/init-terraform.sh).

data "aws_caller_identity" "current" {}

module "naming" {
  source = "../../modules/naming"

  domain_abbr = local.domain.domain_abbr
  account_id  = data.aws_caller_identity.current.account_id
  environment = var.environment
}

data "terraform_remote_state" "baseline" {
  backend = "s3"

  config = {
    bucket = format(module.naming.name_format, "tfstate")
    key    = "baseline/terraform.tfstate"
    region = local.domain.aws_region
  }
}

# ─── Other projects' tables (their remote states) ───
# The projects share the layer databases, so a table name belongs to one project of the
# domain. The stack reads what every other applied project declares (its output
# catalog_tables) from that project's state, in the same bucket under
# projects/<name>/terraform.tfstate, and main.tf refuses to plan a table another project has
# (terraform_data.table_ownership).
#
# The states are listed from the bucket rather than taken from the folders of this checkout:
# terraform_remote_state fails on a state that does not exist (its defaults only stand in for
# missing outputs), so a project not applied yet must not be read; and a project applied from
# another branch, or whose folder was removed while its tables remain, must still be seen. A
# state without the output (destroyed, or written before the output existed) declares nothing.

locals {
  # The baseline's backend settings (bucket, region, and whatever else a caller configured),
  # reused with each project's key: the state bucket is named in one place.
  state_backend = data.terraform_remote_state.baseline.config
  stack_folder  = basename(abspath(path.module))
  other_project_states = {
    for key in data.aws_s3_objects.project_states.keys : split("/", key)[1] => key
    if can(regex("^projects/[^/]+/terraform\\.tfstate$", key)) && split("/", key)[1] != local.stack_folder
  }
}

data "aws_s3_objects" "project_states" {
  bucket   = local.state_backend.bucket
  prefix   = "projects/"
  max_keys = 10000
}

data "terraform_remote_state" "projects" {
  for_each = local.other_project_states

  backend  = "s3"
  config   = merge(local.state_backend, { key = each.value })
  defaults = { catalog_tables = {} }
}
