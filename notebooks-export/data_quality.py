# Databricks notebook source
# MAGIC %md
# MAGIC # Data quality
# MAGIC
# MAGIC **Question: can we trust the ledger's numbers for a given day: did every check pass, how much raw input
# MAGIC was rejected, and why?**
# MAGIC
# MAGIC Sources: `idle_ledger.run_quality` (one row per run, date and check: row accounting, quarantine
# MAGIC share, coverage, reconciliation) and `idle_ledger.quarantine` (every rejected raw row with its source,
# MAGIC file, line, reason and raw text). A date is often computed by several runs (each nightly run restates
# MAGIC the days before it); the cells that judge a date use the latest run for it.

# COMMAND ----------

# MAGIC %md
# MAGIC ## Checks per day (latest run of each date, last 30 days)

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest_run AS (
# MAGIC   SELECT date, max_by(run_id, checked_at) AS run_id
# MAGIC   FROM idle_ledger.run_quality
# MAGIC   GROUP BY date
# MAGIC )
# MAGIC SELECT q.date, q.run_id,
# MAGIC        count(*)                    AS checks,
# MAGIC        count_if(q.passed)          AS passed,
# MAGIC        count_if(NOT q.passed)      AS failed,
# MAGIC        max(q.checked_at)           AS checked_at
# MAGIC FROM idle_ledger.run_quality q
# MAGIC JOIN latest_run l ON q.date = l.date AND q.run_id = l.run_id
# MAGIC WHERE q.date > date_sub((SELECT max(date) FROM idle_ledger.run_quality), 30)
# MAGIC GROUP BY q.date, q.run_id
# MAGIC ORDER BY q.date

# COMMAND ----------

# MAGIC %md
# MAGIC ## Failed checks, with what to do about them (all runs, last 30 days)

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT date, run_id, `check`, source, value, threshold, detail, checked_at
# MAGIC FROM idle_ledger.run_quality
# MAGIC WHERE NOT passed
# MAGIC   AND date > date_sub((SELECT max(date) FROM idle_ledger.run_quality), 30)
# MAGIC ORDER BY checked_at DESC, `check`, source

# COMMAND ----------

# MAGIC %md
# MAGIC ## Row accounting per source over time
# MAGIC Every raw row read is used, a duplicate, or quarantined: `read = used + quarantined + duplicate`
# MAGIC (plus rows of metrics the ledger does not use). Latest run of each date.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest_run AS (
# MAGIC   SELECT date, max_by(run_id, checked_at) AS run_id
# MAGIC   FROM idle_ledger.run_quality
# MAGIC   GROUP BY date
# MAGIC )
# MAGIC SELECT q.date, q.source,
# MAGIC        sum(q.rows_read)          AS rows_read,
# MAGIC        sum(q.rows_used)          AS rows_used,
# MAGIC        sum(q.rows_quarantined)   AS rows_quarantined,
# MAGIC        sum(q.rows_duplicate)     AS rows_duplicate,
# MAGIC        round(sum(q.rows_quarantined) / nullif(sum(q.rows_read), 0), 5) AS quarantined_share,
# MAGIC        bool_and(q.passed)        AS balanced
# MAGIC FROM idle_ledger.run_quality q
# MAGIC JOIN latest_run l ON q.date = l.date AND q.run_id = l.run_id
# MAGIC WHERE q.`check` = 'rows_accounted'
# MAGIC GROUP BY q.date, q.source
# MAGIC ORDER BY q.date, q.source

# COMMAND ----------

# MAGIC %md
# MAGIC ## Measured checks over time (coverage, quarantine share, reconciliation): value against threshold

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest_run AS (
# MAGIC   SELECT date, max_by(run_id, checked_at) AS run_id
# MAGIC   FROM idle_ledger.run_quality
# MAGIC   GROUP BY date
# MAGIC )
# MAGIC SELECT q.date, q.`check`, q.source, q.value, q.threshold, q.passed
# MAGIC FROM idle_ledger.run_quality q
# MAGIC JOIN latest_run l ON q.date = l.date AND q.run_id = l.run_id
# MAGIC WHERE q.value IS NOT NULL
# MAGIC ORDER BY q.`check`, q.source, q.date

# COMMAND ----------

# MAGIC %md
# MAGIC ## Quarantine reasons over time

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT date, source, reason,
# MAGIC        count(*)                 AS rows_rejected,
# MAGIC        count(DISTINCT file)     AS files
# MAGIC FROM idle_ledger.quarantine
# MAGIC WHERE date > date_sub((SELECT max(date) FROM idle_ledger.quarantine), 30)
# MAGIC GROUP BY date, source, reason
# MAGIC ORDER BY date, rows_rejected DESC, source, reason

# COMMAND ----------

# MAGIC %md
# MAGIC ## Examples of rejected rows (latest date, up to 5 per source and reason)
# MAGIC `line` is null when a whole file was rejected (e.g. a corrupt gzip); `raw` is the text as read.

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT date, source, reason, file, line, raw, run_id
# MAGIC FROM (
# MAGIC   SELECT *, row_number() OVER (PARTITION BY source, reason ORDER BY file, line) AS n
# MAGIC   FROM idle_ledger.quarantine
# MAGIC   WHERE date = (SELECT max(date) FROM idle_ledger.quarantine)
# MAGIC ) examples
# MAGIC WHERE n <= 5
# MAGIC ORDER BY source, reason, file, line

# COMMAND ----------

# MAGIC %md
# MAGIC ## Money reconciliation per day
# MAGIC `gpu_cost − allocated − unallocated − unobserved` per cluster and day: must be 0 (within 1e-6).

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT date,
# MAGIC        count(*)                            AS clusters,
# MAGIC        max(abs(reconciliation_delta))      AS worst_abs_delta,
# MAGIC        round(sum(gpu_cost), 2)             AS gpu_cost
# MAGIC FROM idle_ledger.cluster_daily
# MAGIC GROUP BY date
# MAGIC ORDER BY date
