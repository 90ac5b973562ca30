# ─── Baseline: the domain's shared infrastructure for one environment ───
# Buckets, KMS key, Glue databases and security configuration, VPC, orchestration roles and
# alerting. Applied through infrastructure/environments/<env>; project stacks read its
# outputs through terraform_remote_state (local.baseline).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  domain     = jsondecode(file("${path.module}/../../setup/domain.json"))
  abbr       = local.domain.domain_abbr
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # Every name comes from the naming module: format(local.name_format, "<purpose>").
  name_format          = module.naming.name_format
  glue_database_format = module.naming.glue_database_format
}

module "naming" {
  source = "../modules/naming"

  domain_abbr = local.abbr
  account_id  = local.account_id
  environment = var.environment
}
