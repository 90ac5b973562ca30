# ─── Pipelines of the project ───
# Declare pipelines in project.json ("pipelines": ordered jobs, max_retries, backoff_seconds,
# backoff_rate, schedule); main.tf creates one Step Functions state machine per entry. Put
# here only settings Terraform alone knows, per pipeline name, e.g.:
#   main = { notify_on_failure = true }   # publish the error to the alerts topic first

locals {
  pipeline_overrides = {}
}
