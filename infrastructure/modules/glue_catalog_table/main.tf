# ─── Hive table (raw layer) ───
# A standard external table over Parquet or CSV files, as landed in the raw bucket.

locals {
  formats = {
    parquet = {
      input_format          = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
      output_format         = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      serde_parameters      = { "serialization.format" = "1" }
      table_parameters      = { classification = "parquet", "parquet.compression" = "SNAPPY" }
    }
    csv = {
      input_format          = "org.apache.hadoop.mapred.TextInputFormat"
      output_format         = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
      serialization_library = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
      serde_parameters      = { separatorChar = var.csv_delimiter, quoteChar = "\"", escapeChar = "\\" }
      table_parameters      = { classification = "csv", "skip.header.line.count" = var.csv_has_header ? "1" : "0" }
    }
  }
  format = local.formats[var.format]
}

resource "aws_glue_catalog_table" "this" {
  name          = var.table_name
  database_name = var.database_name
  description   = var.description
  table_type    = "EXTERNAL_TABLE"
  parameters    = merge({ EXTERNAL = "TRUE" }, local.format.table_parameters, var.parameters)

  storage_descriptor {
    location      = var.location
    input_format  = local.format.input_format
    output_format = local.format.output_format

    ser_de_info {
      serialization_library = local.format.serialization_library
      parameters            = local.format.serde_parameters
    }

    dynamic "columns" {
      for_each = var.columns

      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }

  dynamic "partition_keys" {
    for_each = var.partition_keys

    content {
      name    = partition_keys.value.name
      type    = partition_keys.value.type
      comment = partition_keys.value.comment
    }
  }
}
