# Databricks notebook source
# MAGIC %md
# MAGIC # Fleet waste overview
# MAGIC
# MAGIC **Question: how much of our GPU spend is wasted, is it getting better, and where does it sit?**
# MAGIC
# MAGIC Waste = idle cost (a pod holds the GPU and does nothing) + unallocated cost (no pod holds it), per
# MAGIC `cluster_daily`. The widgets choose the database and the date range (default: the 30 days up to the
# MAGIC latest date in the lake); every cell reads them as parameters (`:database`, `:start_date`, `:end_date`),
# MAGIC so nothing needs editing. Money is in the billing currency (`currency`).

# COMMAND ----------

dbutils.widgets.text("database", "idle_ledger", "Database")
dbutils.widgets.text("start_date", "", "From (YYYY-MM-DD; empty: 30 days up to To)")
dbutils.widgets.text("end_date", "", "To (YYYY-MM-DD; empty: the latest date)")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Trend: GPU spend and waste per day

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.cluster_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT c.date,
# MAGIC        c.currency,
# MAGIC        round(sum(c.gpu_cost), 2)                                AS gpu_cost,
# MAGIC        round(sum(c.idle_cost), 2)                               AS idle_cost,
# MAGIC        round(sum(c.unallocated_cost), 2)                        AS unallocated_cost,
# MAGIC        round(sum(c.waste_cost), 2)                              AS waste_cost,
# MAGIC        round(sum(c.waste_cost) / nullif(sum(c.gpu_cost), 0), 3) AS waste_share,
# MAGIC        round(sum(c.billed_gpu_hours), 1)                        AS billed_gpu_hours,
# MAGIC        round(sum(c.unallocated_gpu_hours), 1)                   AS unallocated_gpu_hours
# MAGIC FROM IDENTIFIER(:database || '.cluster_daily') c, range
# MAGIC WHERE c.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY c.date, c.currency
# MAGIC ORDER BY c.date, c.currency

# COMMAND ----------

# MAGIC %md
# MAGIC ## The end date, per cluster
# MAGIC `reconciliation_delta` must be 0: the allocated, unallocated and unobserved money add up to the GPU cost.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.cluster_daily'))
# MAGIC SELECT c.cluster,
# MAGIC        c.gpus,
# MAGIC        round(c.gpu_cost, 2)                              AS gpu_cost,
# MAGIC        round(c.allocated_cost, 2)                        AS allocated_cost,
# MAGIC        round(c.idle_cost, 2)                             AS idle_cost,
# MAGIC        round(c.unallocated_cost, 2)                      AS unallocated_cost,
# MAGIC        round(c.unobserved_cost, 2)                       AS unobserved_cost,
# MAGIC        round(c.waste_cost / nullif(c.gpu_cost, 0), 3)    AS waste_share,
# MAGIC        round(c.avg_activity, 3)                          AS avg_activity,
# MAGIC        c.reconciliation_delta,
# MAGIC        c.currency
# MAGIC FROM IDENTIFIER(:database || '.cluster_daily') c, latest
# MAGIC WHERE c.date = latest.d
# MAGIC ORDER BY c.waste_cost DESC, c.cluster

# COMMAND ----------

# MAGIC %md
# MAGIC ## Waste by workload type over the range
# MAGIC Idle cost belongs to a workload; unallocated cost belongs to nobody, so it is its own line.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.cluster_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest),
# MAGIC by_type AS (
# MAGIC   SELECT coalesce(w.workload_type, 'other') AS workload_type,
# MAGIC          sum(w.gpu_hours)            AS gpu_hours,
# MAGIC          sum(w.cost)                 AS cost,
# MAGIC          sum(w.idle_cost)            AS waste_cost,
# MAGIC          sum(w.unused_capacity_cost) AS unused_capacity_cost,
# MAGIC          w.currency
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, range
# MAGIC   WHERE w.date BETWEEN range.first_day AND range.last_day
# MAGIC   GROUP BY coalesce(w.workload_type, 'other'), w.currency
# MAGIC   UNION ALL
# MAGIC   SELECT '(unallocated)', sum(c.unallocated_gpu_hours), sum(c.unallocated_cost), sum(c.unallocated_cost), sum(c.unallocated_cost), c.currency
# MAGIC   FROM IDENTIFIER(:database || '.cluster_daily') c, range
# MAGIC   WHERE c.date BETWEEN range.first_day AND range.last_day
# MAGIC   GROUP BY c.currency
# MAGIC )
# MAGIC SELECT workload_type,
# MAGIC        round(gpu_hours, 1)                                      AS gpu_hours,
# MAGIC        round(cost, 2)                                           AS cost,
# MAGIC        round(waste_cost, 2)                                     AS waste_cost,
# MAGIC        round(waste_cost / nullif(sum(waste_cost) OVER (PARTITION BY currency), 0), 3) AS share_of_waste,
# MAGIC        round(1 - unused_capacity_cost / nullif(cost, 0), 3)     AS efficiency,
# MAGIC        currency
# MAGIC FROM by_type
# MAGIC ORDER BY waste_cost DESC

