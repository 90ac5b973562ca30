# ─── Tables of test02 (customer dimension from a CRM change feed) ───
# Every table's columns, keys and quality rules are in its data contract,
# contracts/<layer>/<table>.odcs.yaml; the refined Iceberg tables (customer_dim,
# customer_quarantine) are the contracts of that layer.

locals {
  # ─── Raw layer: the CRM change feed, CSV with a header, every column as text ───
  raw_tables = {
    customer_changes = { prefix = "crm/customer_changes", format = "csv" }
  }
}
