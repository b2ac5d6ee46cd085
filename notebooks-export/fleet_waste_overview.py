# Databricks notebook source
# MAGIC %md
# MAGIC # Fleet waste overview
# MAGIC
# MAGIC **Question: how much of our GPU spend is wasted, is it getting better, and where does it sit?**
# MAGIC
# MAGIC Waste = idle cost (a pod holds the GPU and does nothing) + unallocated cost (no pod holds it), per
# MAGIC `idle_ledger.cluster_daily`. Every cell runs as-is: it looks at the latest date in the lake and the
# MAGIC days before it, so there are no widgets to fill in. Money is in the billing currency (`currency`).

# COMMAND ----------

# MAGIC %md
# MAGIC ## Trend: GPU spend and waste per day (last 30 days)

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT date,
# MAGIC        currency,
# MAGIC        round(sum(gpu_cost), 2)                              AS gpu_cost,
# MAGIC        round(sum(idle_cost), 2)                             AS idle_cost,
# MAGIC        round(sum(unallocated_cost), 2)                      AS unallocated_cost,
# MAGIC        round(sum(waste_cost), 2)                            AS waste_cost,
# MAGIC        round(sum(waste_cost) / nullif(sum(gpu_cost), 0), 3) AS waste_share,
# MAGIC        round(sum(billed_gpu_hours), 1)                      AS billed_gpu_hours,
# MAGIC        round(sum(unallocated_gpu_hours), 1)                 AS unallocated_gpu_hours
# MAGIC FROM idle_ledger.cluster_daily
# MAGIC WHERE date > date_sub((SELECT max(date) FROM idle_ledger.cluster_daily), 30)
# MAGIC GROUP BY date, currency
# MAGIC ORDER BY date, currency

# COMMAND ----------

# MAGIC %md
# MAGIC ## Latest day, per cluster
# MAGIC `reconciliation_delta` must be 0: the allocated, unallocated and unobserved money add up to the GPU cost.

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT cluster,
# MAGIC        gpus,
# MAGIC        round(gpu_cost, 2)                            AS gpu_cost,
# MAGIC        round(allocated_cost, 2)                      AS allocated_cost,
# MAGIC        round(idle_cost, 2)                           AS idle_cost,
# MAGIC        round(unallocated_cost, 2)                    AS unallocated_cost,
# MAGIC        round(unobserved_cost, 2)                     AS unobserved_cost,
# MAGIC        round(waste_cost / nullif(gpu_cost, 0), 3)    AS waste_share,
# MAGIC        round(avg_activity, 3)                        AS avg_activity,
# MAGIC        reconciliation_delta,
# MAGIC        currency
# MAGIC FROM idle_ledger.cluster_daily
# MAGIC WHERE date = (SELECT max(date) FROM idle_ledger.cluster_daily)
# MAGIC ORDER BY waste_cost DESC, cluster

# COMMAND ----------

# MAGIC %md
# MAGIC ## Waste by workload type (last 7 days)
# MAGIC Idle cost belongs to a workload; unallocated cost belongs to nobody, so it is its own line.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT max(date) AS d FROM idle_ledger.cluster_daily),
# MAGIC by_type AS (
# MAGIC   SELECT coalesce(workload_type, 'other') AS workload_type,
# MAGIC          sum(gpu_hours)            AS gpu_hours,
# MAGIC          sum(cost)                 AS cost,
# MAGIC          sum(idle_cost)            AS waste_cost,
# MAGIC          sum(unused_capacity_cost) AS unused_capacity_cost,
# MAGIC          currency
# MAGIC   FROM idle_ledger.workload_daily, latest
# MAGIC   WHERE date > date_sub(latest.d, 7) AND date <= latest.d
# MAGIC   GROUP BY coalesce(workload_type, 'other'), currency
# MAGIC   UNION ALL
# MAGIC   SELECT '(unallocated)', sum(unallocated_gpu_hours), sum(unallocated_cost), sum(unallocated_cost), sum(unallocated_cost), currency
# MAGIC   FROM idle_ledger.cluster_daily, latest
# MAGIC   WHERE date > date_sub(latest.d, 7) AND date <= latest.d
# MAGIC   GROUP BY currency
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
# MAGIC ## Waste by team (last 7 days)

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT team,
# MAGIC        round(sum(gpu_hours), 1)                                         AS gpu_hours,
# MAGIC        round(sum(cost), 2)                                              AS cost,
# MAGIC        round(sum(idle_cost), 2)                                         AS idle_cost,
# MAGIC        round(sum(idle_cost) / nullif(sum(cost), 0), 3)                  AS idle_share,
# MAGIC        round(1 - sum(unused_capacity_cost) / nullif(sum(cost), 0), 3)   AS efficiency,
# MAGIC        currency
# MAGIC FROM idle_ledger.team_daily
# MAGIC WHERE date > date_sub((SELECT max(date) FROM idle_ledger.team_daily), 7)
# MAGIC GROUP BY team, currency
# MAGIC ORDER BY idle_cost DESC, team

# COMMAND ----------

# MAGIC %md
# MAGIC ## Efficiency distribution (latest day)
# MAGIC How many workloads, GPU-hours and how much money sit in each efficiency band
# MAGIC (`efficiency` = 1 − unused capacity cost / cost; 0.0 = paid for and not used at all).

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT round(least(floor(efficiency * 10), 9) / 10, 1)        AS efficiency_from,
# MAGIC        round(least(floor(efficiency * 10), 9) / 10 + 0.1, 1)  AS efficiency_to,
# MAGIC        count(*)                                              AS workloads,
# MAGIC        round(sum(gpu_hours), 1)                              AS gpu_hours,
# MAGIC        round(sum(cost), 2)                                   AS cost,
# MAGIC        round(sum(unused_capacity_cost), 2)                   AS unused_capacity_cost
# MAGIC FROM idle_ledger.workload_daily
# MAGIC WHERE date = (SELECT max(date) FROM idle_ledger.workload_daily)
# MAGIC   AND efficiency IS NOT NULL
# MAGIC GROUP BY 1, 2
# MAGIC ORDER BY efficiency_from

# COMMAND ----------

# MAGIC %md
# MAGIC ## The workloads behind the waste (latest day, top 20 by idle cost)

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT cluster, namespace, workload_kind, workload_name, workload_type, team,
# MAGIC        gpus, pods,
# MAGIC        round(gpu_hours, 1)                            AS gpu_hours,
# MAGIC        round(idle_gpu_hours, 1)                       AS idle_gpu_hours,
# MAGIC        round(efficiency, 3)                           AS efficiency,
# MAGIC        round(idle_cost, 2)                            AS idle_cost,
# MAGIC        round(longest_idle_streak_seconds / 3600, 1)   AS longest_idle_streak_hours,
# MAGIC        currency
# MAGIC FROM idle_ledger.workload_daily
# MAGIC WHERE date = (SELECT max(date) FROM idle_ledger.workload_daily)
# MAGIC ORDER BY idle_cost DESC, workload_name
# MAGIC LIMIT 20
