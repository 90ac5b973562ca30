# ─── KMS customer-managed key ───
# One CMK per environment encrypts the data buckets, log groups, the alerts topic, Glue
# (security configuration) and Step Functions data. Rotation is automatic (yearly).

resource "aws_kms_key" "this" {
  description             = "${local.abbr} data lake encryption - ${var.environment}"
  deletion_window_in_days = var.settings.kms_deletion_window_in_days
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.abbr}-data-lake-${var.environment}"
  target_key_id = aws_kms_key.this.key_id
}

locals {
  # Encryption context under which Step Functions makes the data keys of its execution logs
  # (the literal value, "*" included, as the Step Functions guide spells it).
  log_delivery_context = "arn:aws:logs:${local.region}:${local.account_id}:*"
}

# The explicit three-statement key policy (account, CloudWatch Logs, EventBridge) plus the
# grant CMK-encrypted Step Functions logging needs (statement 4). In a key policy Resource "*"
# means "this key" (a key policy cannot name any other resource), so every statement uses it.
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key only; administration stays with the account (statement 1).
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key only; service statements are scoped by principal and encryption context.
  #checkov:skip=CKV_AWS_356:Key policy: a key policy can only name "*" (the key itself) as its resource.
  # 1. The account administers and uses the key through IAM policies (the roles' policies
  #    grant kms:* actions on this key's ARN only). Resource "*" = this key.
  statement {
    sid       = "EnableIAMPolicies"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  # 2. CloudWatch Logs encrypts this account's log groups (flow logs, Step Functions'
  #    /aws/states/ groups, Glue) with the key. Resource "*" = this key; scoped by the
  #    log-group encryption context.
  statement {
    sid    = "AllowCloudWatchLogs"
    effect = "Allow"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  # 3. EventBridge publishes failure events to the CMK-encrypted alerts topic.
  #    Resource "*" = this key.
  statement {
    sid       = "AllowEventBridgeToEncryptedTopic"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }

  # 4. Step Functions execution logs. A state machine encrypted with this key (modules/
  #    stepfunction_pipeline) has its execution role make a data key for its log events under
  #    the encryption context SourceArn = arn:aws:logs:<region>:<account>:* (execution-role
  #    statement ExecutionLogsDataKey, iam_orchestration.tf); CloudWatch Logs' delivery
  #    service must decrypt it to write the events. Without this statement the logs of every
  #    pipeline are dropped with no error ("Data at rest encryption" in the Step Functions
  #    guide). Resource "*" = this key; only Decrypt, and only for this account's log
  #    deliveries (the context is the logs ARN, not the state machine's: the state machines
  #    themselves are scoped on the execution role).
  statement {
    sid       = "AllowStepFunctionsLogDelivery"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:SourceArn"
      values   = [local.log_delivery_context]
    }
  }
}
