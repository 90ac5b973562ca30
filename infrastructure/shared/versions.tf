# ─── Terraform settings of every root module ───
# Shared (symlinked) by environments/<env>, projects/<project> and cicd. The S3 backend is a
# partial configuration: setup/init-terraform.sh writes each stack's backend.conf (state
# bucket {domain_abbr}-tfstate-{account_id}-{env}, key, region, S3 lock file).

terraform {
  required_version = ">= 1.14"
  required_providers { aws = { source = "hashicorp/aws", version = "~> 5.0" } }

  backend "s3" {}
}
