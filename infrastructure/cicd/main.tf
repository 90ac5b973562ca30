# ─── CI/CD access (applied once per account) ───
# GitHub Actions reach AWS through OIDC, without stored credentials. Per environment three
# deploy roles and one read-only role for pull-request plans, each trusted
# only by its own GitHub environment of this repository, and allowed only what its job needs:
#   ci-terraform-baseline-<env>  <env>-baseline   terraform apply of environments/<env>
#   ci-artifacts-<env>           <env>-artifacts  upload of the wheel and job scripts
#   ci-terraform-projects-<env>  <env>-projects   terraform apply of projects/<name>
#   ci-terraform-plan-<env>      <env>-plan       terraform plan -lock=false of both (PR plans)

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  stack_tags = { Stack = "cicd" }
  domain     = jsondecode(file("${path.module}/../../setup/domain.json"))
  abbr       = local.domain.domain_abbr
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  github_oidc_url   = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn

  # Everything an environment's roles may touch, named by the naming module.
  env = {
    for env in var.environments : env => {
      name_format  = module.naming[env].name_format
      any_name     = format(module.naming[env].name_format, "*")
      state_bucket = "arn:aws:s3:::${format(module.naming[env].name_format, "tfstate")}"
      artifacts    = "arn:aws:s3:::${format(module.naming[env].name_format, "artifacts")}"
      kms_alias    = "alias/${local.abbr}-data-lake-${env}"
      glue_dbs     = "${local.abbr}_*_${env}"
      boundary_arn = "arn:aws:iam::${local.account_id}:policy/${format(module.naming[env].name_format, "project-boundary")}"
      # Role ARN prefixes: the baseline's service roles and the project roles (IAM paths).
      baseline_roles = "arn:aws:iam::${local.account_id}:role${module.naming[env].baseline_role_path}"
      project_roles  = "arn:aws:iam::${local.account_id}:role${module.naming[env].project_role_path}"
    }
  }

  # github_environment: the GitHub environment whose jobs may assume the role (its OIDC
  # subject is repo:<org>/<repo>:environment:<name>). Every role has an environment of its
  # own, so a job can assume only the role of the environment it runs in: the baseline,
  # artifacts and projects jobs of _deploy.yml run in <env>-baseline, <env>-artifacts and
  # <env>-projects, the PR plans of _plan.yml in <env>-plan. A job_workflow_ref condition
  # could not do this: the three deploy jobs run the same reusable workflow at the same ref,
  # so their tokens differ only in the environment.
  role_kinds = {
    baseline  = { name = "ci-terraform-baseline", github_environment = "%s-baseline", description = "terraform apply of the baseline (environments/%s)" }
    artifacts = { name = "ci-artifacts", github_environment = "%s-artifacts", description = "upload of the foundation wheel and job scripts (%s)" }
    projects  = { name = "ci-terraform-projects", github_environment = "%s-projects", description = "terraform apply of the project stacks (%s)" }
    plan      = { name = "ci-terraform-plan", github_environment = "%s-plan", description = "read-only terraform plan of pull requests (%s)" }
  }

  deploy_roles = merge([
    for env in var.environments : {
      for kind, role in local.role_kinds : "${env}/${kind}" => {
        env                = env
        kind               = kind
        name               = "${role.name}-${env}"
        github_environment = format(role.github_environment, env)
        description        = format("GitHub Actions: ${role.description}", env)
      }
    }
  ]...)

  github_environments = toset([for role in local.deploy_roles : role.github_environment])

  role_policies = {
    baseline  = data.aws_iam_policy_document.baseline
    artifacts = data.aws_iam_policy_document.artifacts
    projects  = data.aws_iam_policy_document.projects
    plan      = data.aws_iam_policy_document.plan
  }
}

module "naming" {
  source   = "../modules/naming"
  for_each = toset(var.environments)

  domain_abbr = local.abbr
  account_id  = local.account_id
  environment = each.key
}

# ─── GitHub OIDC provider ───

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_url}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS validates GitHub's certificate through its own trust store; the thumbprints are
  # GitHub's published intermediates, kept because the API still accepts them.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 0 : 1

  url = "https://${local.github_oidc_url}"
}

# ─── CI roles ───

# One trust policy per GitHub environment, that is per role (<env>-baseline, <env>-artifacts,
# <env>-projects, <env>-plan).
data "aws_iam_policy_document" "github_trust" {
  for_each = local.github_environments

  statement {
    sid     = "GitHubEnvironment"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_url}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Only jobs of this repository running in this GitHub environment (a job that names an
    # environment gets the subject repo:<org>/<repo>:environment:<name>, whatever its event).
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_url}:sub"
      values   = ["repo:${var.github_org}/${var.github_repository}:environment:${each.key}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  for_each = local.deploy_roles

  name                 = each.value.name
  description          = each.value.description
  assume_role_policy   = data.aws_iam_policy_document.github_trust[each.value.github_environment].json
  max_session_duration = 3600
  tags                 = { Environment = each.value.env, DeployRole = each.value.kind }

  lifecycle {
    precondition {
      condition     = length(local.github_environments) == length(local.deploy_roles)
      error_message = "Every CI role needs a GitHub environment of its own: a shared one would let one job assume another job's role."
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  for_each = local.deploy_roles

  name   = each.value.name
  role   = aws_iam_role.deploy[each.key].id
  policy = local.role_policies[each.value.kind][each.value.env].json
}
