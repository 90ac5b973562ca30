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
