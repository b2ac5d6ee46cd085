# Databricks notebook source
# MAGIC %md
# MAGIC # Workload drill-down
# MAGIC
# MAGIC **Question: what is one workload doing with its GPUs, hour by hour, and when does it sit idle?**
# MAGIC
# MAGIC The widgets choose the database, the workload (`cluster/namespace/workload_kind/workload_name`, as the
# MAGIC `subject` of `recommendation_savings`; empty: the workload with the highest idle cost on the end date),
# MAGIC the target date (To; empty: the latest date — for a named workload, the last date up to To it ran) and
# MAGIC the start of the daily history (From; empty: 14 days up to the target date). Every cell reads them as
# MAGIC parameters.
# MAGIC
# MAGIC Sources: `workload_daily` (one row per workload and day) and `gpu_hourly` (one row per hour, GPU unit and
# MAGIC holding pod).

# COMMAND ----------

dbutils.widgets.text("database", "idle_ledger", "Database")
dbutils.widgets.text("workload", "", "Workload: cluster/namespace/kind/name (empty: top idle cost)")
dbutils.widgets.text("start_date", "", "From (YYYY-MM-DD; empty: 14 days up to the target date)")
dbutils.widgets.text("end_date", "", "To (YYYY-MM-DD; empty: the latest date)")

# COMMAND ----------

