# ─── Pipelines of project01 ───
# The pipelines (ordered jobs, retries, backoff, schedule) are declared in project.json and
# created by main.tf. Overrides here: order_to_revenue also publishes its error to the
# baseline's alerts topic before failing.

locals {
  pipeline_overrides = {
    order_to_revenue = { notify_on_failure = true }
  }
}
