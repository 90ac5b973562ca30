"""<project> · job_example: a starting point for a job of a new project.

Copied to src/jobs/<project>/job_example.py by `dp new-project <project>`. A job is a thin
script: extract -> transform (pure functions you can unit-test) -> check -> load. What it
writes is declared once, in the table's data contract
(infrastructure/projects/<project>/contracts/curated/example_counts.odcs.yaml): the job asks
for it and gets the columns, their types, the key, the layout and every quality rule. It runs
unchanged locally (`dp run <project>/job_example`) and on AWS Glue, where Terraform passes
`--ENV`, `--AWS_ACCOUNT_ID`, the arguments declared for the job in project.json and the
project's compiled contracts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import functions as F

from dp_foundation.config.settings import get_config
from dp_foundation.contracts import load_contract
from dp_foundation.io.readers import read_iceberg
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger, setup_logging
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def transform(source: DataFrame, source_table: str) -> DataFrame:
    """Your PySpark transformations, as a pure function of DataFrames (easy to test)."""
    return source.groupBy(F.lit(source_table).alias("source_table")).agg(
        F.count(F.lit(1)).alias("row_count")
    )


def main() -> None:
    spark = get_spark(app_name="<project>-job_example")
    cfg = get_config()
    log = get_logger(__name__)
    output = load_contract("<project>", "example_counts", layer="curated")
    log.info("job_example started")

    # ── Extract ──────────────────────────────────────────────────────────────
    # The source table: refined by default; pass --SOURCE_TABLE to read another one.
    source_table = cfg.get("SOURCE_TABLE", "region")
    df = read_iceberg(spark, cfg.table("refined", source_table))

    # ── Transform ────────────────────────────────────────────────────────────
    result = output.conform(transform(df, source_table))

    # ── Check: the output's contract (schema and every declared rule) ────────
    output.checker(result, output.qualified_name(cfg)).assert_all_passed()

    # ── Load ─────────────────────────────────────────────────────────────────
    write_iceberg(
        result,
        output.qualified_name(cfg),
        mode="overwrite",
        partition_by=output.partition_by,
        sort_by=output.sort_by,
    )
    log.info("job_example finished")


if __name__ == "__main__":
    setup_logging()  # JSON log lines on stderr: the script, not the library, decides
    main()
