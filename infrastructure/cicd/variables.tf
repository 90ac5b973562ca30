# ─── Inputs ───

variable "github_org" {
  description = "GitHub organisation (or user) owning the repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", var.github_org))
    error_message = "github_org must be a GitHub organisation or user name."
  }
}

variable "github_repository" {
  description = "Repository name (without the organisation)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be a GitHub repository name."
  }
}

variable "environments" {
  description = "Environments deployed to this account (keys of environments/environments.json); one set of deploy roles each."
  type        = list(string)
  default     = ["dev", "int", "prod"]

  validation {
    condition     = length(var.environments) > 0 && alltrue([for env in var.environments : contains(keys(jsondecode(file("${path.module}/../environments/environments.json"))), env)])
    error_message = "environments must be keys of infrastructure/environments/environments.json."
  }
}

variable "create_oidc_provider" {
  description = "Create the GitHub OIDC provider (false when the account already has one; it is then looked up)."
  type        = bool
  default     = true
}
