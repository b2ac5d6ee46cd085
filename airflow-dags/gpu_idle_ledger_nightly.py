"""GPU Idle Ledger: the nightly run, one UTC day per DAG run.

Airflow 2.9+ and 3.x. The file does no database or network work when it is parsed: runtime settings are
Airflow Variables read through Jinja templates when a task runs; the three settings that shape the DAG
itself (schedule hour, start date, Spark connection) are read from the environment, where Airflow also
looks for Variables (AIRFLOW_VAR_<NAME>). See airflow-dags/README.md for the full list.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

import pendulum

try:  # Airflow 3.x: DAG authoring lives in the Task SDK, and Datasets are called Assets.
    from airflow.sdk import DAG, Asset
except ImportError:  # Airflow 2.9 / 2.10
    from airflow import DAG
    from airflow.datasets import Dataset as Asset

from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.timetables.interval import CronDataIntervalTimetable

log = logging.getLogger(__name__)

# --- Parse-time settings (environment; they decide the schedule, so they cannot wait for a task to run) ---
SCHEDULE_HOUR_UTC = int(os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_SCHEDULE_HOUR_UTC", "6"))
START_DATE = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_START_DATE", "2026-01-01")
SPARK_CONN_ID = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_SPARK_CONN_ID", "spark_default")

MAIN_CLASS = "dev.idleledger.cli.IdleLedger"
DEFAULT_LOOKBACK_DAYS = 2

# --- Runtime settings (Airflow Variables, rendered when the task runs) ---
RAW_BUCKET = "{{ var.value.idle_ledger_raw_bucket }}"
BILLING_BUCKET = "{{ var.value.get('idle_ledger_billing_bucket', var.value.idle_ledger_raw_bucket) }}"
TELEMETRY_PREFIX = "{{ var.value.idle_ledger_telemetry_prefix }}"
KUBE_PREFIX = "{{ var.value.idle_ledger_kube_prefix }}"
CUR_PREFIX = "{{ var.value.idle_ledger_cur_prefix }}"
JAR = "{{ var.value.idle_ledger_jar }}"
CONF_FILE = "{{ var.value.idle_ledger_conf_file }}"
AWS_CONN_ID = "{{ var.value.get('idle_ledger_aws_conn_id', 'aws_default') }}"

# Every Spark task reads the cluster config file; the nightly run also gets its input roots from the same
# Variables the sensors watch, so what is waited for is exactly what is read.
CONF_ARGS = ["--conf", CONF_FILE]
INPUT_ARGS = [
    "--set", "input.telemetry=s3a://" + RAW_BUCKET + "/" + TELEMETRY_PREFIX,
    "--set", "input.kube=s3a://" + RAW_BUCKET + "/" + KUBE_PREFIX,
    "--set", "input.billing.cur=s3a://" + BILLING_BUCKET + "/" + CUR_PREFIX,
]

# One statement, so the check is atomic: Spark's assert_true fails the query (exit 1) with the message.
PUBLISH_CHECK_SQL = (
    "SELECT"
    " assert_true(gold.n > 0, 'idle_ledger.cluster_daily has no rows for {{ ds }}'),"
    " assert_true(gold.worst_delta <= 1e-6, concat('cluster_daily reconciliation_delta ', CAST(gold.worst_delta AS STRING), ' for {{ ds }}')),"
    " assert_true(q.n > 0, 'run_quality has no checks for {{ ds }}'),"
    " assert_true(q.failed = 0, concat(CAST(q.failed AS STRING), ' failed run_quality checks for {{ ds }}'))"
    " FROM (SELECT count(*) AS n, coalesce(max(abs(reconciliation_delta)), 0D) AS worst_delta"
    " FROM idle_ledger.cluster_daily WHERE date = DATE'{{ ds }}') gold"
    " CROSS JOIN (SELECT count(*) AS n, count_if(NOT passed) AS failed FROM idle_ledger.run_quality"
    " WHERE date = DATE'{{ ds }}' AND run_id = (SELECT max_by(run_id, checked_at) FROM idle_ledger.run_quality"
    " WHERE date = DATE'{{ ds }}')) q"
)

# The published (gold) tables, as Assets (Datasets on 2.x) that downstream DAGs can schedule on.
GOLD_ASSETS = [
    Asset(uri="idle-ledger://idle_ledger/gpu_hourly"),
    Asset(uri="idle-ledger://idle_ledger/workload_daily"),
    Asset(uri="idle-ledger://idle_ledger/cluster_daily"),
    Asset(uri="idle-ledger://idle_ledger/team_daily"),
]


def notify_failure(context):
    """on_failure_callback: one line an on-call person can act on. Replace the body to page or post a message."""
    ti = context.get("task_instance") or context.get("ti")
    log.error(
        "idle-ledger task failed: dag=%s task=%s ds=%s try=%s error=%s log=%s",
        getattr(ti, "dag_id", "?"),
        getattr(ti, "task_id", "?"),
        context.get("ds"),
        getattr(ti, "try_number", "?"),
        context.get("exception"),
        getattr(ti, "log_url", "?"),
    )


DAG_DOC = """
### GPU Idle Ledger, nightly

