# ─── Alerting ───
# A CMK-encrypted SNS topic receives every failed Step Functions execution and every failed
# Glue job run of the domain, through EventBridge rules. Teams subscribe to it (email from
# environments.json, or their own targets through the alerts_topic_arn output).

locals {
  alert_rules = {
    sfn-failure = {
      description = "Failed, timed-out or aborted Step Functions executions of the domain"
      pattern = {
        source        = ["aws.states"]
        "detail-type" = ["Step Functions Execution Status Change"]
        detail = {
          status          = ["FAILED", "TIMED_OUT", "ABORTED"]
          stateMachineArn = [{ prefix = "arn:aws:states:${local.region}:${local.account_id}:stateMachine:${local.abbr}-" }]
        }
      }
    }
    glue-job-failure = {
      description = "Failed, timed-out or errored Glue job runs of the domain"
      pattern = {
        source        = ["aws.glue"]
        "detail-type" = ["Glue Job State Change"]
        detail = {
          state   = ["FAILED", "TIMEOUT", "ERROR"]
          jobName = [{ prefix = "${local.abbr}-" }]
        }
      }
    }
  }
}

resource "aws_sns_topic" "alerts" {
  name              = format(local.name_format, "pipeline-alerts")
  kms_master_key_id = aws_kms_key.this.arn
}

data "aws_iam_policy_document" "alerts" {
  statement {
    sid       = "AllowDomainAlertRules"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.alerts : rule.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.settings.alert_email_addresses)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_event_rule" "alerts" {
  for_each = local.alert_rules

  name          = format(local.name_format, each.key)
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
}

resource "aws_cloudwatch_event_target" "alerts" {
  for_each = local.alert_rules

  rule      = aws_cloudwatch_event_rule.alerts[each.key].name
  target_id = "pipeline-alerts"
  arn       = aws_sns_topic.alerts.arn
}
