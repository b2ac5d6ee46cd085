package dev.idleledger.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;

/**
 * AWS restating a day of a generated fleet's CUR in place, as a later delivery of the same month does: every
 * cost a line of that day carries (on-demand, reserved, Savings Plan) is multiplied by one factor, and nothing
 * else changes. Tests of the nights that must notice the restated day and recompute it use this.
 */
public final class BillRestatement {
  private static final List<String> COST_COLUMNS =
      List.of(
          "line_item_unblended_cost",
          "reservation_effective_cost",
          "savings_plan_savings_plan_effective_cost");

  private BillRestatement() {}

  /** Multiplies the cost of every line of {@code curFolder}'s CSV files whose usage starts on {@code day}. */
  public static void scaleDay(Path curFolder, LocalDate day, double factor) throws IOException {
    try (Stream<Path> files = Files.walk(curFolder)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".csv")).toList()) {
        List<String> lines = Files.readAllLines(f);
        List<String> header = List.of(lines.get(0).split(",", -1));
        int start = header.indexOf("line_item_usage_start_date");
        StringBuilder out = new StringBuilder(lines.get(0)).append('\n');
        for (String line : lines.subList(1, lines.size())) {
          String[] cells = line.split(",", -1);
          if (cells[start].startsWith(day.toString())) {
            for (String money : COST_COLUMNS) {
              int i = header.indexOf(money);
              if (i >= 0 && !cells[i].isEmpty()) {
                cells[i] = String.valueOf(Double.parseDouble(cells[i]) * factor);
              }
            }
          }
          out.append(String.join(",", cells)).append('\n');
        }
        Files.writeString(f, out.toString());
      }
    }
  }
}
