# Environment "int": everything else in this folder is a symlink to ../_shared or
# ../../shared; its settings are the "int" entry of ../environments.json.
locals {
  environment = "int"
}