# MAGIC %md
# MAGIC ## The workload and its daily history

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC target AS (
# MAGIC   SELECT w.date, w.cluster, w.namespace, w.workload_kind, w.workload_name
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC   WHERE w.date <= latest.d
# MAGIC     AND (trim(:workload) = '' AND w.date = latest.d
# MAGIC          OR concat_ws('/', w.cluster, w.namespace, w.workload_kind, w.workload_name) = trim(:workload))
# MAGIC   ORDER BY w.date DESC, w.idle_cost DESC, w.workload_name
# MAGIC   LIMIT 1
# MAGIC )
# MAGIC SELECT w.date, w.cluster, w.namespace, w.workload_kind, w.workload_name, w.workload_type, w.team,
# MAGIC        w.pods, w.gpus,
# MAGIC        round(w.gpu_hours, 2)                          AS gpu_hours,
# MAGIC        round(w.active_gpu_hours, 2)                   AS active_gpu_hours,
# MAGIC        round(w.idle_gpu_hours, 2)                     AS idle_gpu_hours,
# MAGIC        round(w.idle_memory_held_gpu_hours, 2)         AS idle_memory_held_gpu_hours,
# MAGIC        round(w.avg_activity, 3)                       AS avg_activity,
# MAGIC        round(w.p95_activity, 3)                       AS p95_activity,
# MAGIC        w.max_fb_used_mib,
# MAGIC        round(w.cost, 2)                               AS cost,
# MAGIC        round(w.idle_cost, 2)                          AS idle_cost,
# MAGIC        round(w.efficiency, 3)                         AS efficiency,
# MAGIC        round(w.longest_idle_streak_seconds / 3600, 2) AS longest_idle_streak_hours,
# MAGIC        w.currency
# MAGIC FROM IDENTIFIER(:database || '.workload_daily') w
# MAGIC JOIN target t
# MAGIC   ON w.cluster = t.cluster AND w.namespace = t.namespace
# MAGIC  AND w.workload_kind = t.workload_kind AND w.workload_name = t.workload_name
# MAGIC WHERE w.date >= coalesce(CAST(nullif(trim(:start_date), '') AS DATE), date_sub(t.date, 13)) AND w.date <= t.date
# MAGIC ORDER BY w.date

# COMMAND ----------

# MAGIC %md
# MAGIC ## Its open recommendations, and what they save together
# MAGIC Each one's own figure, and what it still saves after the larger ones on this workload (overlaps counted
# MAGIC once): the last column adds up.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC target AS (
# MAGIC   SELECT concat_ws('/', w.cluster, w.namespace, w.workload_kind, w.workload_name) AS subject
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC   WHERE w.date <= latest.d
# MAGIC     AND (trim(:workload) = '' AND w.date = latest.d
# MAGIC          OR concat_ws('/', w.cluster, w.namespace, w.workload_kind, w.workload_name) = trim(:workload))
# MAGIC   ORDER BY w.date DESC, w.idle_cost DESC, w.workload_name
# MAGIC   LIMIT 1
# MAGIC )
# MAGIC SELECT r.combined_savings_rank, r.kind, r.status, r.confidence,
# MAGIC        round(r.monthly_savings, 2)             AS own_monthly_savings,
# MAGIC        r.overlaps_with,
# MAGIC        round(r.remaining_monthly_savings, 2)   AS remaining_monthly_savings,
# MAGIC        r.action, r.ticket_url, r.ticket_error, r.currency
# MAGIC FROM IDENTIFIER(:database || '.recommendation_savings') r
# MAGIC JOIN target t ON r.subject = t.subject
# MAGIC ORDER BY r.combined_savings_rank

# COMMAND ----------

# MAGIC %md
# MAGIC ## Hourly pattern on the target date
# MAGIC Seconds per state summed over the workload's GPU units; `active_share` near 0 for hours on end is the
# MAGIC idle pattern a right-sizing or scale-to-zero fixes.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC target AS (
# MAGIC   SELECT w.date, w.cluster, w.namespace, w.workload_kind, w.workload_name
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC   WHERE w.date <= latest.d
# MAGIC     AND (trim(:workload) = '' AND w.date = latest.d
# MAGIC          OR concat_ws('/', w.cluster, w.namespace, w.workload_kind, w.workload_name) = trim(:workload))
# MAGIC   ORDER BY w.date DESC, w.idle_cost DESC, w.workload_name
# MAGIC   LIMIT 1
# MAGIC )
# MAGIC SELECT h.hour,
# MAGIC        count(DISTINCT h.gpu_uuid, h.mig_instance_id)   AS gpu_units,
# MAGIC        count(DISTINCT h.pod)                           AS pods,
# MAGIC        sum(h.state_seconds_active)                     AS active_seconds,
# MAGIC        sum(h.state_seconds_idle)                       AS idle_seconds,
# MAGIC        sum(h.state_seconds_idle_memory_held)           AS idle_memory_held_seconds,
# MAGIC        round(sum(h.state_seconds_active) / nullif(sum(h.state_seconds_active + h.state_seconds_idle), 0), 3) AS active_share,
# MAGIC        round(max(h.max_activity), 3)                   AS max_activity,
# MAGIC        max(h.max_fb_used_mib)                          AS max_fb_used_mib,
# MAGIC        round(sum(h.cost), 4)                           AS cost,
# MAGIC        round(sum(h.idle_cost), 4)                      AS idle_cost
# MAGIC FROM IDENTIFIER(:database || '.gpu_hourly') h
# MAGIC JOIN target t
# MAGIC   ON h.date = t.date AND h.cluster = t.cluster AND h.namespace = t.namespace
# MAGIC  AND h.workload_kind = t.workload_kind AND h.workload_name = t.workload_name
# MAGIC GROUP BY h.hour
# MAGIC ORDER BY h.hour

# COMMAND ----------

# MAGIC %md
# MAGIC ## Idle streaks on the target date
# MAGIC Runs of consecutive hours in which a pod held a GPU unit and never used it (no active second), longest
# MAGIC first. `workload_daily.longest_idle_streak_seconds` measures the same thing at second resolution.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC target AS (
# MAGIC   SELECT w.date, w.cluster, w.namespace, w.workload_kind, w.workload_name
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC   WHERE w.date <= latest.d
# MAGIC     AND (trim(:workload) = '' AND w.date = latest.d
# MAGIC          OR concat_ws('/', w.cluster, w.namespace, w.workload_kind, w.workload_name) = trim(:workload))
# MAGIC   ORDER BY w.date DESC, w.idle_cost DESC, w.workload_name
# MAGIC   LIMIT 1
# MAGIC ),
# MAGIC idle_hours AS (
# MAGIC   SELECT h.pod, h.node, h.gpu_uuid, h.mig_instance_id, h.hour, h.idle_cost,
# MAGIC          -- consecutive hours share (hour number - position in the run): the gaps-and-islands key
# MAGIC          CAST(unix_timestamp(h.hour) / 3600 AS BIGINT)
# MAGIC            - row_number() OVER (PARTITION BY h.pod, h.gpu_uuid, h.mig_instance_id ORDER BY h.hour) AS streak_key
# MAGIC   FROM IDENTIFIER(:database || '.gpu_hourly') h
# MAGIC   JOIN target t
# MAGIC     ON h.date = t.date AND h.cluster = t.cluster AND h.namespace = t.namespace
# MAGIC    AND h.workload_kind = t.workload_kind AND h.workload_name = t.workload_name
# MAGIC   WHERE h.state_seconds_active = 0 AND h.state_seconds_idle > 0
# MAGIC )
# MAGIC SELECT pod, node, gpu_uuid, mig_instance_id,
# MAGIC        min(hour)                                   AS streak_start,
# MAGIC        max(hour) + INTERVAL 1 HOUR                 AS streak_end,
# MAGIC        count(*)                                    AS idle_hours,
# MAGIC        round(sum(idle_cost), 4)                    AS idle_cost
# MAGIC FROM idle_hours
# MAGIC GROUP BY pod, node, gpu_uuid, mig_instance_id, streak_key
# MAGIC ORDER BY idle_hours DESC, idle_cost DESC, pod
# MAGIC LIMIT 50

# COMMAND ----------

# MAGIC %md
# MAGIC ## Memory-held time on the target date
# MAGIC Idle seconds during which the GPU's framebuffer stayed in use (a model loaded and waiting): the GPU
# MAGIC cannot be shared or reclaimed without stopping the pod.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC target AS (
# MAGIC   SELECT w.date, w.cluster, w.namespace, w.workload_kind, w.workload_name
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC   WHERE w.date <= latest.d
# MAGIC     AND (trim(:workload) = '' AND w.date = latest.d
# MAGIC          OR concat_ws('/', w.cluster, w.namespace, w.workload_kind, w.workload_name) = trim(:workload))
# MAGIC   ORDER BY w.date DESC, w.idle_cost DESC, w.workload_name
# MAGIC   LIMIT 1
# MAGIC )
# MAGIC SELECT h.pod, h.gpu_uuid, h.mig_instance_id,
# MAGIC        round(sum(h.state_seconds_idle_memory_held) / 3600, 2)  AS idle_memory_held_hours,
# MAGIC        round(sum(h.state_seconds_idle) / 3600, 2)              AS idle_hours,
# MAGIC        round(sum(h.state_seconds_idle_memory_held) / nullif(sum(h.state_seconds_idle), 0), 3) AS memory_held_share_of_idle,
# MAGIC        max(h.max_fb_used_mib)                                  AS max_fb_used_mib,
# MAGIC        round(sum(h.idle_memory_held_cost), 4)                  AS idle_memory_held_cost,
# MAGIC        min(h.currency)                                         AS currency
# MAGIC FROM IDENTIFIER(:database || '.gpu_hourly') h
# MAGIC JOIN target t
# MAGIC   ON h.date = t.date AND h.cluster = t.cluster AND h.namespace = t.namespace
# MAGIC  AND h.workload_kind = t.workload_kind AND h.workload_name = t.workload_name
# MAGIC GROUP BY h.pod, h.gpu_uuid, h.mig_instance_id
# MAGIC ORDER BY idle_memory_held_hours DESC, h.pod

# COMMAND ----------

# MAGIC %md
# MAGIC ## GPUs and pods on the target date
# MAGIC Which pod held which GPU unit, on which node and instance, for how long, and how hard it worked.

# COMMAND ----------

# MAGIC %sql
# MAGIC WITH latest AS (SELECT coalesce(CAST(nullif(trim(:end_date), '') AS DATE), max(date)) AS d FROM IDENTIFIER(:database || '.workload_daily')),
# MAGIC target AS (
# MAGIC   SELECT w.date, w.cluster, w.namespace, w.workload_kind, w.workload_name
# MAGIC   FROM IDENTIFIER(:database || '.workload_daily') w, latest
# MAGIC   WHERE w.date <= latest.d
# MAGIC     AND (trim(:workload) = '' AND w.date = latest.d
# MAGIC          OR concat_ws('/', w.cluster, w.namespace, w.workload_kind, w.workload_name) = trim(:workload))
# MAGIC   ORDER BY w.date DESC, w.idle_cost DESC, w.workload_name
# MAGIC   LIMIT 1
# MAGIC )
# MAGIC SELECT h.pod, h.node, h.instance_id, h.instance_type, h.gpu_model, h.gpu_uuid,
# MAGIC        coalesce(h.mig_profile, 'whole GPU')   AS unit,
# MAGIC        h.mig_instance_id,
# MAGIC        min(h.hour)                                                      AS first_hour,
# MAGIC        max(h.hour)                                                      AS last_hour,
# MAGIC        round(sum(h.state_seconds_active + h.state_seconds_idle) / 3600, 2) AS held_hours,
# MAGIC        round(sum(h.avg_activity * (h.state_seconds_active + h.state_seconds_idle))
# MAGIC              / nullif(sum(h.state_seconds_active + h.state_seconds_idle), 0), 3) AS avg_activity,
# MAGIC        round(sum(h.cost), 4)                                            AS cost,
# MAGIC        round(sum(h.idle_cost), 4)                                       AS idle_cost,
# MAGIC        min(h.price_source)                                              AS price_source,
# MAGIC        min(h.currency)                                                  AS currency
# MAGIC FROM IDENTIFIER(:database || '.gpu_hourly') h
# MAGIC JOIN target t
# MAGIC   ON h.date = t.date AND h.cluster = t.cluster AND h.namespace = t.namespace
# MAGIC  AND h.workload_kind = t.workload_kind AND h.workload_name = t.workload_name
# MAGIC GROUP BY h.pod, h.node, h.instance_id, h.instance_type, h.gpu_model, h.gpu_uuid, h.mig_profile, h.mig_instance_id
# MAGIC ORDER BY h.pod, h.gpu_uuid, h.mig_instance_id
