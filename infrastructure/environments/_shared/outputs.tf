# ─── Outputs ───
# The whole baseline as one object. The project stacks read it from this root module's state
# (terraform_remote_state) as local.baseline, so an output added to ../../baseline/outputs.tf
# reaches them with no change here. None of the baseline's outputs is sensitive (a sensitive
# one would make the whole object sensitive); tests/infrastructure keeps it that way.
# From a shell: terraform output -json baseline | jq -r .<name>

output "baseline" {
  description = "Every output of the baseline module (infrastructure/baseline/outputs.tf), as one object."
  value       = module.baseline
}
