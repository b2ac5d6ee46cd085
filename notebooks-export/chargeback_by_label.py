# Databricks notebook source
# MAGIC %md
# MAGIC # Chargeback by label
# MAGIC
# MAGIC **Question: what did the GPU time of each value of a pod label (cost-center, project, ...) cost over a
# MAGIC period, and how much of the bill carries that label at all?**
# MAGIC
# MAGIC Source: `workload_daily.labels`, the pod labels named in `attribution.labels` (conf), keyed as written
# MAGIC there (`cost-center`, `app.kubernetes.io/part-of`). The widgets choose the database, the period (default:
# MAGIC the calendar month of the latest date, to that date) and the label key (default: `cost-center`; it must be
# MAGIC one of `attribution.labels`, else every workload shows as unlabelled). Workloads whose pods lack the key are
# MAGIC one line, `(no <key> label)`. Unallocated and unobserved GPU time has no pod and so no label: it is the
# MAGIC platform's line, as in the team chargeback.

# COMMAND ----------

dbutils.widgets.text("database", "idle_ledger", "Database")
dbutils.widgets.text("start_date", "", "From (YYYY-MM-DD; empty: first of To's month)")
dbutils.widgets.text("end_date", "", "To (YYYY-MM-DD; empty: the latest date)")
dbutils.widgets.text("label_key", "cost-center", "Pod label key (one of attribution.labels)")

# COMMAND ----------

# MAGIC %md
# MAGIC ## The period, per value of the label

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest),
# MAGIC labelled AS (
# MAGIC   SELECT coalesce(w.labels[trim(:label_key)], '(no ' || trim(:label_key) || ' label)') AS label_value, w.*
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, range
# MAGIC   WHERE w.date BETWEEN range.first_day AND range.last_day
# MAGIC )
# MAGIC SELECT trim(:label_key)                                                  AS label_key,
# MAGIC        label_value,
# MAGIC        count(DISTINCT concat_ws('/', cluster, namespace, workload_kind, workload_name)) AS workloads,
# MAGIC        concat_ws(', ', sort_array(collect_set(team)))                    AS teams,
# MAGIC        round(sum(gpu_hours), 1)                                          AS gpu_hours,
# MAGIC        round(sum(cost), 2)                                               AS cost,
# MAGIC        round(sum(cost) / nullif(sum(sum(cost)) OVER (PARTITION BY currency), 0), 3) AS share_of_allocated_cost,
# MAGIC        round(sum(idle_cost), 2)                                          AS idle_cost,
# MAGIC        round(1 - sum(unused_capacity_cost) / nullif(sum(cost), 0), 3)    AS efficiency,
# MAGIC        currency
# MAGIC FROM labelled
# MAGIC GROUP BY label_value, currency
# MAGIC ORDER BY cost DESC, label_value

# COMMAND ----------

# MAGIC %md
# MAGIC ## The whole bill for the period: label values plus the platform's unallocated and unobserved GPU time
# MAGIC The label lines (unlabelled included) plus the two platform lines add up to `gpu_cost`.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.cluster_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest),
# MAGIC lines AS (
# MAGIC   SELECT coalesce(w.labels[trim(:label_key)], '(no ' || trim(:label_key) || ' label)') AS charged_to, sum(w.cost) AS cost, w.currency
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, range
# MAGIC   WHERE w.date BETWEEN range.first_day AND range.last_day
# MAGIC   GROUP BY 1, w.currency
# MAGIC   UNION ALL
# MAGIC   SELECT '(platform: unallocated GPUs)', sum(c.unallocated_cost), c.currency
# MAGIC   FROM IDENTIFIER(:database || '.cluster_daily') c, range
# MAGIC   WHERE c.date BETWEEN range.first_day AND range.last_day
# MAGIC   GROUP BY c.currency
# MAGIC   UNION ALL
# MAGIC   SELECT '(platform: unobserved GPUs)', sum(c.unobserved_cost), c.currency
# MAGIC   FROM IDENTIFIER(:database || '.cluster_daily') c, range
# MAGIC   WHERE c.date BETWEEN range.first_day AND range.last_day
# MAGIC   GROUP BY c.currency
# MAGIC )
# MAGIC SELECT charged_to,
# MAGIC        round(cost, 2)                                                       AS cost,
# MAGIC        round(cost / nullif(sum(cost) OVER (PARTITION BY currency), 0), 3)   AS share_of_gpu_cost,
# MAGIC        currency
# MAGIC FROM lines
# MAGIC ORDER BY cost DESC, charged_to

# COMMAND ----------

# MAGIC %md
# MAGIC ## Label coverage: how much of the allocated cost carries each configured key
# MAGIC A key that covers little of the cost is a labelling gap to fix in the pod templates (or a key
# MAGIC kube-state-metrics does not export: see its `--metric-labels-allowlist`).

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest),
# MAGIC period AS (
# MAGIC   SELECT w.* FROM IDENTIFIER(:database || '.workload_daily') w, range
# MAGIC   WHERE w.date BETWEEN range.first_day AND range.last_day
# MAGIC ),
# MAGIC total AS (SELECT sum(cost) AS cost FROM period),
# MAGIC per_key AS (
# MAGIC   SELECT k AS label_key, count(DISTINCT p.labels[k]) AS distinct_values, sum(p.cost) AS labelled_cost
# MAGIC   FROM period p LATERAL VIEW explode(map_keys(p.labels)) keys AS k
# MAGIC   GROUP BY k
# MAGIC )
# MAGIC SELECT k.label_key, k.distinct_values,
# MAGIC        round(k.labelled_cost, 2)                              AS labelled_cost,
# MAGIC        round(k.labelled_cost / nullif(total.cost, 0), 3)      AS share_of_allocated_cost
# MAGIC FROM per_key k, total
# MAGIC ORDER BY share_of_allocated_cost DESC, k.label_key

# COMMAND ----------

# MAGIC %md
# MAGIC ## Trend: cost per value of the label per day

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT w.date,
# MAGIC        coalesce(w.labels[trim(:label_key)], '(no ' || trim(:label_key) || ' label)') AS label_value,
# MAGIC        round(sum(w.gpu_hours), 2)   AS gpu_hours,
# MAGIC        round(sum(w.cost), 2)        AS cost,
# MAGIC        round(sum(w.idle_cost), 2)   AS idle_cost,
# MAGIC        w.currency
# MAGIC FROM IDENTIFIER(:database || '.workload_daily') w, range
# MAGIC WHERE w.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY w.date, 2, w.currency
# MAGIC ORDER BY w.date, cost DESC, label_value
