# ─── Pipelines of test02 ───
# Declared in project.json ("pipelines"); created by main.tf. Failures are reported by the
# baseline's EventBridge alert on failed executions; no extra notification step.

locals {
  pipeline_overrides = {}
}
