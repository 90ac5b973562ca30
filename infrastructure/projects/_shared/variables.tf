# ─── Inputs ───
# Set by CI for every project (TF_VAR_environment, TF_VAR_wheel_version) next to the
# traceability variables of ../../shared/provider.tf.

variable "environment" {
  description = "Environment to deploy to; must be a key of infrastructure/environments/environments.json."
  type        = string

  validation {
    condition     = contains(keys(jsondecode(file("${path.module}/../../environments/environments.json"))), var.environment)
    error_message = "environment must be one of the environments in infrastructure/environments/environments.json."
  }
}

variable "wheel_version" {
  description = "Version of the data_platform_foundation wheel the jobs load, e.g. 1.4.0+1a2b3c4d; uploaded to s3://<artifacts>/wheels/ by the artifacts job."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)*([a-z0-9.]*)(\\+[A-Za-z0-9.]+)?$", var.wheel_version))
    error_message = "wheel_version must be a PEP 440 version such as 1.4.0 or 1.4.0+1a2b3c4d (no \"latest\")."
  }
}
