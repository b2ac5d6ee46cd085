# Databricks notebook source
# MAGIC %md
# MAGIC # Team chargeback / showback
# MAGIC
# MAGIC **Question: what did each team's GPU use cost this month, how much of it was idle, and what is left
# MAGIC that no team can be charged for?**
# MAGIC
# MAGIC Source: `idle_ledger.team_daily` (one row per day and team; the team comes from the pod label, the
# MAGIC namespace map, or `unassigned`). "This month" is the calendar month of the latest date in the lake, so
# MAGIC the cells run as-is. Unallocated and unobserved GPU time belongs to no team: it is the platform's line
# MAGIC (from `idle_ledger.cluster_daily`).

# COMMAND ----------

# MAGIC %md
# MAGIC ## Month to date, per team

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT max(date) AS d FROM idle_ledger.team_daily)
# MAGIC SELECT team,
# MAGIC        min(date)                                                        AS first_day,
# MAGIC        max(date)                                                        AS last_day,
# MAGIC        round(sum(gpu_hours), 1)                                         AS gpu_hours,
# MAGIC        round(sum(cost), 2)                                              AS cost,
# MAGIC        round(sum(cost) / nullif(sum(sum(cost)) OVER (PARTITION BY currency), 0), 3) AS share_of_team_cost,
# MAGIC        round(sum(idle_cost), 2)                                         AS idle_cost,
# MAGIC        round(sum(idle_cost) / nullif(sum(cost), 0), 3)                  AS idle_share,
# MAGIC        round(sum(unused_capacity_cost), 2)                              AS unused_capacity_cost,
# MAGIC        round(1 - sum(unused_capacity_cost) / nullif(sum(cost), 0), 3)   AS efficiency,
# MAGIC        currency
# MAGIC FROM idle_ledger.team_daily, latest
# MAGIC WHERE date >= trunc(latest.d, 'MM') AND date <= latest.d
# MAGIC GROUP BY team, currency
# MAGIC ORDER BY cost DESC, team

# COMMAND ----------

# MAGIC %md
# MAGIC ## The whole bill, month to date: teams plus the platform's unallocated and unobserved GPU time
# MAGIC The team lines plus the two platform lines add up to `gpu_cost` (the GPU share of the bill).

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT max(date) AS d FROM idle_ledger.cluster_daily),
# MAGIC lines AS (
# MAGIC   SELECT team AS charged_to, sum(cost) AS cost, currency
# MAGIC   FROM idle_ledger.team_daily, latest
# MAGIC   WHERE date >= trunc(latest.d, 'MM') AND date <= latest.d
# MAGIC   GROUP BY team, currency
# MAGIC   UNION ALL
# MAGIC   SELECT '(platform: unallocated GPUs)', sum(unallocated_cost), currency
# MAGIC   FROM idle_ledger.cluster_daily, latest
# MAGIC   WHERE date >= trunc(latest.d, 'MM') AND date <= latest.d
# MAGIC   GROUP BY currency
# MAGIC   UNION ALL
# MAGIC   SELECT '(platform: unobserved GPUs)', sum(unobserved_cost), currency
# MAGIC   FROM idle_ledger.cluster_daily, latest
# MAGIC   WHERE date >= trunc(latest.d, 'MM') AND date <= latest.d
# MAGIC   GROUP BY currency
# MAGIC )
# MAGIC SELECT charged_to,
# MAGIC        round(cost, 2)                                                          AS cost,
# MAGIC        round(cost / nullif(sum(cost) OVER (PARTITION BY currency), 0), 3)      AS share_of_gpu_cost,
# MAGIC        currency
# MAGIC FROM lines
# MAGIC ORDER BY cost DESC, charged_to

# COMMAND ----------

# MAGIC %md
# MAGIC ## Showback trend: cost and idle cost per team per day (last 30 days)

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT date, team,
# MAGIC        round(gpu_hours, 2)      AS gpu_hours,
# MAGIC        round(cost, 2)           AS cost,
# MAGIC        round(idle_cost, 2)      AS idle_cost,
# MAGIC        round(efficiency, 3)     AS efficiency,
# MAGIC        currency
# MAGIC FROM idle_ledger.team_daily
# MAGIC WHERE date > date_sub((SELECT max(date) FROM idle_ledger.team_daily), 30)
# MAGIC ORDER BY date, cost DESC, team

# COMMAND ----------

# MAGIC %md
# MAGIC ## What each team's bill is made of: its top workloads this month
# MAGIC The five workloads with the highest cost per team, for the conversation that follows a chargeback.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT max(date) AS d FROM idle_ledger.workload_daily),
# MAGIC per_workload AS (
# MAGIC   SELECT team, cluster, namespace, workload_kind, workload_name, workload_type, currency,
# MAGIC          sum(gpu_hours)            AS gpu_hours,
# MAGIC          sum(cost)                 AS cost,
# MAGIC          sum(idle_cost)            AS idle_cost,
# MAGIC          sum(unused_capacity_cost) AS unused_capacity_cost
# MAGIC   FROM idle_ledger.workload_daily, latest
# MAGIC   WHERE date >= trunc(latest.d, 'MM') AND date <= latest.d
# MAGIC   GROUP BY team, cluster, namespace, workload_kind, workload_name, workload_type, currency
# MAGIC ),
# MAGIC ranked AS (
# MAGIC   SELECT *, row_number() OVER (PARTITION BY team ORDER BY cost DESC, workload_name) AS rank_in_team
# MAGIC   FROM per_workload
# MAGIC )
# MAGIC SELECT team, rank_in_team, cluster, namespace, workload_kind, workload_name, workload_type,
# MAGIC        round(gpu_hours, 1)                                   AS gpu_hours,
# MAGIC        round(cost, 2)                                        AS cost,
# MAGIC        round(idle_cost, 2)                                   AS idle_cost,
# MAGIC        round(1 - unused_capacity_cost / nullif(cost, 0), 3)  AS efficiency,
# MAGIC        currency
# MAGIC FROM ranked
# MAGIC WHERE rank_in_team <= 5
# MAGIC ORDER BY team, rank_in_team
