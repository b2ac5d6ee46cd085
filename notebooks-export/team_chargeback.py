# Databricks notebook source
# MAGIC %md
# MAGIC # Team chargeback / showback
# MAGIC
# MAGIC **Question: what did each team's GPU use cost over a period, how much of it was idle, and what is left
# MAGIC that no team can be charged for?**
# MAGIC
# MAGIC Source: `team_daily` (one row per day and team; the team comes from the pod label, the namespace map, or
# MAGIC `unassigned`). The widgets choose the database, the period (default: the calendar month of the latest
# MAGIC date, to that date) and, to look at one team, the team (default: all); every cell reads them as
# MAGIC parameters. Unallocated and unobserved GPU time belongs to no team: it is the platform's line (from
# MAGIC `cluster_daily`), unless the job shares it (`attribution.share_unallocated = cluster`): then
# MAGIC `shared_waste_cost` is each team's share of the clusters it used, by allocated cost, and
# MAGIC `cost_with_shared_waste` = cost + that share (with sharing off they are 0 and the cost).

# COMMAND ----------

dbutils.widgets.text("database", "idle_ledger", "Database")
dbutils.widgets.text("start_date", "", "From (YYYY-MM-DD; empty: first of To's month)")
dbutils.widgets.text("end_date", "", "To (YYYY-MM-DD; empty: the latest date)")
dbutils.widgets.text("team", "", "Team (empty: all teams)")

# COMMAND ----------

# MAGIC %md
# MAGIC ## The period, per team

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.team_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT t.team,
# MAGIC        min(t.date)                                                          AS first_day,
# MAGIC        max(t.date)                                                          AS last_day,
# MAGIC        round(sum(t.gpu_hours), 1)                                           AS gpu_hours,
# MAGIC        round(sum(t.cost), 2)                                                AS cost,
# MAGIC        round(sum(t.cost) / nullif(sum(sum(t.cost)) OVER (PARTITION BY t.currency), 0), 3) AS share_of_team_cost,
# MAGIC        round(sum(t.idle_cost), 2)                                           AS idle_cost,
# MAGIC        round(sum(t.idle_cost) / nullif(sum(t.cost), 0), 3)                  AS idle_share,
# MAGIC        round(sum(t.unused_capacity_cost), 2)                                AS unused_capacity_cost,
# MAGIC        round(1 - sum(t.unused_capacity_cost) / nullif(sum(t.cost), 0), 3)   AS efficiency,
# MAGIC        round(sum(t.shared_waste_cost), 2)                                   AS shared_waste_cost,
# MAGIC        round(sum(t.cost_with_shared_waste), 2)                              AS cost_with_shared_waste,
# MAGIC        t.currency
# MAGIC FROM IDENTIFIER(:database || '.team_daily') t, range
# MAGIC WHERE t.date BETWEEN range.first_day AND range.last_day
# MAGIC GROUP BY t.team, t.currency
# MAGIC ORDER BY cost DESC, t.team

# COMMAND ----------

# MAGIC %md
# MAGIC ## The whole bill for the period: teams plus the platform's unallocated and unobserved GPU time
# MAGIC The team lines plus the two platform lines add up to `gpu_cost` (the GPU share of the bill).

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.cluster_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest),
# MAGIC lines AS (
# MAGIC   SELECT t.team AS charged_to, sum(t.cost) AS cost, t.currency
# MAGIC   FROM IDENTIFIER(:database || '.team_daily') t, range
# MAGIC   WHERE t.date BETWEEN range.first_day AND range.last_day
# MAGIC   GROUP BY t.team, t.currency
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
# MAGIC        round(cost, 2)                                                          AS cost,
# MAGIC        round(cost / nullif(sum(cost) OVER (PARTITION BY currency), 0), 3)      AS share_of_gpu_cost,
# MAGIC        currency
# MAGIC FROM lines
# MAGIC ORDER BY cost DESC, charged_to

# COMMAND ----------

# MAGIC %md
# MAGIC ## Showback trend: cost and idle cost per team per day

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.team_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest)
# MAGIC SELECT t.date, t.team,
# MAGIC        round(t.gpu_hours, 2)      AS gpu_hours,
# MAGIC        round(t.cost, 2)           AS cost,
# MAGIC        round(t.idle_cost, 2)      AS idle_cost,
# MAGIC        round(t.efficiency, 3)     AS efficiency,
# MAGIC        t.currency
# MAGIC FROM IDENTIFIER(:database || '.team_daily') t, range
# MAGIC WHERE t.date BETWEEN range.first_day AND range.last_day
# MAGIC   AND (trim(:team) = '' OR t.team = trim(:team))
# MAGIC ORDER BY t.date, cost DESC, t.team

# COMMAND ----------

# MAGIC %md
# MAGIC ## What each team's bill is made of: its top workloads in the period
# MAGIC The five workloads with the highest cost per team (or of the chosen team), for the conversation that
# MAGIC follows a chargeback.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC range AS (SELECT coalesce(CAST(nullif(trim(:start_date), '') AS DATE), trunc(d, 'MM')) AS first_day, d AS last_day FROM latest),
# MAGIC per_workload AS (
# MAGIC   SELECT w.team, w.cluster, w.namespace, w.workload_kind, w.workload_name, w.workload_type, w.currency,
# MAGIC          sum(w.gpu_hours)            AS gpu_hours,
# MAGIC          sum(w.cost)                 AS cost,
# MAGIC          sum(w.idle_cost)            AS idle_cost,
# MAGIC          sum(w.unused_capacity_cost) AS unused_capacity_cost
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, range
# MAGIC   WHERE w.date BETWEEN range.first_day AND range.last_day
# MAGIC     AND (trim(:team) = '' OR w.team = trim(:team))
# MAGIC   GROUP BY w.team, w.cluster, w.namespace, w.workload_kind, w.workload_name, w.workload_type, w.currency
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

# COMMAND ----------

# MAGIC %md
# MAGIC ## What each team could save: open recommendations, overlaps counted once
# MAGIC As of the latest night. `monthly_savings_together` sums `remaining_monthly_savings` of
# MAGIC `recommendation_savings`: where a workload has several recommendations (cull an idle notebook and move it
# MAGIC to a MIG slice), each counts only what it saves after the larger ones. Nodes and commitments are the
# MAGIC platform's (no team).

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT coalesce(team, '(platform)')               AS team,
# MAGIC        count(*)                                   AS recommendations,
# MAGIC        count(overlaps_with)                       AS overlapping_another,
# MAGIC        round(sum(monthly_savings), 2)             AS own_monthly_savings,
# MAGIC        round(sum(remaining_monthly_savings), 2)   AS monthly_savings_together,
# MAGIC        currency
# MAGIC FROM IDENTIFIER(:database || '.recommendation_savings')
# MAGIC WHERE trim(:team) = '' OR team = trim(:team)
# MAGIC GROUP BY team, currency
# MAGIC ORDER BY monthly_savings_together DESC, team