# COMMAND ----------

# MAGIC %md
# MAGIC ## Waste by team over the range

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.team_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(d, 29)) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT t.team,
# MAGIC        round(sum(t.gpu_hours), 1)                                           AS gpu_hours,
# MAGIC        round(sum(t.cost), 2)                                                AS cost,
# MAGIC        round(sum(t.idle_cost), 2)                                           AS idle_cost,
# MAGIC        round(sum(t.idle_cost) / nullif(sum(t.cost), 0), 3)                  AS idle_share,
# MAGIC        round(1 - sum(t.unused_capacity_cost) / nullif(sum(t.cost), 0), 3)   AS efficiency,
# MAGIC        t.currency
# MAGIC FROM IDENTIFIER(:database || '.team_daily') t, range
# MAGIC WHERE t.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY t.team, t.currency
# MAGIC ORDER BY idle_cost DESC, t.team

# COMMAND ----------

# MAGIC %md
# MAGIC ## What the open recommendations save, overlaps counted once
# MAGIC As of the latest night (recommendations are not dated by the range). A workload can have several (cull
# MAGIC an idle notebook *and* move it to a MIG slice); `recommendation_savings` applies them largest first, each on
# MAGIC what the ones before it left, so `remaining_monthly_savings` adds up and `monthly_savings` (each one's own
# MAGIC figure) does not.

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT kind,
# MAGIC        count(*)                                    AS recommendations,
# MAGIC        count(overlaps_with)                        AS overlapping_another,
# MAGIC        round(sum(monthly_savings), 2)              AS own_monthly_savings,
# MAGIC        round(sum(remaining_monthly_savings), 2)    AS monthly_savings_together,
# MAGIC        currency
# MAGIC FROM IDENTIFIER(:database || '.recommendation_savings')
# MAGIC GROUP BY ROLLUP(kind), currency
# MAGIC ORDER BY kind IS NULL, monthly_savings_together DESC

# COMMAND ----------

# MAGIC %md
# MAGIC ## Efficiency distribution (end date)
# MAGIC How many workloads, GPU-hours and how much money sit in each efficiency band
# MAGIC (`efficiency` = 1 − unused capacity cost / cost; 0.0 = paid for and not used at all).

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily'))
# MAGIC SELECT round(least(floor(w.efficiency * 10), 9) / 10, 1)        AS efficiency_from,
# MAGIC        round(least(floor(w.efficiency * 10), 9) / 10 + 0.1, 1)  AS efficiency_to,
# MAGIC        count(*)                                                AS workloads,
# MAGIC        round(sum(w.gpu_hours), 1)                              AS gpu_hours,
# MAGIC        round(sum(w.cost), 2)                                   AS cost,
# MAGIC        round(sum(w.unused_capacity_cost), 2)                   AS unused_capacity_cost
# MAGIC FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC WHERE w.date = latest.d
# MAGIC   AND w.efficiency IS NOT NULL
# MAGIC GROUP BY 1, 2
# MAGIC ORDER BY efficiency_from

# COMMAND ----------

# MAGIC %md
# MAGIC ## The workloads behind the waste (end date, top 20 by idle cost)

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily'))
# MAGIC SELECT w.cluster, w.namespace, w.workload_kind, w.workload_name, w.workload_type, w.team,
# MAGIC        w.gpus, w.pods,
# MAGIC        round(w.gpu_hours, 1)                            AS gpu_hours,
# MAGIC        round(w.idle_gpu_hours, 1)                       AS idle_gpu_hours,
# MAGIC        round(w.efficiency, 3)                           AS efficiency,
# MAGIC        round(w.idle_cost, 2)                            AS idle_cost,
# MAGIC        round(w.longest_idle_streak_seconds / 3600, 1)   AS longest_idle_streak_hours,
# MAGIC        w.currency
# MAGIC FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC WHERE w.date = latest.d
# MAGIC ORDER BY w.idle_cost DESC, w.workload_name
# MAGIC LIMIT 20
