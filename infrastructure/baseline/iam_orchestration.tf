# ─── Step Functions execution role ───
# Shared by every project pipeline of the environment. CloudWatch Logs permissions are split
# by scope: operational actions scoped to the domain's /aws/states/ log groups;
# log-delivery actions, which AWS only authorises on "*", in their own statement.
# PutResourcePolicy and DeleteLogDelivery are not granted: the log-delivery resource policy
# below is managed here, and deliveries are removed by the deploying identity.

locals {
  sfn_log_group_arn = "arn:aws:logs:${local.region}:${local.account_id}:log-group:/aws/states/${local.abbr}-*"
  # The domain's state machines of this environment: {abbr}-<project>-<pipeline>-{account}-{env}.
  sfn_state_machine_arns = "arn:aws:states:${local.region}:${local.account_id}:stateMachine:${format(local.name_format, "*")}"
}

data "aws_iam_policy_document" "sfn" {
  statement {
    sid    = "RunDomainGlueJobs"
    effect = "Allow"
    actions = [
      "glue:StartJobRun",
      "glue:GetJobRun",
      "glue:GetJobRuns",
      "glue:BatchStopJobRun",
    ]
    resources = ["arn:aws:glue:${local.region}:${local.account_id}:job/${local.abbr}-*"]
  }

  statement {
    sid    = "CloudWatchLogsOperational"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = [local.sfn_log_group_arn]
  }

  # Resource "*" is required by AWS: the CloudWatch Logs vended-log-delivery APIs and
  # DescribeLogGroups/DescribeResourcePolicies support no resource-level permissions
  # (Step Functions "IAM policies for logging to CloudWatch Logs").
  statement {
    sid    = "CloudWatchLogDelivery"
    effect = "Allow"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:ListLogDeliveries",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }

  # Resource "*" is required by AWS: X-Ray trace APIs have no resource-level permissions.
  statement {
    sid    = "XRayTracing"
    effect = "Allow"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "PublishFailureNotifications"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }

  # The state machines are encrypted with the domain CMK (CUSTOMER_MANAGED_KMS_KEY): Step
  # Functions encrypts and decrypts execution data with the execution role, under the
  # encryption context aws:states:stateMachineArn. Only this environment's state machines.
  statement {
    sid       = "StateMachineDataKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:states:stateMachineArn"
      values   = [local.sfn_state_machine_arns]
    }
  }

  # Logging of an encrypted state machine: the role makes the data key of the log events
  # under the logs context, and CloudWatch Logs' delivery service decrypts it (key policy
  # statement AllowStepFunctionsLogDelivery, kms.tf).
  statement {
    sid       = "ExecutionLogsDataKey"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]

    # StringEquals, as in the Step Functions guide: the context value is this literal string.
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:SourceArn"
      values   = [local.log_delivery_context]
    }
  }

  # NotifyFailure publishes to the CMK-encrypted alerts topic; SNS uses the publisher's
  # permissions on the key, under the context aws:sns:topicArn.
  statement {
    sid       = "AlertsTopicDataKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:sns:topicArn"
      values   = [aws_sns_topic.alerts.arn]
    }
  }
}

module "sfn_role" {
  source = "../modules/iam_role"

  name             = format(local.name_format, "sfn")
  path             = module.naming.baseline_role_path
  description      = "Step Functions execution role of the ${var.environment} pipelines"
  trusted_services = ["states.amazonaws.com"]
  inline_policies  = { "step-functions" = data.aws_iam_policy_document.sfn.json }
}

# ─── Log delivery resource policy ───
# Lets CloudWatch Logs' delivery service write the Step Functions execution logs into the
# domain's /aws/states/ log groups, so the execution role needs no logs:PutResourcePolicy.

data "aws_iam_policy_document" "sfn_log_delivery" {
  statement {
    sid       = "StepFunctionsLogDelivery"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.sfn_log_group_arn}:log-stream:*"]

    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "sfn_log_delivery" {
  policy_name     = format(local.name_format, "sfn-log-delivery")
  policy_document = data.aws_iam_policy_document.sfn_log_delivery.json
}

# ─── Scheduler role ───
# EventBridge schedule rules (project.json "schedule") start the domain's state machines.

data "aws_iam_policy_document" "sfn_scheduler" {
  statement {
    sid       = "StartDomainPipelines"
    effect    = "Allow"
    actions   = ["states:StartExecution"]
    resources = ["arn:aws:states:${local.region}:${local.account_id}:stateMachine:${local.abbr}-*"]
  }

  statement {
    sid       = "EncryptExecutionInput"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

module "sfn_scheduler_role" {
  source = "../modules/iam_role"

  name             = format(local.name_format, "sfn-scheduler")
  path             = module.naming.baseline_role_path
  description      = "EventBridge schedules starting the ${var.environment} pipelines"
  trusted_services = ["events.amazonaws.com"]
  inline_policies  = { "start-pipelines" = data.aws_iam_policy_document.sfn_scheduler.json }
}
