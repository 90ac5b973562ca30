terraform {
  required_version = ">= 1.14"
  # No provider: the module only computes the metadata file's content.
}
