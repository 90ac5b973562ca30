# ─── CI role permissions ───
# One policy document per environment and role. Resource "*" appears only for actions AWS
# authorises on "*" alone, each time with a comment saying so.

locals {
  arn_logs = "arn:aws:logs:${local.region}:${local.account_id}:log-group"
  arn_glue = "arn:aws:glue:${local.region}:${local.account_id}"
  arn_kms  = "arn:aws:kms:${local.region}:${local.account_id}"

  # What Terraform reads back of the baseline's network; AWS authorises these EC2 Describe
  # calls on Resource "*" only (no resource-level permissions).
  ec2_describe_actions = [
    "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups",
    "ec2:DescribeSecurityGroupRules", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcEndpointServices",
    "ec2:DescribeFlowLogs", "ec2:DescribePrefixLists", "ec2:DescribeManagedPrefixLists", "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces", "ec2:DescribeAvailabilityZones", "ec2:DescribeAccountAttributes", "ec2:DescribeTags",
  ]

  # The first metadata file of every Iceberg table, under its table's folder in a layer bucket
  # (<project>/<table>/metadata/, modules/glue_iceberg_table).
  first_metadata_file = "*/metadata/00000-*.metadata.json"

  # The Data Catalog resources of an environment's project stacks: its databases, their
  # tables and the domain's Glue connections.
  glue_catalog_arns = {
    for env, names in local.env : env => [
      "${local.arn_glue}:catalog",
      "${local.arn_glue}:database/${names.glue_dbs}",
      "${local.arn_glue}:table/${names.glue_dbs}/*",
      "${local.arn_glue}:connection/${names.any_name}",
    ]
  }
}

# ─── ci-terraform-baseline-<env> ───

