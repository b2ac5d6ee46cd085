"""Reads a DAG file's syntax tree (Airflow is not needed) and prints its contract as JSON.

For every SparkSubmitOperator (or the DAG's subclass of it): task id, operator, main class, retries, the
Assets it emits, and application_args with the Jinja templates rendered for a sample data interval; for
every S3KeySensor: bucket and key pattern, rendered the same way, and its check_fn; and the dependency edges
written with >> and <<. The Java test DagContractTest checks this against the real command line and
CONTRACTS.md.

With --archive DIR (a local copy of the buckets: DIR/<bucket>/<key>), each sensor also lists the keys its
pattern matches there, the way S3KeySensor does (fnmatch over the keys under the pattern's literal prefix),
and whether it would fire: some key matches and, when it has a check_fn defined in the DAG file, that
function accepts the matches (LastModified = the file's modification time, UTC).

Usage: python3 dag_contract.py [--ds 2026-11-01] [--var name=value ...] [--env NAME=VALUE ...]
                               [--archive DIR] [DAG_FILE ...]
Without DAG files, reads every *.py in airflow-dags/. A Variable not given with --var renders as
"sample-<name>" (or the template's default, when it has one); an os.environ.get(...) of the file takes the
value given with --env, else its default.

Only the template expressions this project uses are understood ({{ ds }}, {{ params.x }},
{{ var.value.x }}, {{ var.value.get('x', default) }}, {{ data_interval_start.strftime(...) }},
{{ macros.ds_add(ds, n) }}); anything else is an error, so the test fails instead of guessing.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import fnmatch
import json
import re
import sys
from pathlib import Path

SPARK_OPERATORS = {"SparkSubmitOperator", "LedgerSparkSubmitOperator"}
SENSOR_OPERATORS = {"S3KeySensor"}
TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)


class ContractError(Exception):
    pass


# ---------------------------------------------------------------- constant evaluation of the module


class Unknown(Exception):
    """An expression this reader does not evaluate (a call into Airflow, a timedelta, ...)."""


ENVIRONMENT: dict = {}


def evaluate(node: ast.AST, names: dict):
    """Evaluates the literal subset of Python the DAG's arguments are written in."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        raise Unknown(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [evaluate(e, names) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {evaluate(k, names): evaluate(v, names) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.BinOp):
        left, right = evaluate(node.left, names), evaluate(node.right, names)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Mult):
            return left * right
        raise Unknown(ast.dump(node.op))
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                parts.append(str(evaluate(value.value, names)))
            else:
                parts.append(value.value)
        return "".join(parts)
    if isinstance(node, ast.Call):
        name = call_name(node.func)
        args = [evaluate(a, names) for a in node.args]
        # os.environ.get(key, default): the DAG's parse-time settings take their defaults here.
        if name == "os.environ.get":
            return ENVIRONMENT.get(args[0], args[1] if len(args) > 1 else None)
        # Asset(uri=...) / Dataset(uri=...): the URI is what downstream DAGs schedule on.
        if name in ("Asset", "Dataset"):
            uri = args[0] if args else next(evaluate(k.value, names) for k in node.keywords if k.arg == "uri")
            return {"asset_uri": uri}
        if name in ("int", "str", "float"):
            return {"int": int, "str": str, "float": float}[name](*args)
        raise Unknown(name)
    raise Unknown(type(node).__name__)


def call_name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return call_name(func.value) + "." + func.attr
    return "?"


def module_constants(tree: ast.Module) -> dict:
    """Module-level NAME = <literal expression> assignments, in order, as far as they evaluate."""
    names: dict = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                names[stmt.targets[0].id] = evaluate(stmt.value, names)
            except Unknown:
                pass
    return names


# ---------------------------------------------------------------- template rendering


class Attrs:
    """Attribute access over a dict, as Jinja gives it (params.x, var.value.x)."""

    def __init__(self, values: dict, missing=None):
        self._values = values
        self._missing = missing

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._values:
            return self._values[name]
        if self._missing is not None:
            return self._missing(name)
        raise ContractError("template refers to unknown name " + name)


