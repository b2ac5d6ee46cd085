"""The DAG's own rules, run without Airflow: python3 -m unittest discover -s airflow-dags/tests

The functions and the operator class are taken from the DAG file's syntax tree and compiled on their own, so
the code tested is the code deployed. The operator's base class stands in for the provider's
SparkSubmitOperator: its execute fails the way the provider's SparkSubmitHook.submit does, with the same message
("Cannot execute: <cmd>. Error code is: N." and, on Kubernetes, "... Kubernetes spark exit code is: N").
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import unittest
from pathlib import Path

DAG_FILE = Path(__file__).resolve().parent.parent / "gpu_idle_ledger_nightly.py"


class AirflowException(Exception):
    pass


class AirflowFailException(AirflowException):
    pass


class FailingSparkSubmit:
    """The provider's operator as far as LedgerSparkSubmitOperator relies on it: execute runs spark-submit and raises."""

    def __init__(self, message: str | None):
        self.message = message

    def execute(self, context):
        if self.message is not None:
            raise AirflowException(self.message)
        return "submitted"


def from_dag(*names: str) -> dict:
    """Top-level constants, functions and classes of the DAG file, compiled without its Airflow imports."""
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8"))
    wanted = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef)) and s.name in names
              or isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in s.targets)]
    namespace = {"re": re, "AirflowException": AirflowException, "AirflowFailException": AirflowFailException,
                 "SparkSubmitOperator": FailingSparkSubmit}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(DAG_FILE), "exec"), namespace)
    missing = [n for n in names if n not in namespace]
    if missing:
        raise AssertionError("not defined at the top of the DAG file: " + ", ".join(missing))
    return namespace


DAG = from_dag("EXIT_BAD_USAGE", "driver_exit_code", "delivered_after_interval", "LedgerSparkSubmitOperator")
CMD = "spark-submit --master yarn --name idle-ledger-nightly-2026-11-01 --class dev.idleledger.cli.IdleLedger app.jar nightly --date 2026-11-01"


class DriverExitCode(unittest.TestCase):
    def test_client_mode_reports_the_drivers_exit_code(self):
        self.assertEqual(2, DAG["driver_exit_code"]("Cannot execute: " + CMD + ". Error code is: 2."))
        self.assertEqual(1, DAG["driver_exit_code"]("Cannot execute: " + CMD + ". Error code is: 1."))

    def test_kubernetes_drivers_exit_code_wins_over_spark_submits(self):
        message = "Cannot execute: " + CMD + ". Error code is: 0. Kubernetes spark exit code is: 2"
        self.assertEqual(2, DAG["driver_exit_code"](message))

    def test_a_message_without_an_exit_code_names_none(self):
        self.assertIsNone(DAG["driver_exit_code"]("No driver id is known: something went wrong when executing the spark submit command"))
        self.assertIsNone(DAG["driver_exit_code"](None))


class RetryPolicy(unittest.TestCase):
    def operator(self, message):
        op = DAG["LedgerSparkSubmitOperator"].__new__(DAG["LedgerSparkSubmitOperator"])
        FailingSparkSubmit.__init__(op, message)
        return op

    def test_exit_2_fails_without_retries(self):
        with self.assertRaises(AirflowFailException) as raised:
            self.operator("Cannot execute: " + CMD + ". Error code is: 2.").execute({})
        self.assertIn("exited 2", str(raised.exception))
        self.assertIn("Error code is: 2.", str(raised.exception), "the hook's message is kept for the log")

    def test_exit_1_stays_an_ordinary_failure_that_is_retried(self):
        with self.assertRaises(AirflowException) as raised:
            self.operator("Cannot execute: " + CMD + ". Error code is: 1.").execute({})
        self.assertNotIsInstance(raised.exception, AirflowFailException)

    def test_a_failure_to_reach_the_cluster_is_retried(self):
        with self.assertRaises(AirflowException) as raised:
            self.operator("No driver id is known: something went wrong when executing the spark submit command").execute({})
        self.assertNotIsInstance(raised.exception, AirflowFailException)

    def test_success_passes_through(self):
        self.assertEqual("submitted", self.operator(None).execute({}))


class BillDeliveredAfterTheDay(unittest.TestCase):
    END = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)  # data interval [2026-11-01, 2026-11-02)

    def check(self, *modified):
        files = [{"Key": "cur/metadata/BILLING_PERIOD=2026-11/x-Manifest.json", "LastModified": m} for m in modified]
        return DAG["delivered_after_interval"](files, data_interval_end=self.END, ds="2026-11-01")

    def test_a_delivery_written_before_the_day_ended_cannot_hold_its_hours(self):
        self.assertFalse(self.check(dt.datetime(2026, 11, 1, 23, 59, 59, tzinfo=dt.timezone.utc)))

    def test_a_delivery_at_or_after_the_days_end_does(self):
        self.assertTrue(self.check(self.END))
        self.assertTrue(self.check(dt.datetime(2026, 10, 31, tzinfo=dt.timezone.utc), dt.datetime(2026, 11, 2, 7, 30, tzinfo=dt.timezone.utc)))

    def test_no_matches_or_no_times_do_not_fire(self):
        self.assertFalse(self.check())
        self.assertFalse(self.check(None))


if __name__ == "__main__":
    unittest.main()
