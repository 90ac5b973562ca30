# ─── Tables of test02 (customer dimension from a CRM change feed) ───
# Columns are DDL strings: "name type, name type, ...".

locals {
  # ─── Raw layer: the CRM change feed, CSV with a header, every column as text ───
  raw_tables = {
    customer_changes = {
      description = "CRM customer change feed, as delivered"
      prefix      = "crm/customer_changes"
      format      = "csv"
      columns     = "c_custkey string, c_name string, c_address string, c_nationkey string, c_phone string, c_acctbal string, c_mktsegment string, change_ts string"
    }
  }

  # ─── Refined layer: the current customer dimension and the rows that failed checks ───
  iceberg_tables = {
    customer_dim = {
      layer       = "refined"
      description = "Current state of every customer (MERGE of the change feed)"
      columns     = "c_custkey bigint, c_name string, c_address string, c_nationkey int, c_phone string, c_acctbal decimal(15,2), c_mktsegment string, change_ts timestamp"
    }
    customer_quarantine = {
      layer       = "refined"
      description = "Change-feed rows that failed parsing or checks, with the reason"
      columns     = "source_file string, raw_record string, reason string"
    }
  }
}
