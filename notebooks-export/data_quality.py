# Databricks notebook source
# MAGIC %md
# MAGIC # Data quality
# MAGIC
# MAGIC **Question: can we trust the ledger's numbers for a given day: did every check pass, how much raw input
# MAGIC was rejected, and why?**
# MAGIC
# MAGIC Sources: `run_quality` (one row per run, date and check: row accounting, quarantine share, coverage,
# MAGIC reconciliation) and `quarantine` (every rejected raw row with its source, file, line, reason and raw
# MAGIC text). A date is often computed by several runs (each nightly run restates the days before it); the cells
# MAGIC that judge a date use the latest run for it. The widgets choose the database and the dates (default: the
# MAGIC 30 days up to the latest checked date); every cell reads them as parameters.

# COMMAND ----------

dbutils.widgets.text("database", "idle_ledger", "Database")
dbutils.widgets.text("start_date", "", "From (YYYY-MM-DD; empty: 30 days up to To)")
dbutils.widgets.text("end_date", "", "To (YYYY-MM-DD; empty: the latest checked date)")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Checks per day (latest run of each date)

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.run_quality')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest),
# MAGIC latest_run AS (
# MAGIC   SELECT date, max_by(run_id, checked_at) AS run_id
# MAGIC   FROM IDENTIFIER(:database || '.run_quality')
# MAGIC   GROUP BY date
# MAGIC )
# MAGIC SELECT q.date, q.run_id,
# MAGIC        count(*)                    AS checks,
# MAGIC        count_if(q.passed)          AS passed,
# MAGIC        count_if(NOT q.passed)      AS failed,
# MAGIC        max(q.checked_at)           AS checked_at
# MAGIC FROM IDENTIFIER(:database || '.run_quality') q
# MAGIC JOIN latest_run l ON q.date = l.date AND q.run_id = l.run_id
# MAGIC CROSS JOIN range
# MAGIC WHERE q.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY q.date, q.run_id
# MAGIC ORDER BY q.date

# COMMAND ----------

# MAGIC %md
# MAGIC ## Failed checks, with what to do about them (all runs)

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.run_quality')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT q.date, q.run_id, q.`check`, q.source, q.value, q.threshold, q.detail, q.checked_at
# MAGIC FROM IDENTIFIER(:database || '.run_quality') q, range
# MAGIC WHERE NOT q.passed
# MAGIC   AND q.date BETWEEN range.first_day AND range.last_day
# MAGIC ORDER BY q.checked_at DESC, q.`check`, q.source

# COMMAND ----------

# MAGIC %md
# MAGIC ## Row accounting per source over time
# MAGIC Every raw row read is used, a duplicate, or quarantined: `read = used + quarantined + duplicate`
# MAGIC (plus rows of metrics the ledger does not use). Latest run of each date.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.run_quality')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest),
# MAGIC latest_run AS (
# MAGIC   SELECT date, max_by(run_id, checked_at) AS run_id
# MAGIC   FROM IDENTIFIER(:database || '.run_quality')
# MAGIC   GROUP BY date
# MAGIC )
# MAGIC SELECT q.date, q.source,
# MAGIC        sum(q.rows_read)          AS rows_read,
# MAGIC        sum(q.rows_used)          AS rows_used,
# MAGIC        sum(q.rows_quarantined)   AS rows_quarantined,
# MAGIC        sum(q.rows_duplicate)     AS rows_duplicate,
# MAGIC        round(sum(q.rows_quarantined) / nullif(sum(q.rows_read), 0), 5) AS quarantined_share,
# MAGIC        bool_and(q.passed)        AS balanced
# MAGIC FROM IDENTIFIER(:database || '.run_quality') q
# MAGIC JOIN latest_run l ON q.date = l.date AND q.run_id = l.run_id
# MAGIC CROSS JOIN range
# MAGIC WHERE q.`check` = 'rows_accounted'
# MAGIC   AND q.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY q.date, q.source
# MAGIC ORDER BY q.date, q.source

# COMMAND ----------

# MAGIC %md
# MAGIC ## Measured checks over time (coverage, quarantine share, reconciliation): value against threshold

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.run_quality')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest),
# MAGIC latest_run AS (
# MAGIC   SELECT date, max_by(run_id, checked_at) AS run_id
# MAGIC   FROM IDENTIFIER(:database || '.run_quality')
# MAGIC   GROUP BY date
# MAGIC )
# MAGIC SELECT q.date, q.`check`, q.source, q.value, q.threshold, q.passed
# MAGIC FROM IDENTIFIER(:database || '.run_quality') q
# MAGIC JOIN latest_run l ON q.date = l.date AND q.run_id = l.run_id
# MAGIC CROSS JOIN range
# MAGIC WHERE q.value IS NOT NULL
# MAGIC   AND q.date BETWEEN range.first_day AND range.last_day
# MAGIC ORDER BY q.`check`, q.source, q.date

# COMMAND ----------

# MAGIC %md
# MAGIC ## Quarantine reasons over time

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.run_quality')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT x.date, x.source, x.reason,
# MAGIC        count(*)                 AS rows_rejected,
# MAGIC        count(DISTINCT x.file)   AS files
# MAGIC FROM IDENTIFIER(:database || '.quarantine') x, range
# MAGIC WHERE x.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY x.date, x.source, x.reason
# MAGIC ORDER BY x.date, rows_rejected DESC, x.source, x.reason

# COMMAND ----------

# MAGIC %md
# MAGIC ## Examples of rejected rows (To, up to 5 per source and reason)
# MAGIC `line` is null when a whole file was rejected (e.g. a corrupt gzip); `raw` is the text as read.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.quarantine'))
# MAGIC SELECT date, source, reason, file, line, raw, run_id
# MAGIC FROM (
# MAGIC   SELECT x.*, row_number() OVER (PARTITION BY x.source, x.reason ORDER BY x.file, x.line) AS n
# MAGIC   FROM IDENTIFIER(:database || '.quarantine') x, latest
# MAGIC   WHERE x.date = latest.d
# MAGIC ) examples
# MAGIC WHERE n <= 5
# MAGIC ORDER BY source, reason, file, line

# COMMAND ----------

# MAGIC %md
# MAGIC ## Money reconciliation per day
# MAGIC `gpu_cost − allocated − unallocated − unobserved` per cluster and day: must be 0 (within 1e-6).

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.cluster_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT c.date,
# MAGIC        count(*)                              AS clusters,
# MAGIC        max(abs(c.reconciliation_delta))      AS worst_abs_delta,
# MAGIC        round(sum(c.gpu_cost), 2)             AS gpu_cost
# MAGIC FROM IDENTIFIER(:database || '.cluster_daily') c, range
# MAGIC WHERE c.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY c.date
# MAGIC ORDER BY c.date