class VariableValues(Attrs):
    def __init__(self, given: dict):
        super().__init__(given, missing=lambda name: "sample-" + name)
        self._given = given

    def get(self, name, default=None):
        if name in self._given:
            return self._given[name]
        return default if default is not None else "sample-" + name


class Instant:
    """A data interval bound as templates see it. Its methods run outside the sandboxed eval of a template."""

    def __init__(self, value: dt.datetime):
        self._value = value

    def strftime(self, fmt: str) -> str:
        return self._value.strftime(fmt)

    def isoformat(self) -> str:
        return self._value.isoformat()

    def __str__(self) -> str:
        return self._value.isoformat()


def template_context(ds: str, params: dict, variables: dict) -> dict:
    start = dt.datetime.fromisoformat(ds).replace(tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(days=1)

    def ds_add(value: str, days: int) -> str:
        return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()

    return {
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "data_interval_start": Instant(start),
        "data_interval_end": Instant(end),
        "logical_date": Instant(start),
        "params": Attrs(params),
        "var": Attrs({"value": VariableValues(variables)}),
        "macros": Attrs({"ds_add": ds_add}),
    }


def render(text, context: dict):
    if isinstance(text, list):
        return [render(t, context) for t in text]
    if not isinstance(text, str):
        return text

    def one(match):
        expr = match.group(1).strip()
        try:
            tree = ast.parse(expr, mode="eval")
        except SyntaxError as e:
            raise ContractError("template {{ " + expr + " }} is not a plain expression: " + str(e)) from e
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in context:
                raise ContractError("template {{ " + expr + " }} uses unknown name " + node.id)
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                raise ContractError("template {{ " + expr + " }} uses a private attribute")
        return str(eval(compile(tree, "<template>", "eval"), {"__builtins__": {}}, context))

    return TEMPLATE.sub(one, text)


# ---------------------------------------------------------------- tasks and edges


def dag_params(tree: ast.Module, names: dict) -> dict:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node.func) == "DAG":
            for kw in node.keywords:
                if kw.arg == "params":
                    return evaluate(kw.value, names)
    return {}


def operator_calls(tree: ast.Module):
    """(variable name, operator class, Call node) for every task assigned to a name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            cls = call_name(node.value.func).split(".")[-1]
            if cls in SPARK_OPERATORS | SENSOR_OPERATORS and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                yield node.targets[0].id, cls, node.value


def keywords(call: ast.Call, names: dict) -> dict:
    out = {}
    for kw in call.keywords:
        if kw.arg is None:
            continue
        if kw.arg == "check_fn" and isinstance(kw.value, ast.Name):
            out[kw.arg] = kw.value.id  # a function of the DAG file, by name
            continue
        try:
            out[kw.arg] = evaluate(kw.value, names)
        except Unknown:
            out[kw.arg] = None  # present, but not a literal (a callable, a timedelta)
    return out


def module_function(tree: ast.Module, name: str):
    """A top-level function of the DAG file, compiled on its own (it may use only builtins and re)."""
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
            namespace = {"re": re}
            exec(compile(ast.Module(body=[stmt], type_ignores=[]), "<dag " + name + ">", "exec"), namespace)
            return namespace[name]
    raise ContractError("check_fn " + name + " is not a top-level function of the DAG file")


def archive_matches(archive: Path, bucket: str, key: str) -> list:
    """S3KeySensor's wildcard match over a local copy of the bucket: keys under the literal prefix that fnmatch."""
    root = archive / bucket
    prefix = re.split(r"[\[*?]", key, maxsplit=1)[0]
    found = []
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel.startswith(prefix) and fnmatch.fnmatch(rel, key):
                modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
                found.append({"Key": rel, "LastModified": modified, "Size": path.stat().st_size})
    return found


