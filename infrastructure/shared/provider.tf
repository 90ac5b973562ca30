# ─── AWS provider and traceability tags ───
# Shared (symlinked) by every root module. default_tags put the traceability tags on every
# taggable resource; CI sets them through TF_VAR_git_sha, TF_VAR_deployed_by and
# TF_VAR_repository. Each root module defines local.domain and local.stack_tags.

variable "git_sha" {
  description = "Commit deployed (traceability tag; CI: TF_VAR_git_sha)."
  type        = string
  default     = "unknown"

  validation {
    condition     = can(regex("^([0-9a-f]{7,40}|unknown)$", var.git_sha))
    error_message = "git_sha must be a commit SHA (7-40 hex characters) or \"unknown\"."
  }
}

variable "deployed_by" {
  description = "Who or what deployed (traceability tag; CI: TF_VAR_deployed_by, e.g. the workflow actor)."
  type        = string
  default     = "local"
}

variable "repository" {
  description = "Source repository (traceability tag; CI: TF_VAR_repository = owner/name)."
  type        = string
  default     = "unknown"
}

provider "aws" {
  region = local.domain.aws_region

  default_tags {
    tags = merge(local.stack_tags, {
      Domain      = local.domain.domain_name
      ManagedBy   = "terraform"
      git_sha     = var.git_sha
      deployed_by = var.deployed_by
      repository  = var.repository
    })
  }
}
