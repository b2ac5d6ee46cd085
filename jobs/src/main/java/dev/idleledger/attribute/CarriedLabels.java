package dev.idleledger.attribute;

import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.map_filter;

import dev.idleledger.config.ChargebackLabels;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/** The {@code labels} column of gpu_hourly and workload_daily: the configured pod labels only, keyed as configured. */
final class CarriedLabels {
  private CarriedLabels() {}

  /**
   * @param podLabels pod_info's labels (kube-state-metrics names without {@code label_})
   * @return a map of each configured key the pod has to its value; a key the pod lacks has no entry (not a null value),
   *     so {@code labels['cost-center'] IS NULL} and {@code map_keys(labels)} both say "not labelled"
   */
  static Column of(ChargebackLabels labels, Column podLabels) {
    if (labels.keys().isEmpty()) {
      return map().cast("map<string,string>");
    }
    List<Column> entries = new ArrayList<>();
    for (String key : labels.keys()) {
      entries.add(lit(key));
      entries.add(element_at(podLabels, lit(labels.exportedName(key))));
    }
    return map_filter(
            map(entries.toArray(Column[]::new)), (k, v) -> v.isNotNull().and(v.notEqual("")))
        .cast("map<string,string>");
  }
}
