# ─── Tables of project01 (TPC-H, order to revenue) ───
# Columns are DDL strings: "name type, name type, ...". Raw tables are Hive/Parquet tables at
# s3://<raw bucket>/<prefix>/; Iceberg tables live at s3://<layer bucket>/<table>/ and get
# their optimizers (compaction, snapshot retention, orphan-file deletion) automatically.

locals {
  tpch_columns = {
    region   = "r_regionkey int, r_name string, r_comment string"
    nation   = "n_nationkey int, n_name string, n_regionkey int, n_comment string"
    customer = "c_custkey bigint, c_name string, c_address string, c_nationkey int, c_phone string, c_acctbal decimal(15,2), c_mktsegment string, c_comment string"
    supplier = "s_suppkey bigint, s_name string, s_address string, s_nationkey int, s_phone string, s_acctbal decimal(15,2), s_comment string"
    orders   = "o_orderkey bigint, o_custkey bigint, o_orderstatus string, o_totalprice decimal(15,2), o_orderdate date, o_orderpriority string, o_clerk string, o_shippriority int, o_comment string"
    lineitem = join(", ", [
      "l_orderkey bigint, l_partkey bigint, l_suppkey bigint, l_linenumber int",
      "l_quantity decimal(15,2), l_extendedprice decimal(15,2), l_discount decimal(15,2), l_tax decimal(15,2)",
      "l_returnflag string, l_linestatus string, l_shipdate date, l_commitdate date, l_receiptdate date",
      "l_shipinstruct string, l_shipmode string, l_comment string",
    ])
  }

  # ─── Raw layer (f01_raw_<env>): TPC-H Parquet as landed ───
  raw_tables = {
    for name, columns in local.tpch_columns : name => {
      description    = "TPC-H ${name}, as landed"
      prefix         = "tpch/${name}"
      columns        = columns
      partition_keys = name == "lineitem" ? "ship_year int, ship_month int" : ""
    }
  }

  # ─── Refined (f01_refined_<env>) and curated (f01_curated_<env>) Iceberg tables ───
  iceberg_tables = merge(
    { for name, columns in local.tpch_columns : name => { layer = "refined", description = "TPC-H ${name}, typed and deduplicated", columns = columns } },
    {
      pricing_summary = {
        layer       = "curated"
        description = "TPC-H Q1: pricing summary report"
        columns     = "l_returnflag string, l_linestatus string, sum_qty decimal(18,2), sum_base_price decimal(18,2), sum_disc_price decimal(18,4), sum_charge decimal(18,6), avg_qty decimal(18,6), avg_price decimal(18,6), avg_disc decimal(18,6), count_order bigint"
      }
      local_supplier_volume = {
        layer       = "curated"
        description = "TPC-H Q5: local supplier volume"
        columns     = "n_name string, revenue decimal(18,4)"
      }
    },
  )
}
