"""AWS Glue 5.1 entry point of the spotify-pipeline ETL job.

Deliberately thin: it resolves the job arguments, builds the GlueContext with the Glue Data
Catalog as the Iceberg catalog of the warehouse table, hands the Spark session to
`spotify_etl.pipeline.run` (the tested pure transforms) with a Glue Data Quality gate, and
commits the job. Started with ``--rollback_before_run <run_id>``, it instead restores the table
to the snapshot before that run (`spotify_etl.rollback`) and writes nothing else. The `spotify_etl` package is shipped with the job (see
etl/README.md); the ruleset evaluated here is the same DQDL file infra deploys.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from awsgluedq.transforms import EvaluateDataQuality
from pyspark.conf import SparkConf
from pyspark.context import SparkContext
from pyspark.sql import DataFrame

from spotify_etl.contract import load_ruleset
from spotify_etl.errors import QualityGateError
from spotify_etl.iceberg import WarehouseTable, glue_catalog_conf
from spotify_etl.pipeline import OutputPaths, run
from spotify_etl.rollback import rollback_before

JOB_ARGUMENTS: list[str] = [
    "JOB_NAME",
    "staging_path",
    "warehouse_path",
    "warehouse_database",
    "warehouse_table",
    "rejected_path",
    "unmatched_path",
    "runs_path",
]
"""Every ``--name`` the job requires; etl/README.md documents each one (a test compares them)."""

ROLLBACK_ARGUMENT = "rollback_before_run"
"""The optional ``--name`` that turns a run into a rollback (etl/README.md, "Rollback")."""


def data_quality_gate(glue_context: GlueContext, job_name: str) -> Callable[[DataFrame], None]:
    """Evaluate the warehouse ruleset on the output before it is written; raise if any rule fails.

    Results are also published to the Glue Data Quality console and CloudWatch under the
    job name, so a failed run shows which rule stopped it.
    """
    ruleset = load_ruleset()

    def gate(output: DataFrame) -> None:
        frame = DynamicFrame.fromDF(output, glue_context, "warehouse_tracks")
        outcomes = EvaluateDataQuality.apply(
            frame=frame,
            ruleset=ruleset,
            publishing_options={
                "dataQualityEvaluationContext": job_name,
                "enableDataQualityCloudWatchMetrics": True,
                "enableDataQualityResultsPublishing": True,
            },
        ).toDF()
        failed = outcomes.where(outcomes["Outcome"] != "Passed").select("Rule", "FailureReason").collect()
        if failed:
            details = "; ".join(f"{row['Rule']}: {row['FailureReason']}" for row in failed)
            raise QualityGateError(f"{len(failed)} data-quality rule(s) failed, nothing was written: {details}")

    return gate


def main(argv: list[str]) -> None:
    """Run the ETL once with the resolved arguments and commit the job.

    Every run reads the whole staging prefix: job bookmarks, which only track Glue's own
    readers, are disabled in the job definition (etl/README.md, "Job bookmarks are off").
    """
    rollback = f"--{ROLLBACK_ARGUMENT}" in argv
    args = getResolvedOptions(argv, [*JOB_ARGUMENTS, *([ROLLBACK_ARGUMENT] if rollback else [])])
    conf = SparkConf().setAll(list(glue_catalog_conf(args["warehouse_path"]).items()))
    glue_context = GlueContext(SparkContext.getOrCreate(conf))
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
    table = WarehouseTable(args["warehouse_database"], args["warehouse_table"])
    if rollback:
        print(rollback_before(glue_context.spark_session, table, args[ROLLBACK_ARGUMENT]))
        job.commit()
        return
    paths = OutputPaths(
        warehouse=args["warehouse_path"],
        table=table,
        rejected=args["rejected_path"],
        unmatched=args["unmatched_path"],
        runs=args["runs_path"],
    )
    summary = run(
        glue_context.spark_session,
        args["staging_path"],
        paths,
        quality_gate=data_quality_gate(glue_context, args["JOB_NAME"]),
    )
    print(summary.to_json())
    job.commit()


if __name__ == "__main__":
    main(sys.argv)
