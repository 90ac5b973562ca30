# ─── Outputs ───

output "state_machine_arn" {
  description = "State machine ARN."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "State machine name."
  value       = aws_sfn_state_machine.this.name
}

output "log_group_name" {
  description = "Execution log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "definition" {
  description = "The generated Amazon States Language definition (JSON)."
  value       = aws_sfn_state_machine.this.definition
}

output "schedule_rule_name" {
  description = "EventBridge schedule rule, or null."
  value       = try(aws_cloudwatch_event_rule.this[0].name, null)
}
