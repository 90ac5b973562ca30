# ─── Outputs ───

output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider."
  value       = local.oidc_provider_arn
}

output "role_arns" {
  description = "CI role ARNs per environment: { <env> = { baseline, artifacts, projects, plan } }."
  value = {
    for env in var.environments : env => {
      for kind in keys(local.role_kinds) : kind => aws_iam_role.deploy["${env}/${kind}"].arn
    }
  }
}

output "github_secrets" {
  description = "The GitHub secrets the deploy and PR-plan workflows read, with their values (AWS_ROLE_ARN_<KIND>_<ENV>: BASELINE, ARTIFACTS, PROJECTS, PLAN)."
  value = {
    for key, role in local.deploy_roles : upper("AWS_ROLE_ARN_${role.kind}_${role.env}") => aws_iam_role.deploy[key].arn
  }
}

output "github_environments" {
  description = "The GitHub environments to create in the repository, each with the one CI role its jobs may assume: { <env>-baseline|artifacts|projects|plan = <role name> }."
  value       = { for key, role in local.deploy_roles : role.github_environment => aws_iam_role.deploy[key].name }
}