data "aws_iam_policy_document" "baseline" {
  for_each = local.env

  statement {
    sid       = "BaselineStateBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [each.value.state_bucket]
  }

  statement {
    sid       = "BaselineState"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${each.value.state_bucket}/baseline/*"]
  }

  statement {
    sid       = "Buckets"
    effect    = "Allow"
    actions   = ["s3:CreateBucket", "s3:DeleteBucket", "s3:Get*", "s3:List*", "s3:Put*", "s3:DeleteBucketPolicy"]
    resources = [for purpose in ["raw", "refined", "curated", "artifacts", "logs"] : "arn:aws:s3:::${format(each.value.name_format, purpose)}"]
  }

  # Resource "*" is required by AWS: kms:CreateKey acts on no existing resource. Limited to
  # keys created with this environment's tag (provider default_tags).
  statement {
    sid       = "CreateKey"
    effect    = "Allow"
    actions   = ["kms:CreateKey"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  # CreateKey with tags is also authorised as kms:TagResource on every key of the account and
  # region, for a key that has no tags yet: a condition on the key's own tags can never hold
  # there. So: with this environment's tag in the request, and never on a key that already
  # carries another environment's tag (re-tagging it would hand it to this role).
  statement {
    sid       = "TagNewKey"
    effect    = "Allow"
    actions   = ["kms:TagResource"]
    resources = ["${local.arn_kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  # Resource "*" is required by AWS: kms:ListAliases (how the alias is read back) has no
  # resource-level permissions, and the request carries no tags. Read-only.
  statement {
    sid       = "ListAliases"
    effect    = "Allow"
    actions   = ["kms:ListAliases"]
    resources = ["*"]
  }

  statement {
    sid       = "ManageEnvironmentKey"
    effect    = "Allow"
    actions   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:UpdateKeyDescription", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]
    resources = ["${local.arn_kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "ManageEnvironmentKeyAlias"
    effect    = "Allow"
    actions   = ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]
    resources = ["${local.arn_kms}:${each.value.kms_alias}"]
  }

  # Resource "*" is required by AWS: these EC2 Describe calls (what Terraform reads back)
  # support no resource-level permissions.
  statement {
    sid       = "DescribeNetwork"
    effect    = "Allow"
    actions   = local.ec2_describe_actions
    resources = ["*"]
  }

  # Network resources get generated IDs: scoped to this account and region (and to the
  # AWS-managed S3 prefix list the security groups reference).
  statement {
    sid    = "ManageNetwork"
    effect = "Allow"
    actions = [
      "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcAttribute",
      "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute",
      "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
      "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint",
      "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:CreateTags", "ec2:DeleteTags",
    ]
    resources = ["arn:aws:ec2:${local.region}:${local.account_id}:*", "arn:aws:ec2:${local.region}:aws:prefix-list/*"]
  }

  # Interface endpoints with private DNS: CreateVpcEndpoint associates the VPC with the
  # endpoint's private hosted zone (a dependent action). That zone belongs to AWS and its ID is
  # not known in advance, so any hosted zone; nothing else of Route 53.
  statement {
    sid       = "EndpointPrivateDns"
    effect    = "Allow"
    actions   = ["route53:AssociateVPCWithHostedZone"]
    resources = ["arn:aws:route53:::hostedzone/*"]
  }

  statement {
    sid       = "BaselineRoles"
    effect    = "Allow"
    actions   = ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"]
    resources = ["${each.value.baseline_roles}${each.value.any_name}"]
  }

  statement {
    sid       = "PassBaselineRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["${each.value.baseline_roles}${each.value.any_name}"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["vpc-flow-logs.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com"]
    }
  }

  statement {
    sid       = "ProjectBoundaryPolicy"
    effect    = "Allow"
    actions   = ["iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"]
    resources = [each.value.boundary_arn]
  }

  statement {
    sid       = "FlowLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = ["${local.arn_logs}:/aws/vpc/${format(each.value.name_format, "vpc")}/*"]
  }

  # Resource "*" is required by AWS: DescribeLogGroups and the CloudWatch Logs resource-policy
  # APIs (the Step Functions log-delivery policy) support no resource-level permissions.
  statement {
    sid       = "LogResourcePolicies"
    effect    = "Allow"
    actions   = ["logs:DescribeLogGroups", "logs:PutResourcePolicy", "logs:DeleteResourcePolicy", "logs:DescribeResourcePolicies"]
    resources = ["*"]
  }

  statement {
    sid       = "AlertsTopic"
    effect    = "Allow"
    actions   = ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource", "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"]
    resources = ["arn:aws:sns:${local.region}:${local.account_id}:${format(each.value.name_format, "pipeline-alerts")}*"]
  }

  statement {
    sid       = "AlertRules"
    effect    = "Allow"
    actions   = ["events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:EnableRule", "events:DisableRule", "events:PutTargets", "events:RemoveTargets", "events:ListTargetsByRule", "events:TagResource", "events:UntagResource", "events:ListTagsForResource"]
    resources = ["arn:aws:events:${local.region}:${local.account_id}:rule/${each.value.any_name}"]
  }

  statement {
    sid     = "GlueDatabasesAndConnections"
    effect  = "Allow"
    actions = ["glue:CreateDatabase", "glue:DeleteDatabase", "glue:GetDatabase", "glue:UpdateDatabase", "glue:CreateConnection", "glue:DeleteConnection", "glue:GetConnection", "glue:UpdateConnection", "glue:TagResource", "glue:UntagResource", "glue:GetTags"]
    resources = [
      "${local.arn_glue}:catalog",
      "${local.arn_glue}:database/${each.value.glue_dbs}",
      "${local.arn_glue}:table/${each.value.glue_dbs}/*",
      "${local.arn_glue}:userDefinedFunction/${each.value.glue_dbs}/*",
      "${local.arn_glue}:connection/${each.value.any_name}",
    ]
  }

  # Resource "*" is required by AWS: Glue security configurations support no resource-level
  # permissions.
  statement {
    sid       = "GlueSecurityConfiguration"
    effect    = "Allow"
    actions   = ["glue:CreateSecurityConfiguration", "glue:DeleteSecurityConfiguration", "glue:GetSecurityConfiguration", "glue:GetSecurityConfigurations"]
    resources = ["*"]
  }
}

# ─── ci-artifacts-<env> ───

data "aws_iam_policy_document" "artifacts" {
  for_each = local.env

  statement {
    sid       = "PutAndGetArtifacts"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${each.value.artifacts}/wheels/*", "${each.value.artifacts}/jobs/*"]
  }

  statement {
    sid       = "ListArtifactPrefixes"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [each.value.artifacts]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["wheels/*", "jobs/*"]
    }
  }

  statement {
    sid       = "EncryptWithDataLakeKey"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["${local.arn_kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [each.value.kms_alias]
    }
  }
}

# ─── ci-terraform-projects-<env> ───

data "aws_iam_policy_document" "projects" {
  for_each = local.env

  statement {
    sid       = "ProjectStateBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [each.value.state_bucket]
  }

  statement {
    sid       = "ProjectStates"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${each.value.state_bucket}/projects/*"]
  }

  statement {
    sid       = "ReadBaselineState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${each.value.state_bucket}/baseline/terraform.tfstate"]
  }

  statement {
    sid       = "GlueJobs"
    effect    = "Allow"
    actions   = ["glue:CreateJob", "glue:UpdateJob", "glue:DeleteJob", "glue:GetJob", "glue:TagResource", "glue:UntagResource", "glue:GetTags"]
    resources = ["${local.arn_glue}:job/${each.value.any_name}"]
  }

  statement {
    sid       = "GlueTablesAndOptimizers"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable", "glue:GetTable", "glue:GetTables", "glue:GetPartitionIndexes", "glue:GetTableVersions", "glue:DeleteTableVersion", "glue:BatchDeleteTableVersion", "glue:CreateTableOptimizer", "glue:UpdateTableOptimizer", "glue:DeleteTableOptimizer", "glue:GetTableOptimizer", "glue:BatchGetTableOptimizer", "glue:ListTableOptimizerRuns", "glue:GetConnection"]
    resources = local.glue_catalog_arns[each.key]
  }

  # The Glue Data Quality ruleset of each table whose contract exports DQDL rules (named by
  # the naming module, as every project resource). Tags are set on create and changed by
  # every deploy (git_sha, deployed_by).
  statement {
    sid       = "GlueDataQualityRulesets"
    effect    = "Allow"
    actions   = ["glue:CreateDataQualityRuleset", "glue:GetDataQualityRuleset", "glue:UpdateDataQualityRuleset", "glue:DeleteDataQualityRuleset", "glue:TagResource", "glue:UntagResource", "glue:GetTags"]
    resources = ["${local.arn_glue}:dataQualityRuleset/${each.value.any_name}"]
  }

  # An Iceberg table is created with its first metadata file, which the stack writes itself
  # (modules/glue_iceberg_table: <table location>metadata/00000-<uuid>.metadata.json; tables
  # created earlier through Glue's CreateTable got theirs at the same place). Tables live
  # under their project's prefix of the refined and curated buckets; this role serves every
  # project, so any prefix, but only that first file: no data file, no later metadata. The
  # buckets are versioned: deleting the object deletes each of its versions, found by listing
  # the versions under its key.
  statement {
    sid       = "IcebergTableMetadata"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:GetObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = [for layer in ["refined", "curated"] : "arn:aws:s3:::${format(each.value.name_format, layer)}/${local.first_metadata_file}"]
  }

  statement {
    sid       = "IcebergTableMetadataVersions"
    effect    = "Allow"
    actions   = ["s3:ListBucketVersions"]
    resources = [for layer in ["refined", "curated"] : "arn:aws:s3:::${format(each.value.name_format, layer)}"]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [local.first_metadata_file]
    }
  }

  # That file is SSE-KMS encrypted with the environment's key, through S3 with the caller's
  # credentials (S3 Bucket Key: the encryption context is the bucket ARN; the object ARN
  # without one).
  statement {
    sid       = "IcebergTableMetadataKey"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["${local.arn_kms}:key/*"]

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values = flatten([
        for layer in ["refined", "curated"] : ["arn:aws:s3:::${format(each.value.name_format, layer)}", "arn:aws:s3:::${format(each.value.name_format, layer)}/${local.first_metadata_file}"]
      ])
    }

    # The context already pins the environment's buckets, which S3 encrypts with the
    # environment's key only; no alias condition is needed on top.
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "Pipelines"
    effect    = "Allow"
    actions   = ["states:CreateStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine", "states:DescribeStateMachine", "states:ListStateMachineVersions", "states:TagResource", "states:UntagResource", "states:ListTagsForResource"]
    resources = ["arn:aws:states:${local.region}:${local.account_id}:stateMachine:${each.value.any_name}"]
  }

  # Resource "*" is required by AWS: ValidateStateMachineDefinition acts on no resource.
  statement {
    sid       = "ValidatePipelines"
    effect    = "Allow"
    actions   = ["states:ValidateStateMachineDefinition"]
    resources = ["*"]
  }

  statement {
    sid       = "PipelineLogGroups"
    effect    = "Allow"
    actions   = ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = ["${local.arn_logs}:/aws/states/${each.value.any_name}", "${local.arn_logs}:/aws/states/${each.value.any_name}:*"]
  }

  # Resource "*" is required by AWS: DescribeLogGroups and the vended-log-delivery APIs that
  # Step Functions calls with the deploying identity when logging is configured support no
  # resource-level permissions.
  statement {
    sid       = "PipelineLogDelivery"
    effect    = "Allow"
    actions   = ["logs:DescribeLogGroups", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:DescribeResourcePolicies"]
    resources = ["*"]
  }

  statement {
    sid       = "PipelineSchedules"
    effect    = "Allow"
    actions   = ["events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:PutTargets", "events:RemoveTargets", "events:ListTargetsByRule", "events:TagResource", "events:UntagResource", "events:ListTagsForResource"]
    resources = ["arn:aws:events:${local.region}:${local.account_id}:rule/${each.value.any_name}"]
  }

  # Project roles: only under the project role path and only with the baseline's permissions
  # boundary, so a project cannot grant itself more than the boundary allows.
  statement {
    sid       = "ProjectRolesWithBoundary"
    effect    = "Allow"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary"]
    resources = ["${each.value.project_roles}${each.value.any_name}"]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [each.value.boundary_arn]
    }
  }

  statement {
    sid       = "ProjectRoles"
    effect    = "Allow"
    actions   = ["iam:GetRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"]
    resources = ["${each.value.project_roles}${each.value.any_name}"]
  }

  statement {
    sid       = "KeepBoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary"]
    resources = ["${each.value.project_roles}*"]
  }

  statement {
    sid       = "PassProjectRolesToGlue"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["${each.value.project_roles}${each.value.any_name}"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["glue.amazonaws.com"]
    }
  }

  statement {
    sid     = "PassBaselinePipelineRoles"
    effect  = "Allow"
    actions = ["iam:PassRole"]
    resources = [
      "${each.value.baseline_roles}${format(each.value.name_format, "sfn")}",
      "${each.value.baseline_roles}${format(each.value.name_format, "sfn-scheduler")}",
    ]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["states.amazonaws.com", "events.amazonaws.com"]
    }
  }

  statement {
    sid       = "UseDataLakeKey"
    effect    = "Allow"
    actions   = ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["${local.arn_kms}:key/*"]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [each.value.kms_alias]
    }

    # State machines and their log groups use the key through these services.
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["states.${local.region}.amazonaws.com", "logs.${local.region}.amazonaws.com"]
    }
  }
}

# ─── ci-terraform-plan-<env> ───
# Read-only, for `terraform plan -lock=false` of environments/<env> and projects/<name> on
# pull requests (_plan.yml): the states, and what refreshing every resource of those stacks
# reads. No write of any kind: no state or lock-file writes (plans never take the S3 lock
# file), no object reads in the data buckets (bucket configuration only, and the head and
# tags of each Iceberg table's first metadata file, which a refresh reads), no KMS use except
# decrypting the pipeline definitions through Step Functions.

data "aws_iam_policy_document" "plan" {
  for_each = local.env

  statement {
    sid       = "PlanStateBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [each.value.state_bucket]
  }

  statement {
    sid       = "ReadStates"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${each.value.state_bucket}/baseline/*", "${each.value.state_bucket}/projects/*"]
  }

  statement {
    sid    = "ReadBucketConfiguration"
    effect = "Allow"
    actions = [
      "s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetBucketPolicyStatus", "s3:GetBucketAcl",
      "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning", "s3:GetBucketLogging", "s3:GetBucketTagging",
      "s3:GetBucketRequestPayment", "s3:GetBucketNotification", "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketOwnershipControls", "s3:GetBucketPublicAccessBlock", "s3:GetAccelerateConfiguration",
      "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration",
    ]
    resources = [for purpose in ["raw", "refined", "curated", "artifacts", "logs"] : "arn:aws:s3:::${format(each.value.name_format, purpose)}"]
  }

  # HeadObject (authorised as s3:GetObject) and GetObjectTagging: the refresh of an Iceberg
  # table's first metadata file (modules/glue_iceberg_table). No KMS: a head reads no content.
  statement {
    sid       = "ReadIcebergTableMetadata"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectTagging"]
    resources = [for layer in ["refined", "curated"] : "arn:aws:s3:::${format(each.value.name_format, layer)}/${local.first_metadata_file}"]
  }

  # Resource "*" is required by AWS: the EC2 Describe calls, kms:ListAliases (how the alias
  # is read back), DescribeLogGroups, DescribeResourcePolicies, GetSecurityConfiguration and
  # ValidateStateMachineDefinition support no resource-level permissions. All are reads.
  statement {
    sid       = "ReadWithoutResourceScope"
    effect    = "Allow"
    actions   = concat(local.ec2_describe_actions, ["kms:ListAliases", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "glue:GetSecurityConfiguration", "states:ValidateStateMachineDefinition"])
    resources = ["*"]
  }

  statement {
    sid       = "ReadVpcAttributes"
    effect    = "Allow"
    actions   = ["ec2:DescribeVpcAttribute"]
    resources = ["arn:aws:ec2:${local.region}:${local.account_id}:vpc/*"]
  }

  statement {
    sid       = "ReadEnvironmentKey"
    effect    = "Allow"
    actions   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
    resources = ["${local.arn_kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key] # the baseline's key carries its environment (provider default_tags)
    }
  }

  # Step Functions returns the definition of a CMK-encrypted state machine only to callers
  # that may decrypt it: only through Step Functions, only for this environment's state
  # machines (Step Functions' encryption context names the state machine).
  statement {
    sid       = "DecryptPipelineDefinitions"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["${local.arn_kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["states.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:states:stateMachineArn"
      values = [
        "arn:aws:states:${local.region}:${local.account_id}:stateMachine:${each.value.any_name}",
        "arn:aws:states:${local.region}:${local.account_id}:stateMachine:${each.value.any_name}:*",
      ]
    }
  }

  statement {
    sid       = "ReadRoles"
    effect    = "Allow"
    actions   = ["iam:GetRole", "iam:ListRoleTags", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
    resources = ["${each.value.baseline_roles}${each.value.any_name}", "${each.value.project_roles}${each.value.any_name}"]
  }

  statement {
    sid       = "ReadBoundaryPolicy"
    effect    = "Allow"
    actions   = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"]
    resources = [each.value.boundary_arn]
  }

  statement {
    sid     = "ReadLogGroups"
    effect  = "Allow"
    actions = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = [
      "${local.arn_logs}:/aws/vpc/${format(each.value.name_format, "vpc")}/*",
      "${local.arn_logs}:/aws/states/${each.value.any_name}",
      "${local.arn_logs}:/aws/states/${each.value.any_name}:*",
    ]
  }

  statement {
    sid       = "ReadAlertsTopic"
    effect    = "Allow"
    actions   = ["sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"]
    resources = ["arn:aws:sns:${local.region}:${local.account_id}:${format(each.value.name_format, "pipeline-alerts")}*"]
  }

  statement {
    sid       = "ReadRules"
    effect    = "Allow"
    actions   = ["events:DescribeRule", "events:ListTargetsByRule", "events:ListTagsForResource"]
    resources = ["arn:aws:events:${local.region}:${local.account_id}:rule/${each.value.any_name}"]
  }

  statement {
    sid       = "ReadGlueCatalog"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:GetConnection", "glue:GetTable", "glue:GetPartitionIndexes", "glue:GetTableOptimizer", "glue:BatchGetTableOptimizer", "glue:GetTags"]
    resources = local.glue_catalog_arns[each.key]
  }

  statement {
    sid       = "ReadGlueJobs"
    effect    = "Allow"
    actions   = ["glue:GetJob", "glue:GetTags"]
    resources = ["${local.arn_glue}:job/${each.value.any_name}"]
  }

  statement {
    sid       = "ReadGlueDataQualityRulesets"
    effect    = "Allow"
    actions   = ["glue:GetDataQualityRuleset", "glue:GetTags"]
    resources = ["${local.arn_glue}:dataQualityRuleset/${each.value.any_name}"]
  }

  statement {
    sid       = "ReadPipelines"
    effect    = "Allow"
    actions   = ["states:DescribeStateMachine", "states:ListStateMachineVersions", "states:ListTagsForResource"]
    resources = ["arn:aws:states:${local.region}:${local.account_id}:stateMachine:${each.value.any_name}"]
  }
}
