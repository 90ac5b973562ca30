"""<project> · job_example: a starting point for a job of a new project.

Copied to src/jobs/<project>/job_example.py by `dp new-project <project>`. A job is a thin
script: extract -> transform (pure functions you can unit-test) -> check -> load. It runs
unchanged locally (`dp run <project>/job_example`) and on AWS Glue, where Terraform passes
`--ENV`, `--AWS_ACCOUNT_ID` and the arguments declared for the job in project.json.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import functions as F

from dp_foundation.config.settings import get_config
from dp_foundation.io.readers import read_iceberg
from dp_foundation.io.writers import write_iceberg
from dp_foundation.logging.logger import get_logger
from dp_foundation.quality.checks import DataQualityChecker
from dp_foundation.spark.session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def transform(source: DataFrame) -> DataFrame:
    """Your PySpark transformations, as a pure function of DataFrames (easy to test)."""
    return source.withColumn("processed", F.lit(True))


def main() -> None:
    spark = get_spark(app_name="<project>-job_example")
    cfg = get_config()
    log = get_logger(__name__)
    log.info("job_example started")

    # ── Extract ──────────────────────────────────────────────────────────────
    # The source table: refined by default; pass --SOURCE_TABLE to read another one.
    source_table = cfg.get("source_table", "region")
    df = read_iceberg(spark, f"glue_catalog.{cfg['iceberg_database_refined']}.{source_table}")

    # ── Transform ────────────────────────────────────────────────────────────
    result = transform(df)

    # ── Check ────────────────────────────────────────────────────────────────
    DataQualityChecker(result, dataset="job_example").row_count_min(1).assert_all_passed()

    # ── Load ─────────────────────────────────────────────────────────────────
    write_iceberg(
        result,
        f"glue_catalog.{cfg['iceberg_database_curated']}.{source_table}_example",
        mode="overwrite",
    )
    log.info("job_example finished")


if __name__ == "__main__":
    main()
