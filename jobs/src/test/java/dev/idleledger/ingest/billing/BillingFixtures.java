package dev.idleledger.ingest.billing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Tiny billing rows for tests: a CUR line item or FOCUS charge is a map of column → text, defaults overridden per test. */
final class BillingFixtures {
  private BillingFixtures() {}

  static final String INSTANCE = "i-0a1b2c3d4e5f60718";

  /** An on-demand p4d.24xlarge hour, 2026-11-01T10:00Z, the instance of COST_MODEL §4. */
  static Map<String, String> curUsage(String... overrides) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CurLineItems.START, "2026-11-01T10:00:00Z");
    m.put(CurLineItems.END, "2026-11-01T11:00:00Z");
    m.put(CurLineItems.ACCOUNT, "123456789012");
    m.put(CurLineItems.TYPE, "Usage");
    m.put(CurLineItems.PRODUCT, "AmazonEC2");
    m.put(CurLineItems.USAGE_TYPE, "USE1-BoxUsage:p4d.24xlarge");
    m.put(CurLineItems.OPERATION, "RunInstances");
    m.put(CurLineItems.RESOURCE_ID, INSTANCE);
    m.put(CurLineItems.USAGE_AMOUNT, "1.0");
    m.put(CurLineItems.UNBLENDED, "32.7726");
    m.put(CurLineItems.CURRENCY, "USD");
    m.put(CurLineItems.PUBLIC_ON_DEMAND, "32.7726");
    m.put(CurLineItems.PRICING_TERM, "OnDemand");
    m.put(CurLineItems.INSTANCE_TYPE, "p4d.24xlarge");
    m.put(CurLineItems.REGION, "us-east-1");
    m.put(CurLineItems.RI_EFFECTIVE, "");
    m.put(CurLineItems.SP_EFFECTIVE, "");
    return apply(m, overrides);
  }

  /** The same hour as a FOCUS 1.x charge with an ARN ResourceId. */
  static Map<String, String> focusUsage(String... overrides) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(FocusCharges.START, "2026-11-01T10:00:00Z");
    m.put(FocusCharges.END, "2026-11-01T11:00:00Z");
    m.put(FocusCharges.CATEGORY, "Usage");
    m.put(FocusCharges.RESOURCE_ID, "arn:aws:ec2:us-east-1:123456789012:instance/" + INSTANCE);
    m.put(FocusCharges.EFFECTIVE_COST, "32.7726");
    m.put(FocusCharges.BILLED_COST, "32.7726");
    m.put(FocusCharges.LIST_COST, "32.7726");
    m.put(FocusCharges.CONSUMED_QUANTITY, "1.0");
    m.put(FocusCharges.CONSUMED_UNIT, "Hours");
    m.put(FocusCharges.PRICING_CATEGORY, "Standard");
    m.put(FocusCharges.CURRENCY, "USD");
    m.put(FocusCharges.PROVIDER, "AWS");
    m.put(FocusCharges.SUB_ACCOUNT, "123456789012");
    m.put(FocusCharges.REGION, "us-east-1");
    m.put(FocusCharges.USAGE_TYPE, "USE1-BoxUsage:p4d.24xlarge");
    return apply(m, overrides);
  }

  private static Map<String, String> apply(Map<String, String> m, String... overrides) {
    for (int i = 0; i < overrides.length; i += 2) {
      if (overrides[i + 1] == null) {
        m.remove(overrides[i]);
      } else {
        m.put(overrides[i], overrides[i + 1]);
      }
    }
    return m;
  }

  /** A frame of string columns (the union of the rows' keys, in first-seen order); a key a row lacks is null; line = position. */
  @SafeVarargs
  static Dataset<Row> frame(SparkSession spark, Map<String, String>... rows) {
    Set<String> columns = new LinkedHashSet<>();
    for (Map<String, String> r : rows) {
      columns.addAll(r.keySet());
    }
    StructType schema = new StructType();
    for (String c : columns) {
      schema = schema.add(c, DataTypes.StringType);
    }
    schema =
        schema
            .add(BillingCharges.FILE, DataTypes.StringType)
            .add(BillingCharges.LINE, DataTypes.LongType);
    List<Row> out = new ArrayList<>();
    long line = 2;
    for (Map<String, String> r : rows) {
      List<Object> values = new ArrayList<>();
      for (String c : columns) {
        values.add(r.get(c));
      }
      values.add("mem");
      values.add(line++);
      out.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(out, schema);
  }

  /** The rows as a CSV file body: header of the union of keys, RFC 4180 quoting where needed. */
  @SafeVarargs
  static String csv(Map<String, String>... rows) {
    Set<String> columns = new LinkedHashSet<>();
    for (Map<String, String> r : rows) {
      columns.addAll(r.keySet());
    }
    StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
    for (Map<String, String> r : rows) {
      sb.append(
              columns.stream()
                  .map(c -> quote(r.getOrDefault(c, "")))
                  .collect(Collectors.joining(",")))
          .append('\n');
    }
    return sb.toString();
  }

  private static String quote(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