One run = one UTC day: the data interval is the previous UTC day, and the run starts at
`AIRFLOW_VAR_IDLE_LEDGER_SCHEDULE_HOUR_UTC` (UTC) the morning after. `catchup=True` so a new deployment
fills the days since `AIRFLOW_VAR_IDLE_LEDGER_START_DATE`, one run at a time (`max_active_runs=1`: the
runs write the same tables and each one restates the days before it).

**Waits for** the day's telemetry (`dt=<ds>/`) and kube-state (`dt=<ds>/`) archives and the month's CUR
(`BILLING_PERIOD=<yyyy-mm>/`), with deferrable S3 sensors that hold no worker slot while they wait.

**Late billing policy.** Telemetry and kube state are required: their sensors fail the run after 6 hours.
Billing is not: AWS delivers CUR up to a day late and restates it during the month, and at the start of a
month the new period's folder can be days away. The billing sensor gives up after 4 hours with
`soft_fail=True` (the task is *skipped*, not failed) and the nightly run goes ahead: GPU-seconds no bill
covers are priced from the instance catalog (`price_source = 'catalog'`) or left at 0 (`'none'`), and
`run_quality` counts them. Each run looks at its date and the `lookback_days` days before it and recomputes
those whose inputs changed (new straggler files, restated bill lines, changed settings; manifests in
`run_inputs`), so the bill that arrives tomorrow restates today's figures, and a re-run with nothing new
publishes nothing. For a restatement older than the lookback (month
close), backfill the month: see the README.

**Tickets** are filed, commented on and closed only for the newest night seen: catch-up runs (the archive
already holds later days) and re-runs of old dates record recommendation history but touch no ticket.

**Runs** `nightly --date <ds> --lookback <params.lookback_days>` with the cluster jar, then a separate
`publish_check` query that verifies what was published. A failure in the check retries only the check, never
the nightly computation.

