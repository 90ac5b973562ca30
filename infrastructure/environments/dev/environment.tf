# Environment "dev": everything else in this folder is a symlink to ../_shared or
# ../../shared; its settings are the "dev" entry of ../environments.json.
locals {
  environment = "dev"
}
