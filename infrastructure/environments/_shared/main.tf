# ─── Environment root: wiring ───
# Shared (symlinked) by environments/{dev,int,prod}. The only file of an environment that is
# not a symlink is environment.tf (local.environment); its differences from the others are
# data in environments.json.

locals {
  domain       = jsondecode(file("${path.module}/../../../setup/domain.json"))
  environments = jsondecode(file("${path.module}/../environments.json"))
  settings     = local.environments[local.environment]
  stack_tags   = { Environment = local.environment, Stack = "baseline" }
}

module "baseline" {
  source = "../../baseline"

  environment = local.environment
  settings    = local.settings
}