**Publishes** the Assets `idle-ledger://idle_ledger/{gpu_hourly,workload_daily,cluster_daily,team_daily}`,
emitted only when the publish check passes.
"""

default_args = {
    "owner": "gpu-idle-ledger",
    "depends_on_past": False,
    "on_failure_callback": notify_failure,
    "retries": 0,
}

with DAG(
    dag_id="gpu_idle_ledger_nightly",
    description="Workload-level GPU idle cost for the previous UTC day",
    schedule=CronDataIntervalTimetable(f"0 {SCHEDULE_HOUR_UTC} * * *", timezone="UTC"),
    start_date=pendulum.parse(START_DATE, tz="UTC"),
    catchup=True,
    max_active_runs=1,
    default_args=default_args,
    params={"lookback_days": DEFAULT_LOOKBACK_DAYS},
    doc_md=DAG_DOC,
    tags=["gpu", "finops", "idle-ledger"],
) as dag:
    wait_telemetry = S3KeySensor(
        task_id="wait_telemetry",
        bucket_name=RAW_BUCKET,
        bucket_key=TELEMETRY_PREFIX + "/dt={{ ds }}/*",
        wildcard_match=True,
        aws_conn_id=AWS_CONN_ID,
        deferrable=True,
        poke_interval=300,
        timeout=6 * 60 * 60,
        doc_md="Waits (deferred) for any dcgm-exporter archive file under `<telemetry prefix>/dt=<ds>/`. "
        "Fails the run after 6 h: without telemetry there is nothing to attribute.",
    )

    wait_kube = S3KeySensor(
        task_id="wait_kube",
        bucket_name=RAW_BUCKET,
        bucket_key=KUBE_PREFIX + "/dt={{ ds }}/*",
        wildcard_match=True,
        aws_conn_id=AWS_CONN_ID,
        deferrable=True,
        poke_interval=300,
        timeout=6 * 60 * 60,
        doc_md="Waits (deferred) for any kube-state-metrics archive file under `<kube prefix>/dt=<ds>/`. "
        "Fails the run after 6 h: without pod ownership no GPU-second can be attributed to a workload.",
    )

    wait_billing = S3KeySensor(
        task_id="wait_billing",
        bucket_name=BILLING_BUCKET,
        bucket_key=CUR_PREFIX + "/BILLING_PERIOD={{ data_interval_start.strftime('%Y-%m') }}/*",
        wildcard_match=True,
        aws_conn_id=AWS_CONN_ID,
        deferrable=True,
        poke_interval=600,
        timeout=4 * 60 * 60,
        soft_fail=True,
        doc_md="Waits (deferred) for the CUR 2.0 export of the interval's month (`BILLING_PERIOD=<yyyy-mm>/`). "
        "Late billing is tolerated: after 4 h the task is skipped (`soft_fail`), the nightly run prices "
        "uncovered GPU-seconds from the catalog, and a later run's lookback restates them once the bill lands.",
    )

    nightly = SparkSubmitOperator(
        task_id="nightly",
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        name="idle-ledger-nightly-{{ ds }}",
        application_args=["nightly", "--date", "{{ ds }}", "--lookback", "{{ params.lookback_days }}"]
        + CONF_ARGS
        + INPUT_ARGS,
        # A skipped (late) billing sensor must not skip the run; a failed telemetry or kube sensor still stops it.
        trigger_rule="none_failed",
        retries=3,
        retry_delay=timedelta(minutes=10),
        retry_exponential_backoff=True,
        max_retry_delay=timedelta(hours=2),
        execution_timeout=timedelta(hours=8),
        doc_md="Runs `nightly --date <ds> --lookback N` from the cluster jar: ingest, attribute and roll up those of <ds> "
        "and the N days before it whose inputs changed since they were published, then recommend and tickets once, for <ds> "
        "(tickets only when <ds> is the newest night seen, not during catchup). "
        "Idempotent (each date's partitions are replaced), so a retry is safe. "
        "Exit 1 = a failed run, reason in the driver log; exit 2 = bad arguments or config (fix, don't retry).",
    )

    publish_check = SparkSubmitOperator(
        task_id="publish_check",
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        name="idle-ledger-publish-check-{{ ds }}",
        application_args=["sql", PUBLISH_CHECK_SQL] + CONF_ARGS,
        outlets=GOLD_ASSETS,
        retries=2,
        retry_delay=timedelta(minutes=5),
        retry_exponential_backoff=True,
        max_retry_delay=timedelta(minutes=30),
        execution_timeout=timedelta(hours=1),
        doc_md="Verifies what `nightly` published for <ds> before the gold-table Assets are emitted: "
        "cluster_daily has rows and reconciles (|delta| <= 1e-6), and the latest run's run_quality checks "
        "for <ds> exist and all passed. A separate task so that a failure here never redoes the nightly run.",
    )

    [wait_telemetry, wait_kube, wait_billing] >> nightly >> publish_check
