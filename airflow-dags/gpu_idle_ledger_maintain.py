"""GPU Idle Ledger: weekly lake maintenance (OPTIMIZE the silver tables' recent dates, VACUUM every table).

Airflow 2.9+ and 3.x, parsed like gpu_idle_ledger_nightly.py: no database or network work at parse time; the
Spark connection and the database come from the environment (AIRFLOW_VAR_<NAME>), the jar and the config file
from Variables rendered when the task runs. See airflow-dags/README.md.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum

try:  # Airflow 3.x
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.9 / 2.10
    from airflow import DAG

from airflow.timetables.interval import CronDataIntervalTimetable

from gpu_idle_ledger_nightly import LedgerSparkSubmitOperator, notify_failure

START_DATE = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_START_DATE", "2026-01-01")
SPARK_CONN_ID = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_SPARK_CONN_ID", "spark_default")
DATABASE = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_DATABASE", "idle_ledger")
# Sunday midday UTC: well clear of the nightly run (schedule hour 6 by default). If a night still holds the lake's
# run lock, maintain exits 1 naming the holder and the retry an hour later finds the lake free.
MAINTAIN_SCHEDULE = os.environ.get("AIRFLOW_VAR_IDLE_LEDGER_MAINTAIN_SCHEDULE", "0 12 * * 0")

MAIN_CLASS = "dev.idleledger.cli.IdleLedger"
JAR = "{{ var.value.idle_ledger_jar }}"
CONF_FILE = "{{ var.value.idle_ledger_conf_file }}"
CONF_ARGS = ["--conf", CONF_FILE, "--set", "catalog.database=" + DATABASE]

DAG_DOC = """
### GPU Idle Ledger, weekly maintenance

Runs `maintain` once a week: OPTIMIZE compacts each silver table's `maintain.recent_days` newest dates (a night
re-run or restated leaves its dates in many small files), VACUUM removes from every table the files replaced more
than `maintain.vacuum_retention_hours` ago (at least 168: time travel reaches back that far). Both settings
come from the config file. The task prints each table's files and bytes before and after.
One writer per lake: while a nightly run holds the lake's run lock, maintain exits 1 and is retried.
"""

with DAG(
    dag_id="gpu_idle_ledger_maintain",
    description="Weekly OPTIMIZE and VACUUM of the GPU Idle Ledger lake",
    schedule=CronDataIntervalTimetable(MAINTAIN_SCHEDULE, timezone="UTC"),
    start_date=pendulum.parse(START_DATE, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "gpu-idle-ledger", "depends_on_past": False, "on_failure_callback": notify_failure, "retries": 0},
    doc_md=DAG_DOC,
    tags=["gpu", "finops", "idle-ledger"],
) as dag:
    maintain = LedgerSparkSubmitOperator(
        task_id="maintain",
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        name="idle-ledger-maintain-{{ ds }}",
        application_args=["maintain"] + CONF_ARGS,
        retries=3,
        retry_delay=timedelta(hours=1),
        execution_timeout=timedelta(hours=6),
        doc_md="Runs `maintain` from the cluster jar: OPTIMIZE the silver tables' recent dates, VACUUM every table "
        "with the config's retention (never below 168 hours), and a report of files and bytes per table before/after. "
        "Exit 1 (e.g. a night holds the run lock) is retried an hour later; exit 2 (bad config, such as a retention "
        "below 168 hours) fails at once.",
    )
