# ─── Glue Data Catalog database ───

resource "aws_glue_catalog_database" "this" {
  name         = var.name
  description  = var.description
  location_uri = var.location_uri
  tags         = var.tags
}
