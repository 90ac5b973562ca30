terraform {
  required_version = ">= 1.14"
  # The providers every root module accepts; shared/versions.tf says why 5.81.
  required_providers { aws = { source = "hashicorp/aws", version = ">= 5.81, < 6.0" } }
}
