"""GPU Idle Ledger: the nightly run, one UTC day per DAG run.

Airflow 2.9+ and 3.x. The file does no database or network work when it is parsed: runtime settings are
Airflow Variables read through Jinja templates when a task runs; the three settings that shape the DAG
itself (schedule hour, start date, Spark connection) are read from the environment, where Airflow also
looks for Variables (AIRFLOW_VAR_<NAME>). See airflow-dags/README.md for the full list.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta

import pendulum

try:  # Airflow 3.x: DAG authoring lives in the Task SDK, and Datasets are called Assets.
    from airflow.sdk import DAG, Asset
except ImportError:  # Airflow 2.9 / 2.10
    from airflow import DAG
    from airflow.datasets import Dataset as Asset

from airflow.exceptions import AirflowException, AirflowFailException
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.timetables.interval import CronDataIntervalTimetable

log = logging.getLogger(__name__)

# --- Parse-time settings (environment; they decide the schedule, so they cannot wait for a task to run) ---
SCHEDULE_HOUR_UTC = int(os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_SCHEDULE_HOUR_UTC", "6"))
START_DATE = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_START_DATE", "2026-01-01")
SPARK_CONN_ID = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_SPARK_CONN_ID", "spark_default")
# The catalog database the job writes, the publish check reads and the Assets name: one Variable for all three.
# Asset URIs are fixed when the file is parsed, so it is read here (its AIRFLOW_VAR_ form), not in a template.
DATABASE = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_DATABASE", "idle_ledger")

MAIN_CLASS = "dev.idleledger.cli.IdleLedger"
DEFAULT_LOOKBACK_DAYS = 2
# The command line's exit codes (CONTRACTS.md §3): 1 = a failed run (worth a retry), 2 = bad usage or config.
EXIT_BAD_USAGE = 2

# --- Runtime settings (Airflow Variables, rendered when the task runs) ---
RAW_BUCKET = "{{ var.value.idle_ledger_raw_bucket }}"
BILLING_BUCKET = "{{ var.value.get('idle_ledger_billing_bucket', var.value.idle_ledger_raw_bucket) }}"
TELEMETRY_PREFIX = "{{ var.value.idle_ledger_telemetry_prefix }}"
KUBE_PREFIX = "{{ var.value.idle_ledger_kube_prefix }}"
CUR_PREFIX = "{{ var.value.idle_ledger_cur_prefix }}"
JAR = "{{ var.value.idle_ledger_jar }}"
CONF_FILE = "{{ var.value.idle_ledger_conf_file }}"
AWS_CONN_ID = "{{ var.value.get('idle_ledger_aws_conn_id', 'aws_default') }}"

# --- What says a day is complete, not just begun (keys relative to an archive prefix) ---
# The archiver writes D's files under dt=D/ until D is over; a file under dt=D+1/hour=00/ means it moved on
# (idle_ledger_day_complete = next_hour, the default). Archives without hour folders: next_day (any file under
# dt=D+1/). Archivers that mark a finished day: _SUCCESS (dt=D/_SUCCESS). Any other value reads as next_hour.
DAY_COMPLETE = "var.value.get('idle_ledger_day_complete', 'next_hour')"
DAY_COMPLETE_KEY = (
    "{{ 'dt=' + ds + '/_SUCCESS' if " + DAY_COMPLETE + " == '_SUCCESS' else 'dt=' + macros.ds_add(ds, 1) + "
    "('/*' if " + DAY_COMPLETE + " == 'next_day' else '/hour=00/*') }}"
)
# The bill: a CUR 2.0 Data Export as AWS delivers it (idle_ledger_cur_layout = export, the default) writes
# metadata/BILLING_PERIOD=<month>/<export>-Manifest.json after each delivery of data/BILLING_PERIOD=<month>/; a
# folder of BILLING_PERIOD=<month>/ files only (folders) is watched through its data files. Either way the
# sensor's check_fn wants one written after the interval ended: the month's folder exists from its first day,
# so only a delivery newer than D can hold D's hours.
CUR_LAYOUT = "var.value.get('idle_ledger_cur_layout', 'export')"
BILLING_MONTH = "data_interval_start.strftime('%Y-%m')"
BILLING_KEY = (
    "{{ ('metadata/BILLING_PERIOD=' + " + BILLING_MONTH + " + '/*Manifest.json') if " + CUR_LAYOUT + " == 'export' "
    "else ('BILLING_PERIOD=' + " + BILLING_MONTH + " + '/*') }}"
)

# The night's HTML report (what the money did, open recommendations, realized savings) goes to
# s3a://<report bucket>/<report prefix>/<ds>.html, where people and a static site can read it.
REPORT_BUCKET = "{{ var.value.get('idle_ledger_report_bucket', var.value.idle_ledger_raw_bucket) }}"
REPORT_PREFIX = "{{ var.value.get('idle_ledger_report_prefix', 'idle-ledger/reports') }}"
REPORT_DAYS = 7
# Every Spark task reads the cluster config file and the database the Assets name; the nightly run also gets
# its input roots from the same Variables the sensors watch, so what is waited for is exactly what is read.
CONF_ARGS = ["--conf", CONF_FILE, "--set", "catalog.database=" + DATABASE]
INPUT_ARGS = [
    "--set", "input.telemetry=s3a://" + RAW_BUCKET + "/" + TELEMETRY_PREFIX,
    "--set", "input.kube=s3a://" + RAW_BUCKET + "/" + KUBE_PREFIX,
    "--set", "input.billing.cur=s3a://" + BILLING_BUCKET + "/" + CUR_PREFIX,
]

# One statement, so the check is atomic: Spark's assert_true fails the query (exit 1) with the message.
PUBLISH_CHECK_SQL = (
    "SELECT"
    " assert_true(gold.n > 0, '" + DATABASE + ".cluster_daily has no rows for {{ ds }}'),"
    " assert_true(gold.worst_delta <= 1e-6, concat('cluster_daily reconciliation_delta ', CAST(gold.worst_delta AS STRING), ' for {{ ds }}')),"
    " assert_true(q.n > 0, 'run_quality has no checks for {{ ds }}'),"
    " assert_true(q.failed = 0, concat(CAST(q.failed AS STRING), ' failed run_quality checks for {{ ds }}'))"
    " FROM (SELECT count(*) AS n, coalesce(max(abs(reconciliation_delta)), 0D) AS worst_delta"
    " FROM " + DATABASE + ".cluster_daily WHERE date = DATE'{{ ds }}') gold"
    " CROSS JOIN (SELECT count(*) AS n, count_if(NOT passed) AS failed FROM " + DATABASE + ".run_quality"
    " WHERE date = DATE'{{ ds }}' AND run_id = (SELECT max_by(run_id, checked_at) FROM " + DATABASE + ".run_quality"
    " WHERE date = DATE'{{ ds }}')) q"
)

# The published (gold) tables, as Assets (Datasets on 2.x) that downstream DAGs can schedule on.
GOLD_ASSETS = [
    Asset(uri="idle-ledger://" + DATABASE + "/gpu_hourly"),
    Asset(uri="idle-ledger://" + DATABASE + "/workload_daily"),
    Asset(uri="idle-ledger://" + DATABASE + "/cluster_daily"),
    Asset(uri="idle-ledger://" + DATABASE + "/team_daily"),
]


def driver_exit_code(message):
    """The ledger's exit code from the spark-submit hook's failure message, or None when it names none.

    The hook says "Error code is: N." (spark-submit's own exit code: the driver's in client deploy mode) and, on
    Kubernetes, "Kubernetes spark exit code is: N" (the driver pod's), which wins. YARN cluster mode reports 1
    for any failed application, so there a usage error is retried like a transient one.
    """
    for pattern in (r"Kubernetes spark exit code is: (-?\d+)", r"Error code is: (-?\d+)"):
        found = re.search(pattern, message or "")
        if found:
            return int(found.group(1))
    return None


def delivered_after_interval(files, data_interval_end=None, **context):
    """check_fn of the billing sensor: some matched object was written at or after the data interval's end.

    files: the sensor's matches with metadata_keys ["Key", "LastModified"] (S3 list times, timezone-aware UTC).
    """
    return any(f.get("LastModified") is not None and f["LastModified"] >= data_interval_end for f in files)


class LedgerSparkSubmitOperator(SparkSubmitOperator):
    """spark-submit of the ledger's command line that fails for good when a retry cannot help.

    Exit 2 is bad arguments or config (a missing Variable, a bad key in the config file): the next try gets the
    same arguments, so the task fails without using its retries (AirflowFailException). Exit 1 and failures
    to reach the cluster stay ordinary failures and are retried.
    """

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowException as e:
            if driver_exit_code(str(e)) == EXIT_BAD_USAGE:
                raise AirflowFailException(
                    "idle-ledger exited 2 (bad arguments or config): fix the Variables or the config file and clear "
                    "the task; retrying cannot help. " + str(e)
                ) from e
            raise


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

**Waits for** signs that the day is complete, not just begun, with deferrable S3 sensors that hold no worker
slot while they wait: the telemetry and kube-state archivers' next-day `dt=<ds+1>/hour=00/` folder (or
`dt=<ds+1>/`, or `dt=<ds>/_SUCCESS`: Variable `idle_ledger_day_complete`), and a CUR delivery (the export's
manifest, or a data file: Variable `idle_ledger_cur_layout`) of the interval's month written after the day ended.

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
`publish_check` query that verifies what was published. Exit 1 of `nightly` is retried; exit 2 (bad arguments
or config) fails at once without retries, and so does a failed publish check (the tables would not change
by asking again; clear the task once the cause is fixed). A failed check never redoes the nightly computation.

**Reports**: after the check passes, `report --date <ds> --days 7 --out s3a://<report bucket>/<report prefix>/<ds>.html`
writes the week's HTML report (open recommendations, realized savings) for people to read.

**Publishes** the Assets `idle-ledger://<database>/{gpu_hourly,workload_daily,cluster_daily,team_daily}`
(`AIRFLOW_VAR_IDLE_LEDGER_DATABASE`, default `idle_ledger`, also the job's `catalog.database`), emitted only
when the publish check passes.
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
        bucket_key=TELEMETRY_PREFIX + "/" + DAY_COMPLETE_KEY,
        wildcard_match=True,
        aws_conn_id=AWS_CONN_ID,
        deferrable=True,
        poke_interval=300,
        timeout=6 * 60 * 60,
        doc_md="Waits (deferred) until the dcgm-exporter archive of <ds> is complete: a file under "
        "`<telemetry prefix>/dt=<ds+1>/hour=00/` (or as `idle_ledger_day_complete` says). "
        "Fails the run after 6 h: without telemetry there is nothing to attribute.",
    )

    wait_kube = S3KeySensor(
        task_id="wait_kube",
        bucket_name=RAW_BUCKET,
        bucket_key=KUBE_PREFIX + "/" + DAY_COMPLETE_KEY,
        wildcard_match=True,
        aws_conn_id=AWS_CONN_ID,
        deferrable=True,
        poke_interval=300,
        timeout=6 * 60 * 60,
        doc_md="Waits (deferred) until the kube-state-metrics archive of <ds> is complete, like `wait_telemetry`. "
        "Fails the run after 6 h: without pod ownership no GPU-second can be attributed to a workload.",
    )

    wait_billing = S3KeySensor(
        task_id="wait_billing",
        bucket_name=BILLING_BUCKET,
        bucket_key=CUR_PREFIX + "/" + BILLING_KEY,
        wildcard_match=True,
        check_fn=delivered_after_interval,
        metadata_keys=["Key", "LastModified"],
        aws_conn_id=AWS_CONN_ID,
        deferrable=True,
        poke_interval=600,
        timeout=4 * 60 * 60,
        soft_fail=True,
        doc_md="Waits (deferred) for a CUR 2.0 delivery of the interval's month written after <ds> ended: the export's "
        "`metadata/BILLING_PERIOD=<yyyy-mm>/*Manifest.json` (or a data file, `idle_ledger_cur_layout = folders`). "
        "Late billing is tolerated: after 4 h the task is skipped (`soft_fail`), the nightly run prices "
        "uncovered GPU-seconds from the catalog, and a later run's lookback restates them once the bill lands.",
    )

    nightly = LedgerSparkSubmitOperator(
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
        "Exit 1 = a failed run, reason in the driver log, retried; exit 2 = bad arguments or config: fails at once, no retries.",
    )

    publish_check = LedgerSparkSubmitOperator(
        task_id="publish_check",
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        name="idle-ledger-publish-check-{{ ds }}",
        application_args=["sql", PUBLISH_CHECK_SQL] + CONF_ARGS,
        outlets=GOLD_ASSETS,
        # A failed check is the data's answer and asking again reads the same tables: no retries. Its query is
        # one short read, so a cluster hiccup costs a manual clear, not a wrong "verified" Asset.
        retries=0,
        execution_timeout=timedelta(hours=1),
        doc_md="Verifies what `nightly` published for <ds> before the gold-table Assets are emitted: "
        "cluster_daily has rows and reconciles (|delta| <= 1e-6), and the latest run's run_quality checks "
        "for <ds> exist and all passed. A separate task so that a failure here never redoes the nightly run; "
        "not retried (the tables would not change): fix the cause, then clear it.",
    )

    report = LedgerSparkSubmitOperator(
        task_id="report",
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        name="idle-ledger-report-{{ ds }}",
        application_args=["report", "--date", "{{ ds }}", "--days", str(REPORT_DAYS),
                          "--out", "s3a://" + REPORT_BUCKET + "/" + REPORT_PREFIX + "/{{ ds }}.html"]
        + CONF_ARGS,
        # Only a verified night is reported. Rewriting the file is idempotent, so a failure reaching S3 is retried.
        retries=2,
        retry_delay=timedelta(minutes=5),
        execution_timeout=timedelta(hours=1),
        doc_md="Writes the HTML report of the 7 days ending at <ds> (GPU spend and waste, open recommendations with "
        "who should act, savings per month and ticket links, realized savings) to "
        "`s3a://<idle_ledger_report_bucket>/<idle_ledger_report_prefix>/<ds>.html`, after the publish check passed. "
        "Exit 2 (bad arguments or config) fails at once; other failures are retried.",
    )

    [wait_telemetry, wait_kube, wait_billing] >> nightly >> publish_check >> report
