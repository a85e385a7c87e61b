"""Nightly zoobench evaluation on a Spark cluster: zoo run -> gate -> report.

Copy this file into Airflow's dags/ folder (apache-airflow-providers-apache-spark installed)
and set the Airflow Variables below, or edit the defaults. Every task is a spark-submit of the
zoobench cluster jar (cluster/target/zoobench-cluster.jar, main class io.zoobench.jobs.Zoobench)
whose arguments are zoobench's command line. docs/scheduling.md explains the choices.

- zoo_run evaluates the manifest's models, one run per model with the run id
  nightly-<date>-<model> ({{ ds }}: the run's logical date), skipping models whose inputs did
  not change since their last succeeded run.
- gate fails the task (and the DAG run) when a metric dropped beyond tolerance: zoobench exits
  1, spark-submit passes the driver's exit status on in client mode, the deploy mode used here.
- report runs whatever the gate said (trigger_rule all_done): the report shows what dropped.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# The shaded jar built by `mvn -DskipTests package` (cluster/target/zoobench-cluster.jar),
# copied where the Airflow workers (spark-submit's host) can read it.
CLUSTER_JAR = "/opt/zoobench/zoobench-cluster.jar"
MAIN_CLASS = "io.zoobench.jobs.Zoobench"

WAREHOUSE = Variable.get("zoobench_warehouse", default_var="s3a://bucket/zoobench")
MANIFEST = Variable.get("zoobench_manifest", default_var="/opt/zoobench/conf/zoo/mmdet-v1.yaml")
ANNOTATIONS = Variable.get(
    "zoobench_annotations", default_var="s3a://bucket/coco/annotations/instances_val2017.json")
IMAGES = Variable.get("zoobench_images", default_var="s3a://bucket/coco/val2017")
# a local folder of the Airflow worker: in client mode the driver runs there
REPORT_DIR = Variable.get("zoobench_report_dir", default_var="/var/lib/zoobench/reports")
GATE_AGAINST = Variable.get("zoobench_gate_against", default_var="reference")

# The Iceberg catalog the tables live in (docs/tables.md, "Catalogs") and executor sizing;
# secrets (the catalog's password, S3 keys) come from the cluster's credential providers.
SPARK_CONF = {
    "spark.sql.catalog.zoobench": "org.apache.iceberg.spark.SparkCatalog",
    "spark.sql.catalog.zoobench.type": "rest",
    "spark.sql.catalog.zoobench.uri": "https://catalog.example.com/api/catalog",
    "spark.executor.cores": "4",
    "spark.submit.deployMode": "client",
}

default_args = {
    "owner": "zoobench",
    "retries": 0,  # a rerun of a night is a decision: zoo run skips what already succeeded
    "execution_timeout": timedelta(hours=8),
}

with DAG(
    dag_id="zoobench_nightly",
    description="zoobench zoo run, regression gate and report, every night",
    schedule="0 2 * * *",
    start_date=datetime(2026, 12, 1),
    catchup=False,
    max_active_runs=1,  # two nights never overlap
    default_args=default_args,
    tags=["zoobench"],
) as dag:
    zoo_run = SparkSubmitOperator(
        task_id="zoo_run",
        conn_id="spark_default",
        application=CLUSTER_JAR,
        java_class=MAIN_CLASS,
        name="zoobench-zoo-run-{{ ds }}",
        conf=SPARK_CONF,
        driver_memory="8g",
        executor_memory="8g",
        application_args=[
            "zoo", "run",
            "--manifest", MANIFEST,
            "--annotations", ANNOTATIONS,
            "--images", IMAGES,
            "--warehouse", WAREHOUSE,
            "--run-prefix", "nightly-{{ ds }}",
        ],
    )

    gate = SparkSubmitOperator(
        task_id="gate",
        conn_id="spark_default",
        application=CLUSTER_JAR,
        java_class=MAIN_CLASS,
        name="zoobench-gate-{{ ds }}",
        conf=SPARK_CONF,
        application_args=[
            "gate",
            "--warehouse", WAREHOUSE,
            "--against", GATE_AGAINST,
            "--tolerance", "0.002",
            "--fps-tolerance", "0.10",
        ],
    )

    report = SparkSubmitOperator(
        task_id="report",
        conn_id="spark_default",
        application=CLUSTER_JAR,
        java_class=MAIN_CLASS,
        name="zoobench-report-{{ ds }}",
        conf=SPARK_CONF,
        trigger_rule="all_done",
        application_args=[
            "report",
            "--warehouse", WAREHOUSE,
            "--out", REPORT_DIR + "/{{ ds }}",
        ],
    )

    zoo_run >> gate >> report
