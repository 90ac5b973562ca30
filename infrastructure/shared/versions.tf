# ─── Terraform settings of every root module ───
# Shared (symlinked) by environments/<env>, projects/<project> and cicd. The S3 backend is a
# partial configuration: setup/init-terraform.sh writes each stack's backend.conf (state
# bucket {domain_abbr}-tfstate-{account_id}-{env}, key, region, S3 lock file).
#
# AWS provider: 5.81 is the first release whose aws_glue_catalog_table_optimizer accepts the
# retention_configuration and orphan_file_deletion_configuration blocks that
# modules/glue_iceberg_table writes ("~> 5.0" admitted providers that reject them); 6.0 is a
# major release with breaking changes. The .terraform.lock.hcl committed next to every root
# module pins the exact version and its checksums (docs/infrastructure.md).

terraform {
  required_version = ">= 1.14"
  required_providers { aws = { source = "hashicorp/aws", version = ">= 5.81, < 6.0" } }

  backend "s3" {}
}
