terraform {
  required_version = ">= 1.14"
  required_providers { aws = { source = "hashicorp/aws", version = ">= 5.81, < 6.0" } }
}
