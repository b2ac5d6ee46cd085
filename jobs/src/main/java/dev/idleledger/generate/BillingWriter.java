package dev.idleledger.generate;

import dev.idleledger.generate.FleetPlan.Node;
import dev.idleledger.model.Periods;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The fleet's bill, per instance-hour, as AWS CUR 2.0 rows and as the same money in FOCUS form, plus the
 * lines that are not GPU time (EBS, data transfer, tax, the reservation's recurring fee) and the
 * Savings Plan negation lines a naive sum would double count.
 */
final class BillingWriter {
  /** What one instance-hour costs in the cost model's terms (COST_MODEL.md §1). */
  record InstanceHourBill(
      String instanceId,
      long hourStartMs,
      double nodeCost,
      double listCost,
      double billedSeconds) {}

  static final List<String> CUR_COLUMNS =
      List.of(
          "bill_billing_period_start_date",
          "line_item_usage_account_id",
          "line_item_line_item_type",
          "line_item_usage_start_date",
          "line_item_usage_end_date",
          "line_item_product_code",
          "line_item_usage_type",
          "line_item_operation",
          "line_item_resource_id",
          "line_item_usage_amount",
          "line_item_unblended_cost",
          "line_item_currency_code",
          "pricing_public_on_demand_cost",
          "pricing_term",
          "product_instance_type",
          "product_region_code",
          "reservation_effective_cost",
          "savings_plan_savings_plan_effective_cost");
  static final List<String> FOCUS_COLUMNS =
      List.of(
          "BillingAccountId",
          "SubAccountId",
          "ProviderName",
          "ChargePeriodStart",
          "ChargePeriodEnd",
          "ChargeCategory",
          "ChargeDescription",
          "ServiceName",
          "ResourceId",
          "RegionId",
          "SkuId",
          "PricingCategory",
          "ConsumedQuantity",
          "ConsumedUnit",
          "ListCost",
          "BilledCost",
          "EffectiveCost",
          "BillingCurrency",
          "Tags",
          "x_UsageType");
  static final DateTimeFormatter ISO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final String PREFIX = "USE1-";

  private final FleetPlan plan;
  private final long seed;

  BillingWriter(FleetPlan plan) {
    this.plan = plan;
    this.seed = plan.spec().seed();
  }

  /** Every hour a node exists is billed, one usage hour each. */
  List<InstanceHourBill> bills() {
    List<InstanceHourBill> bills = new ArrayList<>();
    for (int d = 0; d < plan.spec().days(); d++) {
      LocalDate day = plan.spec().start().plusDays(d);
      for (Node node : plan.nodes()) {
        for (long h = plan.dayStartMs(day); h < plan.dayEndMs(day); h += ActivityProfile.HOUR_MS) {
          double od = node.type().onDemandHourly();
          bills.add(
              new InstanceHourBill(
                  node.instanceId(), h, amortized(node, h), od, Periods.SECONDS_PER_HOUR));
        }
      }
    }
    return bills;
  }

  private double amortized(Node node, long hourMs) {
    double od = node.type().onDemandHourly();
    return switch (node.billing()) {
      case ON_DEMAND -> od;
      case SAVINGS_PLAN -> Noise.round(od * 0.70, 4);
      case RESERVED -> Noise.round(od * 0.62, 4);
      case SPOT -> spotPrice(node, hourMs);
    };
  }

  private double spotPrice(Node node, long hourMs) {
    return Noise.round(
        node.type().onDemandHourly()
            * (0.30 + 0.10 * Noise.uniform(seed, Noise.stringKey(node.instanceId()), hourMs, 20)),
        4);
  }

  List<Path> write(Path billingRoot, List<InstanceHourBill> bills) throws IOException {
    Map<String, Node> byInstance = new LinkedHashMap<>();
    plan.nodes().forEach(n -> byInstance.put(n.instanceId(), n));
    Map<YearMonth, List<InstanceHourBill>> byPeriod = new TreeMap<>();
    for (InstanceHourBill b : bills) {
      byPeriod
          .computeIfAbsent(
              YearMonth.from(Instant.ofEpochMilli(b.hourStartMs()).atZone(ZoneOffset.UTC)),
              k -> new ArrayList<>())
          .add(b);
    }
    List<Path> files = new ArrayList<>();
    for (var period : byPeriod.entrySet()) {
      Path cur =
          billingRoot
              .resolve("cur")
              .resolve("BILLING_PERIOD=" + period.getKey())
              .resolve("cur-00001.csv");
      Path focus = billingRoot.resolve("focus").resolve("focus-" + period.getKey() + ".csv");
      Files.createDirectories(cur.getParent());
      Files.createDirectories(focus.getParent());
      try (CSVPrinter c = printer(cur, CUR_COLUMNS);
          CSVPrinter f = printer(focus, FOCUS_COLUMNS)) {
        String periodStart =
            ISO_SECONDS.format(period.getKey().atDay(1).atStartOfDay(ZoneOffset.UTC));
        long lastEnd = 0;
        for (InstanceHourBill b : period.getValue()) {
          Node node = byInstance.get(b.instanceId());
          writeInstanceHour(c, f, periodStart, node, b);
          lastEnd = Math.max(lastEnd, b.hourStartMs() + ActivityProfile.HOUR_MS);
          if (Math.floorMod(b.hourStartMs(), ActivityProfile.DAY_MS) == 0) {
            writeDataTransfer(c, f, periodStart, node, b.hourStartMs());
          }
        }
        long firstStart = period.getValue().get(0).hourStartMs();
        cur(
            c,
            periodStart,
            "Tax",
            firstStart,
            lastEnd,
            "AmazonEC2",
            "",
            "",
            "",
            0,
            42.17,
            0,
            "",
            "",
            null,
            null);
        focus(
            f, firstStart, lastEnd, "Tax", "Tax", "", "", "", null, "", 0, 42.17, 42.17, "{}", "");
      }
      files.add(cur);
      files.add(focus);
    }
    return files;
  }

  private void writeInstanceHour(
      CSVPrinter c, CSVPrinter f, String period, Node node, InstanceHourBill b) throws IOException {
    String type = node.type().instanceType();
    long from = b.hourStartMs();
    long to = from + ActivityProfile.HOUR_MS;
    double od = node.type().onDemandHourly();
    String box = PREFIX + "BoxUsage:" + type;
    String focusId =
        node.arnInFocus()
            ? "arn:aws:ec2:"
                + FleetPlan.REGION
                + ":"
                + FleetPlan.ACCOUNT
                + ":instance/"
                + node.instanceId()
            : node.instanceId();
    String tags =
        "{\"cluster\":\""
            + node.cluster()
            + "\",\"karpenter.sh/nodepool\":\"gpu-"
            + type.substring(0, 2)
            + "\"}";
    String sku = Noise.hex(seed, "sku/" + type + node.billing(), 16).toUpperCase();
    switch (node.billing()) {
      case ON_DEMAND -> {
        cur(
            c,
            period,
            "Usage",
            from,
            to,
            "AmazonEC2",
            box,
            "RunInstances",
            node.instanceId(),
            1.0,
            od,
            od,
            "OnDemand",
            type,
            null,
            null);
        focus(
            f,
            from,
            to,
            "Usage",
            "Standard",
            focusId,
            sku,
            box,
            1.0,
            "Hours",
            od,
            od,
            b.nodeCost(),
            tags,
            type);
      }
      case SPOT -> {
        String spot = PREFIX + "SpotUsage:" + type;
        cur(
            c,
            period,
            "Usage",
            from,
            to,
            "AmazonEC2",
            spot,
            "RunInstances:SV001",
            node.instanceId(),
            1.0,
            b.nodeCost(),
            od,
            "Spot",
            type,
            null,
            null);
        focus(
            f,
            from,
            to,
            "Usage",
            "Dynamic",
            focusId,
            sku,
            spot,
            1.0,
            "Hrs",
            od,
            b.nodeCost(),
            b.nodeCost(),
            tags,
            type);
      }
      case RESERVED -> {
        cur(
            c,
            period,
            "DiscountedUsage",
            from,
            to,
            "AmazonEC2",
            box,
            "RunInstances",
            node.instanceId(),
            1.0,
            0,
            od,
            "Reserved",
            type,
            b.nodeCost(),
            null);
        focus(
            f,
            from,
            to,
            "Usage",
            "Committed",
            focusId,
            sku,
            box,
            1.0,
            "Hours",
            od,
            0,
            b.nodeCost(),
            tags,
            type);
        // The reservation's recurring fee: commitment money, not GPU time (it is already inside the
        // effective cost).
        String ri =
            "arn:aws:ec2:"
                + FleetPlan.REGION
                + ":"
                + FleetPlan.ACCOUNT
                + ":reserved-instances/"
                + Noise.hex(seed, "ri/" + node.instanceId(), 8);
        double fee = Noise.round(od * 0.40, 4);
        cur(
            c,
            period,
            "RIFee",
            from,
            to,
            "AmazonEC2",
            PREFIX + "HeavyUsage:" + type,
            "RunInstances",
            ri,
            1.0,
            fee,
            0,
            "Reserved",
            type,
            null,
            null);
        focus(
            f,
            from,
            to,
            "Purchase",
            "Committed",
            ri,
            sku,
            PREFIX + "HeavyUsage:" + type,
            null,
            "",
            0,
            fee,
            0,
            "{}",
            type);
      }
      case SAVINGS_PLAN -> {
        cur(
            c,
            period,
            "SavingsPlanCoveredUsage",
            from,
            to,
            "AmazonEC2",
            box,
            "RunInstances",
            node.instanceId(),
            1.0,
            od,
            od,
            "OnDemand",
            type,
            null,
            b.nodeCost());
        // The negation cancels the on-demand unblended cost of the covered line; summing unblended
        // costs naively would count it twice.
        cur(
            c,
            period,
            "SavingsPlanNegation",
            from,
            to,
            "AmazonEC2",
            box,
            "RunInstances",
            node.instanceId(),
            1.0,
            -od,
            0,
            "OnDemand",
            type,
            null,
            null);
        focus(
            f,
            from,
            to,
            "Usage",
            "Committed",
            focusId,
            sku,
            box,
            1.0,
            "Hours",
            od,
            0,
            b.nodeCost(),
            tags,
            type);
      }
    }
    String volume = "vol-0" + Noise.hex(seed, "vol/" + node.instanceId(), 16);
    double gbHours = Noise.round(500.0 / Periods.HOURS_PER_MONTH, 6);
    double ebs = Noise.round(gbHours * 0.08, 6);
    cur(
        c,
        period,
        "Usage",
        from,
        to,
        "AmazonEC2",
        PREFIX + "EBS:VolumeUsage.gp3",
        "CreateVolume-Gp3",
        volume,
        gbHours,
        ebs,
        ebs,
        "OnDemand",
        "",
        null,
        null);
    focus(
        f,
        from,
        to,
        "Usage",
        "Standard",
        volume,
        "EBSGP3",
        PREFIX + "EBS:VolumeUsage.gp3",
        gbHours,
        "GB-Mo",
        ebs,
        ebs,
        ebs,
        tags,
        "");
  }

  /** A day of egress, billed against the instance id itself: it names the instance but is not instance time. */
  private void writeDataTransfer(
      CSVPrinter c, CSVPrinter f, String period, Node node, long dayStart) throws IOException {
    long end = dayStart + ActivityProfile.DAY_MS;
    double gb =
        Noise.round(
            5 + 20 * Noise.uniform(seed, Noise.stringKey(node.instanceId()), dayStart, 21), 3);
    double cost = Noise.round(gb * 0.09, 6);
    String usage = PREFIX + "DataTransfer-Out-Bytes";
    cur(
        c,
        period,
        "Usage",
        dayStart,
        end,
        "AmazonEC2",
        usage,
        "RunInstances",
        node.instanceId(),
        gb,
        cost,
        cost,
        "OnDemand",
        "",
        null,
        null);
    focus(
        f,
        dayStart,
        end,
        "Usage",
        "Standard",
        node.instanceId(),
        "DTOUT",
        usage,
        gb,
        "GB",
        cost,
        cost,
        cost,
        "{}",
        "");
  }

  private static void cur(
      CSVPrinter p,
      String period,
      String lineType,
      long from,
      long to,
      String product,
      String usageType,
      String operation,
      String resource,
      double amount,
      double unblended,
      double publicOnDemand,
      String term,
      String instanceType,
      Double reservationEffective,
      Double savingsPlanEffective)
      throws IOException {
    p.printRecord(
        period,
        FleetPlan.ACCOUNT,
        lineType,
        ISO_SECONDS.format(Instant.ofEpochMilli(from)),
        ISO_SECONDS.format(Instant.ofEpochMilli(to)),
        product,
        usageType,
        operation,
        resource,
        num(amount),
        num(unblended),
        "USD",
        num(publicOnDemand),
        term,
        instanceType,
        FleetPlan.REGION,
        reservationEffective == null ? "" : num(reservationEffective),
        savingsPlanEffective == null ? "" : num(savingsPlanEffective));
  }

  private static void focus(
      CSVPrinter p,
      long from,
      long to,
      String category,
      String pricing,
      String resource,
      String sku,
      String usageType,
      Double quantity,
      String unit,
      double list,
      double billed,
      double effective,
      String tags,
      String description)
      throws IOException {
    p.printRecord(
        FleetPlan.ACCOUNT,
        FleetPlan.ACCOUNT,
        "AWS",
        ISO_SECONDS.format(Instant.ofEpochMilli(from)),
        ISO_SECONDS.format(Instant.ofEpochMilli(to)),
        category,
        description,
        "Amazon Elastic Compute Cloud",
        resource,
        FleetPlan.REGION,
        sku,
        pricing,
        quantity == null ? "" : num(quantity),
        unit,
        num(list),
        num(billed),
        num(effective),
        "USD",
        tags,
        usageType);
  }

  static String num(double v) {
    return Double.toString(v);
  }

  private static CSVPrinter printer(Path file, List<String> columns) throws IOException {
    Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    return new CSVPrinter(
        w,
        CSVFormat.RFC4180
            .builder()
            .setRecordSeparator('\n')
            .setHeader(columns.toArray(String[]::new))
            .get());
  }
}
