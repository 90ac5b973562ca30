# ─── Table optimizers ───
# Intentionally empty, by convention: every Iceberg table of tables.tf gets its compaction,
# snapshot-retention and orphan-file-deletion optimizers from modules/glue_iceberg_table.
