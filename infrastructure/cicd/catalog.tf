# ─── Glue Data Catalog: the "default" database (once per account) ───
# The jobs run with --enable-glue-datacatalog, so Spark's session catalog is a Hive metastore
# client on the Glue Data Catalog. When that client starts, it looks up the database
# "default" and, if it is missing, Spark creates it. A fresh account has no "default", and the
# project job roles may only read the catalog (GetDatabase on "default", no CreateDatabase),
# so the first job run fails with AccessDenied. Setting spark.sql.defaultCatalog to the Iceberg
# catalog would only keep our own unqualified names away from it; Glue's runtime or any
# library touching the session catalog would still start the client. The database is
# account-wide (one Glue catalog per account and region), so it lives here, in the stack
# applied once per account, not in an environment. If the account already has it, import it:
#   terraform -chdir=infrastructure/cicd import aws_glue_catalog_database.default <account_id>:default

resource "aws_glue_catalog_database" "default" {
  name        = "default"
  description = "Spark's default database: the Glue Data Catalog Hive client of every Glue job expects it"
}
