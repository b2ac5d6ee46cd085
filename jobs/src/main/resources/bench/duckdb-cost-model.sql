-- The cost model of COST_MODEL.md, written a second time as plain DuckDB SQL over the same raw files the nightly
-- Spark job reads, for one UTC date. The benchmark runs it next to Spark and compares the money: two independent
-- implementations that agree to 1e-6 are unlikely to share a bug, and DuckDB's time is the yardstick for Spark's.
--
-- Placeholders, filled in by DuckDbCostModel before the statements run (all values are quoted or numeric literals):
--   ${telemetry_files} ${kube_files} ${cur_files}   lists of file paths, e.g. ['/a.parquet', '/b.parquet']
--   ${instance_catalog}                            conf/instance-catalog.csv
--   ${day_start_ms} ${day_end_ms}                  the date as [start, end) in epoch milliseconds (UTC)
--   ${max_sample_gap_seconds} ${activity_threshold} ${memory_held_threshold}   from the configuration
--
-- What it covers, exactly as the Spark job does: Parquet telemetry and kube state with MAP labels (both Hostname
-- spellings, the old exporters' pod_name/pod_namespace/container_name), next-day stragglers (the caller passes
-- dt=D and dt=D+1 files, rows are kept by timestamp), duplicate samples, the per-second hold time with the
-- max-gap rule and the per-unit median interval, split at hour boundaries and cut at midnight, GR_ENGINE_ACTIVE with the GPU_UTIL fallback, memory-held idle,
-- time-slicing (each holder gets 1/|P|), MIG instances and the 'unconfigured' slices unit, GPUs billed but never
-- seen (unobserved), CUR 2.0 Usage / DiscountedUsage / SavingsPlanCoveredUsage amortization with rows spread over
-- the hours they span, and the owner chain Pod -> ReplicaSet/Job -> top controller.
--
-- What it does not cover (the bench's generated fleets never need it, and the bench checks the config):
--   * cost.gpu_share other than 'whole-node' (share = 1.0 is written in below);
--   * FOCUS exports: the generated fleet bills the same instance-hours through CUR and FOCUS and the default
--     billing.prefer = cur keeps the CUR hours, so FOCUS adds nothing here;
--   * CSV and Prometheus-text archives, top-level STRING label columns, Parquet timestamps stored as INT64;
--   * hour=HH/ sub-folders, catalog prices for hours without a bill (every generated hour is billed);
--   * quarantine beyond what changes money (missing UUID, negative FB or power are dropped, as Spark drops them).
-- The median interval is exact here (quantile_disc) and approximate in Spark (percentile_approx); they are the
-- same value whenever one interval dominates a unit's day, as it does for any real scrape.
--
-- Whole-line comments are dropped before the script is split; a statement ends with a semicolon at the end of a line.

-- 1. Telemetry of the day, one row per raw sample, with the labels the cost model reads taken out of the map.
-- The holder is kept as one string (namespace, pod, container, pod_uid joined by the unit separator, char 31):
-- collecting distinct strings per sample is much cheaper than collecting distinct structs.
CREATE OR REPLACE TEMP TABLE tel AS
SELECT
  epoch_ms(timestamp) AS ts_ms,
  metric,
  value,
  nullif(labels['cluster'], '') AS cluster,
  coalesce(nullif(labels['Hostname'], ''), nullif(labels['hostname'], '')) AS node,
  nullif(labels['UUID'], '') AS gpu_uuid,
  nullif(labels['modelName'], '') AS gpu_model,
  nullif(labels['GPU_I_PROFILE'], '') AS mig_profile,
  nullif(labels['GPU_I_ID'], '') AS mig_instance_id,
  CASE WHEN coalesce(nullif(labels['pod'], ''), nullif(labels['pod_name'], '')) IS NOT NULL THEN
    coalesce(nullif(labels['namespace'], ''), nullif(labels['pod_namespace'], ''), '') || chr(31)
    || coalesce(nullif(labels['pod'], ''), nullif(labels['pod_name'], '')) || chr(31)
    || coalesce(nullif(labels['container'], ''), nullif(labels['container_name'], ''), '') || chr(31)
    || coalesce(nullif(labels['pod_uid'], ''), '') END AS holder
FROM read_parquet(${telemetry_files}, hive_partitioning = false)
WHERE epoch_ms(timestamp) >= ${day_start_ms} AND epoch_ms(timestamp) < ${day_end_ms}
  AND metric IN ('DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE',
                 'DCGM_FI_DEV_POWER_USAGE');

-- 2. Usable samples of GPU units (a view: read twice below, never stored). A GPU is MIG-enabled when any of its
-- series carries GPU_I_ID; its series without MIG labels describe the parent GPU and are not a unit. Rows without
-- UUID, or with negative FB or power, are the ones the Spark ingest quarantines.
CREATE OR REPLACE TEMP TABLE mig_gpus AS SELECT DISTINCT gpu_uuid FROM tel WHERE mig_instance_id IS NOT NULL;

CREATE OR REPLACE TEMP VIEW usable AS
SELECT t.*,
  CASE WHEN t.mig_instance_id IS NULL THEN t.gpu_uuid ELSE t.gpu_uuid || '/' || t.mig_instance_id END AS unit_id
FROM tel t
WHERE t.gpu_uuid IS NOT NULL
  AND NOT coalesce(t.metric IN ('DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_POWER_USAGE') AND t.value < 0, false)
  AND NOT (t.mig_instance_id IS NULL AND t.gpu_uuid IN (SELECT gpu_uuid FROM mig_gpus));

-- 3. One row per (unit, timestamp): metrics pivoted by maximum (duplicates and the per-pod series of a shared GPU
-- collapse the same way) and the set of distinct holders.
CREATE OR REPLACE TEMP TABLE unit_samples AS
SELECT
  unit_id,
  ts_ms,
  max(value) FILTER (WHERE metric = 'DCGM_FI_PROF_GR_ENGINE_ACTIVE') AS gr_engine_active,
  max(value) FILTER (WHERE metric = 'DCGM_FI_DEV_GPU_UTIL') AS gpu_util,
  max(value) FILTER (WHERE metric = 'DCGM_FI_DEV_FB_USED') AS fb_used_mib,
  max(value) FILTER (WHERE metric = 'DCGM_FI_DEV_FB_FREE') AS fb_free_mib,
  list(DISTINCT holder) FILTER (WHERE holder IS NOT NULL) AS holders
FROM usable
GROUP BY unit_id, ts_ms;

CREATE OR REPLACE TEMP TABLE unit_facts AS
SELECT unit_id, max(cluster) AS cluster, max(node) AS node, max(gpu_uuid) AS gpu_uuid,
  max(gpu_model) AS gpu_model, max(mig_profile) AS mig_profile, max(mig_instance_id) AS mig_instance_id
FROM usable
GROUP BY unit_id;

-- The instance catalog: GPUs, memory and on-demand price per shape, and compute slices per GPU model (7 for A100/H100).
CREATE OR REPLACE TEMP TABLE catalog AS
SELECT instance_type, CAST(gpus AS BIGINT) AS cat_gpus, CAST(gpu_memory_mib AS DOUBLE) AS cat_gpu_memory_mib,
  CAST(on_demand_hourly AS DOUBLE) AS cat_on_demand_hourly, gpu_model, CAST(mig_slices AS INTEGER) AS mig_slices
FROM read_csv(${instance_catalog}, header = true, all_varchar = true);

CREATE OR REPLACE TEMP TABLE model_slices AS
SELECT gpu_model, max(mig_slices) AS model_slices FROM catalog WHERE mig_slices > 0 GROUP BY gpu_model;

-- 4. Hold time (COST_MODEL.md §2): until the unit's next sample when that is within the gap limit, else the unit's
-- median spacing that day (also for its last sample; a lone sample gets the limit); cut at 24:00, since the next
-- date owns its seconds.
CREATE OR REPLACE TEMP TABLE held AS
WITH gaps AS (
  SELECT s.*, (lead(ts_ms) OVER (PARTITION BY unit_id ORDER BY ts_ms) - ts_ms) / 1000.0 AS gap
  FROM unit_samples s
), medians AS (
  SELECT unit_id, quantile_disc(gap, 0.5) AS median_gap FROM gaps GROUP BY unit_id
)
SELECT g.unit_id, g.ts_ms, g.gr_engine_active, g.gpu_util, g.fb_used_mib, g.fb_free_mib, g.holders,
  least(CASE WHEN g.gap <= ${max_sample_gap_seconds} THEN g.gap
             ELSE coalesce(m.median_gap, CAST(${max_sample_gap_seconds} AS DOUBLE)) END,
        (${day_end_ms} - g.ts_ms) / 1000.0) AS hold_seconds,
  f.cluster, f.node, f.gpu_uuid, f.gpu_model, f.mig_profile, f.mig_instance_id,
  CASE WHEN f.mig_profile IS NULL THEN 1.0
       ELSE CAST(regexp_extract(f.mig_profile, '^(\d+)g', 1) AS DOUBLE) / coalesce(ms.model_slices, 7) END AS slice_share
FROM gaps g
JOIN medians m USING (unit_id)
JOIN unit_facts f USING (unit_id)
LEFT JOIN model_slices ms ON ms.gpu_model = f.gpu_model;

-- 5. Kube state of the day: nodes (instance id, type, GPU capacity) and pods' direct owners.
CREATE OR REPLACE TEMP TABLE kube AS
SELECT epoch_ms(timestamp) AS ts_ms, metric, value, labels, nullif(labels['cluster'], '') AS cluster
FROM read_parquet(${kube_files}, hive_partitioning = false)
WHERE epoch_ms(timestamp) >= ${day_start_ms} AND epoch_ms(timestamp) < ${day_end_ms}
  AND metric IN ('kube_node_info', 'kube_node_labels', 'kube_node_status_capacity', 'kube_pod_owner',
                 'kube_replicaset_owner', 'kube_job_owner');

CREATE OR REPLACE TEMP TABLE nodes AS
SELECT cluster, node,
  -- aws:///us-east-1a/i-0123 -> i-0123: the id is the last path segment whatever the provider prefix.
  nullif(regexp_extract(arg_max(provider_id, ts_ms) FILTER (WHERE provider_id IS NOT NULL), '([^/]+)/*$', 1), '') AS instance_id,
  arg_max(instance_type, ts_ms) FILTER (WHERE instance_type IS NOT NULL) AS instance_type,
  CAST(arg_max(value, ts_ms) FILTER (WHERE metric = 'kube_node_status_capacity' AND resource = 'nvidia_com_gpu') AS BIGINT) AS gpu_capacity
FROM (
  SELECT cluster, ts_ms, metric, value, nullif(labels['node'], '') AS node, nullif(labels['resource'], '') AS resource,
    CASE WHEN metric = 'kube_node_info' THEN nullif(labels['provider_id'], '') END AS provider_id,
    CASE WHEN metric = 'kube_node_labels' THEN coalesce(nullif(labels['label_node_kubernetes_io_instance_type'], ''),
                                                        nullif(labels['label_beta_kubernetes_io_instance_type'], '')) END AS instance_type
  FROM kube WHERE metric IN ('kube_node_info', 'kube_node_labels', 'kube_node_status_capacity')
)
WHERE node IS NOT NULL
GROUP BY cluster, node;

-- Top controller of each pod. kube-state-metrics publishes the owners of ReplicaSets and Jobs only, and their
-- owners (Deployment, CronJob) have none published, so one hop from the direct owner reaches the top.
-- kube-state-metrics writes '<none>' for an object without owner; such a pod is its own workload ('Pod').
CREATE OR REPLACE TEMP TABLE pod_workloads AS
WITH direct AS (
  SELECT cluster, namespace, pod, kind, name,
    row_number() OVER (PARTITION BY cluster, namespace, pod ORDER BY controller DESC, kind DESC, name DESC) AS pick
  FROM (
    SELECT DISTINCT cluster, nullif(labels['namespace'], '') AS namespace, nullif(labels['pod'], '') AS pod,
      nullif(labels['owner_kind'], '') AS kind, nullif(labels['owner_name'], '') AS name,
      coalesce(nullif(labels['owner_is_controller'], ''), 'true') = 'true' AS controller
    FROM kube WHERE metric = 'kube_pod_owner'
  )
  WHERE pod IS NOT NULL AND kind IS NOT NULL AND kind <> '<none>' AND name IS NOT NULL AND name <> '<none>'
), chain AS (
  SELECT DISTINCT cluster, nullif(labels['namespace'], '') AS namespace,
    CASE WHEN metric = 'kube_replicaset_owner' THEN 'ReplicaSet' ELSE 'Job' END AS kind,
    coalesce(nullif(labels['replicaset'], ''), nullif(labels['job_name'], '')) AS name,
    nullif(labels['owner_kind'], '') AS owner_kind, nullif(labels['owner_name'], '') AS owner_name
  FROM kube WHERE metric IN ('kube_replicaset_owner', 'kube_job_owner')
)
SELECT d.cluster, d.namespace, d.pod,
  CASE WHEN c.owner_kind IS NOT NULL AND c.owner_kind <> '<none>' AND c.owner_name IS NOT NULL AND c.owner_name <> '<none>'
       THEN c.owner_kind ELSE d.kind END AS workload_kind,
  CASE WHEN c.owner_kind IS NOT NULL AND c.owner_kind <> '<none>' AND c.owner_name IS NOT NULL AND c.owner_name <> '<none>'
       THEN c.owner_name ELSE d.name END AS workload_name
FROM direct d
LEFT JOIN chain c ON c.cluster IS NOT DISTINCT FROM d.cluster AND c.namespace = d.namespace AND c.kind = d.kind AND c.name = d.name
WHERE d.pick = 1;

-- 6. CUR 2.0 instance-hours (COST_MODEL.md §1): instance running time only, amortized by line item type, each row
-- spread evenly over the hours it spans; billed_seconds = min(3600, usage hours x 3600).
CREATE OR REPLACE TEMP TABLE cur_rows AS
SELECT
  regexp_extract(regexp_replace(trim(line_item_resource_id), '/+$', ''), '([^/:]+)$', 1) AS instance_id,
  coalesce(nullif(trim(product_instance_type), ''),
           nullif(regexp_extract(trim(line_item_usage_type), ':([a-z0-9][a-z0-9-]*\.[a-z0-9-]+)$', 1), '')) AS instance_type,
  CAST(trim(line_item_usage_start_date) AS TIMESTAMP) AS usage_start,
  CAST(trim(line_item_usage_end_date) AS TIMESTAMP) AS usage_end,
  CAST(CASE trim(line_item_line_item_type)
         WHEN 'DiscountedUsage' THEN nullif(trim(reservation_effective_cost), '')
         WHEN 'SavingsPlanCoveredUsage' THEN nullif(trim(savings_plan_savings_plan_effective_cost), '')
         ELSE nullif(trim(line_item_unblended_cost), '') END AS DOUBLE) AS amortized_cost,
  CAST(nullif(trim(line_item_usage_amount), '') AS DOUBLE) AS usage_hours
FROM read_csv(${cur_files}, header = true, all_varchar = true, hive_partitioning = false)
WHERE trim(line_item_product_code) = 'AmazonEC2'
  AND regexp_matches(trim(line_item_usage_type), '(BoxUsage|SpotUsage|DedicatedUsage|HostUsage)')
  AND trim(line_item_line_item_type) IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage');

CREATE OR REPLACE TEMP TABLE billed_hours AS
WITH spans AS (
  SELECT *,
    epoch_ms(date_trunc('hour', usage_start)) AS first_hour_ms,
    -- the end is exclusive: a row 02:00-03:00 touches only hour 02:00
    epoch_ms(date_trunc('hour', usage_end - INTERVAL 1 MICROSECOND)) AS last_hour_ms
  FROM cur_rows
  WHERE usage_end > usage_start AND instance_id <> '' AND amortized_cost IS NOT NULL AND usage_hours IS NOT NULL
), slices AS (
  SELECT instance_id, instance_type, hour_ms,
    amortized_cost / ((last_hour_ms - first_hour_ms) / 3600000 + 1) AS node_cost,
    usage_hours / ((last_hour_ms - first_hour_ms) / 3600000 + 1) AS usage_hours
  FROM spans, unnest(range(greatest(first_hour_ms, ${day_start_ms}),
                           least(last_hour_ms, ${day_end_ms} - 3600000) + 1, 3600000)) AS h(hour_ms)
)
SELECT instance_id, hour_ms, max(instance_type) AS bill_instance_type, sum(node_cost) AS node_cost,
  least(3600.0, sum(usage_hours) * 3600.0) AS billed_seconds
FROM slices
GROUP BY instance_id, hour_ms;

-- 7. Observed time per sample and hour: MIG instances and whole GPUs as sampled, plus the 'unconfigured' slices of a
-- MIG GPU, observed (and unallocated) whenever any of its instances is, for as long as the longest-holding instance
-- sample. A hold counts in every hour it covers: one row per (sample, hour) with the hold's seconds in that hour.
CREATE OR REPLACE TEMP TABLE observed AS
WITH free_share AS (
  SELECT cluster, gpu_uuid, 1.0 - sum(instance_share) AS free_share
  FROM (SELECT cluster, gpu_uuid, mig_instance_id, max(slice_share) AS instance_share
        FROM held WHERE mig_profile IS NOT NULL GROUP BY ALL)
  GROUP BY ALL HAVING 1.0 - sum(instance_share) > 1e-9
), unconfigured AS (
  SELECT h.cluster, h.node, h.gpu_uuid, h.gpu_uuid || '/unconfigured' AS unit_id, h.gpu_model, h.ts_ms, max(h.hold_seconds) AS hold_seconds,
    max(f.free_share) AS slice_share
  FROM held h JOIN free_share f ON f.cluster IS NOT DISTINCT FROM h.cluster AND f.gpu_uuid = h.gpu_uuid
  WHERE h.mig_profile IS NOT NULL
  GROUP BY h.cluster, h.node, h.gpu_uuid, h.gpu_model, h.ts_ms
), samples AS (
  SELECT h.cluster, h.node, h.gpu_uuid, h.unit_id, h.gpu_model, h.mig_profile, h.ts_ms, h.hold_seconds, h.slice_share, h.holders,
    -- activity: GR_ENGINE_ACTIVE where reported, else GPU_UTIL / 100, clipped to [0, 1] (0 when neither is there,
    -- as Spark's greatest() skips the null)
    least(1.0, greatest(0.0, coalesce(h.gr_engine_active, h.gpu_util / 100.0, 0.0))) AS activity,
    CASE WHEN coalesce(h.fb_used_mib + h.fb_free_mib, c.cat_gpu_memory_mib * h.slice_share) > 0
         THEN h.fb_used_mib / coalesce(h.fb_used_mib + h.fb_free_mib, c.cat_gpu_memory_mib * h.slice_share) END AS mem_fraction
  FROM held h
  LEFT JOIN nodes n ON n.cluster IS NOT DISTINCT FROM h.cluster AND n.node = h.node
  LEFT JOIN catalog c ON c.instance_type = n.instance_type
  UNION ALL BY NAME
  SELECT cluster, node, gpu_uuid, unit_id, gpu_model, 'unconfigured' AS mig_profile, ts_ms, hold_seconds, slice_share, NULL AS holders,
    CAST(NULL AS DOUBLE) AS activity, CAST(NULL AS DOUBLE) AS mem_fraction
  FROM unconfigured
)
SELECT s.cluster, s.node, s.gpu_uuid, s.unit_id, s.gpu_model, s.mig_profile, s.ts_ms, s.slice_share, s.holders, s.activity, s.mem_fraction,
  p.hour_ms,
  (least(s.ts_ms + s.hold_seconds * 1000.0, p.hour_ms + 3600000) - greatest(s.ts_ms, p.hour_ms)) / 1000.0 AS hold_seconds
FROM samples s,
  unnest(range(s.ts_ms // 3600000 * 3600000, CAST(ceil(s.ts_ms + s.hold_seconds * 1000.0) AS BIGINT), 3600000)) AS p(hour_ms);

-- 8. GPU instances of the day and what one GPU costs per billed hour: gpu_cost = node_cost x share / gpus, with
-- share = 1.0 (whole-node policy) and gpus from the catalog, else capacity + MIG GPUs seen, or GPUs seen if more.
-- The units seen include the 'unconfigured' ones (they get a rate); GPUs seen do not count them twice.
CREATE OR REPLACE TEMP TABLE seen_units AS
SELECT cluster, node, gpu_uuid, unit_id, max(gpu_model) AS gpu_model, max(mig_profile) AS mig_profile,
  max(slice_share) AS slice_share
FROM observed GROUP BY cluster, node, gpu_uuid, unit_id;

CREATE OR REPLACE TEMP TABLE gpu_instances AS
WITH seen_per_node AS (
  SELECT cluster, node, count(DISTINCT gpu_uuid) AS gpus_seen,
    count(DISTINCT gpu_uuid) FILTER (WHERE mig_profile IS NOT NULL) AS mig_gpus_seen
  FROM seen_units WHERE mig_profile IS DISTINCT FROM 'unconfigured' GROUP BY cluster, node
), billed_instances AS (
  SELECT instance_id, max(bill_instance_type) AS bill_instance_type FROM billed_hours GROUP BY instance_id
), known AS (
  SELECT coalesce(n.cluster, 'unattributed') AS cluster, n.node, coalesce(n.instance_id, b.instance_id) AS instance_id,
    coalesce(n.instance_type, b.bill_instance_type) AS instance_type, n.gpu_capacity,
    coalesce(s.gpus_seen, 0) AS gpus_seen, coalesce(s.mig_gpus_seen, 0) AS mig_gpus_seen
  FROM nodes n
  LEFT JOIN seen_per_node s ON s.cluster IS NOT DISTINCT FROM n.cluster AND s.node = n.node
  FULL OUTER JOIN billed_instances b ON b.instance_id = n.instance_id
)
SELECT k.*, c.cat_gpus, c.cat_on_demand_hourly,
  coalesce(c.cat_gpus, greatest(coalesce(k.gpu_capacity, 0) + k.mig_gpus_seen, k.gpus_seen)) AS gpus
FROM known k LEFT JOIN catalog c ON c.instance_type = k.instance_type
WHERE coalesce(c.cat_gpus, greatest(coalesce(k.gpu_capacity, 0) + k.mig_gpus_seen, k.gpus_seen)) > 0;

CREATE OR REPLACE TEMP TABLE gpu_hours AS
SELECT b.instance_id, b.hour_ms, i.cluster, b.node_cost * 1.0 AS gpu_cost_total,
  b.node_cost * 1.0 / i.gpus AS gpu_cost_per_gpu, b.billed_seconds
FROM billed_hours b JOIN gpu_instances i ON i.instance_id = b.instance_id;

-- 9. The rate of each unit-hour: r = gpu_cost x slice_share / max(billed_seconds, observed_seconds), and the
-- unobserved seconds max(0, billed - observed). Units billed but never seen (a GPU without telemetry all day) are
-- added per instance so their money lands as unobserved.
CREATE OR REPLACE TEMP TABLE unit_hours AS
WITH units AS (
  SELECT s.cluster, s.node, s.unit_id, s.slice_share, i.instance_id
  FROM seen_units s LEFT JOIN gpu_instances i ON i.cluster = s.cluster AND i.node = s.node
  UNION ALL
  SELECT i.cluster, i.node, i.instance_id || '/unseen-' || CAST(k AS VARCHAR), 1.0, i.instance_id
  FROM gpu_instances i, unnest(range(1, i.gpus - i.gpus_seen + 1)) AS t(k)
  WHERE i.gpus > i.gpus_seen
), observed_hours AS (
  SELECT cluster, unit_id, hour_ms, sum(hold_seconds) AS observed_seconds
  FROM observed GROUP BY ALL
), billed_unit_hours AS (
  SELECT u.cluster, u.unit_id, g.hour_ms, g.gpu_cost_per_gpu, g.billed_seconds
  FROM units u JOIN gpu_hours g ON g.instance_id = u.instance_id
)
SELECT coalesce(b.cluster, o.cluster) AS cluster, coalesce(b.unit_id, o.unit_id) AS unit_id, coalesce(b.hour_ms, o.hour_ms) AS hour_ms,
  u.slice_share, b.billed_seconds, coalesce(o.observed_seconds, 0.0) AS observed_seconds,
  CASE WHEN b.billed_seconds IS NULL THEN
         -- no bill: the catalog's on-demand price per GPU-second (whole-node share), else nothing
         coalesce(c.cat_on_demand_hourly / c.cat_gpus / 3600.0 * u.slice_share, 0.0)
       WHEN greatest(b.billed_seconds, coalesce(o.observed_seconds, 0.0)) > 0
         THEN b.gpu_cost_per_gpu * u.slice_share / greatest(b.billed_seconds, coalesce(o.observed_seconds, 0.0))
       ELSE 0.0 END AS rate,
  CASE WHEN b.billed_seconds IS NULL THEN 0.0 ELSE greatest(0.0, b.billed_seconds - coalesce(o.observed_seconds, 0.0)) END AS unobserved_seconds
FROM billed_unit_hours b
FULL OUTER JOIN observed_hours o ON o.cluster = b.cluster AND o.unit_id = b.unit_id AND o.hour_ms = b.hour_ms
LEFT JOIN units u ON u.cluster = coalesce(b.cluster, o.cluster) AND u.unit_id = coalesce(b.unit_id, o.unit_id)
LEFT JOIN gpu_instances i ON i.instance_id = u.instance_id
LEFT JOIN catalog c ON c.instance_type = i.instance_type;

-- 10. Money per (sample, holder), with the state of the second: UNALLOCATED without holders, ACTIVE at or above
-- the activity threshold, else IDLE, memory-held when the framebuffer share reaches its threshold.
-- Summed per (unit, state, holder set) before the holders are unnested: the per-holder share 1/|P| is already in
-- the money, so the sums split the same way and the unnest runs on a few thousand rows instead of every sample.
CREATE OR REPLACE TEMP TABLE money AS
WITH priced AS (
  SELECT o.cluster, o.unit_id, o.holders, o.activity,
    coalesce(u.rate, 0.0) * o.hold_seconds / greatest(coalesce(len(o.holders), 0), 1) AS money,
    CASE WHEN coalesce(len(o.holders), 0) = 0 THEN 'UNALLOCATED'
         WHEN coalesce(o.activity, 0.0) >= ${activity_threshold} THEN 'ACTIVE'
         WHEN coalesce(o.mem_fraction, 0.0) >= ${memory_held_threshold} THEN 'IDLE_MEMORY_HELD'
         ELSE 'IDLE' END AS state
  FROM observed o
  LEFT JOIN unit_hours u ON u.cluster = o.cluster AND u.unit_id = o.unit_id AND u.hour_ms = o.hour_ms
), summed AS (
  SELECT cluster, unit_id, state, holders, sum(money) AS money, sum(money * (1.0 - coalesce(activity, 0.0))) AS unused_money
  FROM priced GROUP BY ALL
)
SELECT cluster, unit_id, state, money, unused_money, NULL AS namespace, NULL AS pod FROM summed WHERE state = 'UNALLOCATED'
UNION ALL
SELECT s.cluster, s.unit_id, s.state, s.money, s.unused_money,
  nullif(split_part(h.holder, chr(31), 1), '') AS namespace, split_part(h.holder, chr(31), 2) AS pod
FROM summed s, unnest(s.holders) AS h(holder)
WHERE s.state <> 'UNALLOCATED';

-- 11. Results: per workload (a pod kube state never showed is its own workload), and per cluster.
CREATE OR REPLACE TEMP TABLE workload_result AS
SELECT m.cluster, m.namespace, coalesce(w.workload_kind, 'Pod') AS workload_kind, coalesce(w.workload_name, m.pod) AS workload_name,
  sum(m.money) AS cost,
  coalesce(sum(m.money) FILTER (WHERE m.state IN ('IDLE', 'IDLE_MEMORY_HELD')), 0.0) AS idle_cost,
  coalesce(sum(m.money) FILTER (WHERE m.state = 'IDLE_MEMORY_HELD'), 0.0) AS idle_memory_held_cost,
  sum(m.unused_money) AS unused_capacity_cost
FROM money m
LEFT JOIN (SELECT cluster, namespace, pod, max(workload_kind) AS workload_kind, max(workload_name) AS workload_name
           FROM pod_workloads GROUP BY ALL) w
  ON w.cluster IS NOT DISTINCT FROM m.cluster AND w.namespace IS NOT DISTINCT FROM m.namespace AND w.pod = m.pod
WHERE m.pod IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE cluster_result AS
WITH from_samples AS (
  SELECT cluster,
    coalesce(sum(money) FILTER (WHERE state <> 'UNALLOCATED'), 0.0) AS allocated_cost,
    coalesce(sum(money) FILTER (WHERE state IN ('IDLE', 'IDLE_MEMORY_HELD')), 0.0) AS idle_cost,
    coalesce(sum(money) FILTER (WHERE state = 'UNALLOCATED'), 0.0) AS unallocated_cost,
    coalesce(sum(unused_money) FILTER (WHERE state <> 'UNALLOCATED'), 0.0) AS unused_capacity_cost
  FROM money GROUP BY cluster
), unobserved AS (
  SELECT cluster, sum(rate * unobserved_seconds) AS unobserved_cost FROM unit_hours GROUP BY cluster
), billed AS (
  SELECT cluster, sum(gpu_cost_total) AS gpu_cost FROM gpu_hours GROUP BY cluster
)
SELECT coalesce(s.cluster, u.cluster, b.cluster) AS cluster, coalesce(b.gpu_cost, 0.0) AS gpu_cost,
  coalesce(s.allocated_cost, 0.0) AS allocated_cost, coalesce(s.idle_cost, 0.0) AS idle_cost,
  coalesce(s.unallocated_cost, 0.0) AS unallocated_cost, coalesce(u.unobserved_cost, 0.0) AS unobserved_cost,
  coalesce(s.unused_capacity_cost, 0.0) AS unused_capacity_cost
FROM from_samples s
FULL OUTER JOIN unobserved u ON u.cluster = s.cluster
FULL OUTER JOIN billed b ON b.cluster = coalesce(s.cluster, u.cluster);
