# ─── Naming convention ───
# The one place that spells the domain's naming convention:
#   {domain_abbr}-{purpose}-{account_id}-{env}   e.g. f01-raw-123456789012-dev
# Glue database names cannot contain hyphens, so they follow {domain_abbr}_{layer}_{env}.
# Callers apply the patterns with format(): format(module.naming.name_format, "raw").
# Purposes are lower-case words joined by hyphens ("pipeline-alerts", "project01-glue").

locals {
  name_format          = "${var.domain_abbr}-%s-${var.account_id}-${var.environment}"
  glue_database_format = "${var.domain_abbr}_%s_${var.environment}"
  names                = { for purpose in var.purposes : purpose => format(local.name_format, purpose) }

  # IAM paths: deploy roles are scoped to these subtrees (see infrastructure/cicd).
  baseline_role_path = "/${var.domain_abbr}/baseline/"
  project_role_path  = "/${var.domain_abbr}/projects/"
}
