# Environment "prod": everything else in this folder is a symlink to ../_shared or
# ../../shared; its settings are the "prod" entry of ../environments.json.
locals {
  environment = "prod"
}