def edges(tree: ast.Module, task_of: dict) -> list:
    found = []

    def operand(node) -> list:
        """The tasks an expression stands for in a >> chain; the value of `a >> b` is b."""
        if isinstance(node, ast.Name):
            if node.id not in task_of:
                raise ContractError("dependency on " + node.id + ", which is not a task this reader knows")
            return [task_of[node.id]]
        if isinstance(node, (ast.List, ast.Tuple)):
            return [t for e in node.elts for t in operand(e)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.RShift, ast.LShift)):
            left, right = operand(node.left), operand(node.right)
            upstream, downstream = (left, right) if isinstance(node.op, ast.RShift) else (right, left)
            found.extend([u, d] for u in upstream for d in downstream)
            return right
        raise ContractError("unsupported dependency expression: " + ast.unparse(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, (ast.RShift, ast.LShift)):
            operand(node.value)
    return found


def read_dag(path: Path, ds: str, variables: dict, archive: Path = None) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = module_constants(tree)
    context = template_context(ds, dag_params(tree, names), variables)
    spark, sensors, task_of = [], [], {}
    for var, cls, call in operator_calls(tree):
        kw = keywords(call, names)
        task_id = kw.get("task_id")
        if not task_id:
            raise ContractError(path.name + ": " + cls + " assigned to " + var + " has no literal task_id")
        task_of[var] = task_id
        if cls in SPARK_OPERATORS:
            spark.append({
                "task_id": task_id,
                "operator": cls,
                "retries": kw.get("retries"),
                "outlets": [a["asset_uri"] for a in kw.get("outlets") or [] if isinstance(a, dict)],
                "java_class": kw.get("java_class"),
                "application": render(kw.get("application"), context),
                "application_args": render(kw.get("application_args") or [], context),
                "trigger_rule": kw.get("trigger_rule", "all_success"),
                "has_doc_md": "doc_md" in kw,
                "has_outlets": "outlets" in kw,
            })
        else:
            sensor = {
                "task_id": task_id,
                "bucket_name": render(kw.get("bucket_name"), context),
                "bucket_key": render(kw.get("bucket_key"), context),
                "wildcard_match": kw.get("wildcard_match", False),
                "check_fn": kw.get("check_fn"),
                "metadata_keys": kw.get("metadata_keys"),
                "deferrable": kw.get("deferrable", False),
                "soft_fail": kw.get("soft_fail", False),
                "timeout": kw.get("timeout"),
                "has_doc_md": "doc_md" in kw,
            }
            if archive is not None:
                files = archive_matches(archive, sensor["bucket_name"], sensor["bucket_key"])
                fires = bool(files)
                if fires and sensor["check_fn"]:
                    check = module_function(tree, sensor["check_fn"])
                    fires = bool(check(files, ds=ds, data_interval_start=context["data_interval_start"]._value,
                                       data_interval_end=context["data_interval_end"]._value))
                sensor["matched_keys"] = [f["Key"] for f in files]
                sensor["fires"] = fires
            sensors.append(sensor)
    return {
        "dag_file": str(path),
        "sample": {"ds": ds, "data_interval_start": context["data_interval_start"].isoformat(),
                   "data_interval_end": context["data_interval_end"].isoformat()},
        "spark_tasks": spark,
        "sensors": sensors,
        "edges": edges(tree, task_of),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ds", default="2026-11-01", help="the sample data interval's start date")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="an Airflow Variable's value")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="an environment variable the DAG reads at parse time")
    parser.add_argument("--archive", type=Path, help="a local copy of the buckets (DIR/<bucket>/<key>) to match the sensors against")
    parser.add_argument("dag_files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    variables, environment = {}, {}
    for option, items, into in (("--var", args.var, variables), ("--env", args.env, environment)):
        for item in items:
            name, sep, value = item.partition("=")
            if not sep:
                parser.error(option + " " + item + ": expected NAME=VALUE")
            into[name] = value
    ENVIRONMENT.clear()
    ENVIRONMENT.update(environment)
    files = args.dag_files or sorted((Path(__file__).resolve().parent.parent).glob("*.py"))
    try:
        dags = [read_dag(f, args.ds, variables, args.archive) for f in files]
    except ContractError as e:
        print("dag_contract: " + str(e), file=sys.stderr)
        return 1
    json.dump({"dags": dags}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
