package dev.idleledger.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.config.ConfigLoader;
import dev.idleledger.config.InstanceCatalog;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** FleetSpec.fixFromDay culls the idle notebook from that day on, and changes nothing else. */
class PlantedFixTest {
  private static final LocalDate START = LocalDate.parse("2026-11-01");

  @Test
  void idleNotebookHoldsItsGpuOnlyInWorkingHoursFromTheFixDayOn() {
    FleetSpec spec = FleetSpec.defaults(START, 3).withFixFromDay(START.plusDays(1));
    FleetPlan plan = new FleetPlan(spec, InstanceCatalog.load(ConfigLoader.defaultsOnly()));
    FleetPlan.Pod before = bob(plan, START);
    assertEquals(plan.dayStartMs(START), before.startMs());
    assertEquals(plan.dayStartMs(START) + ActivityProfile.DAY_MS, before.endMs());
    LocalDate fixed = START.plusDays(2);
    FleetPlan.Pod after = bob(plan, fixed);
    assertEquals(plan.dayStartMs(fixed) + 9 * ActivityProfile.HOUR_MS, after.startMs());
    assertEquals(plan.dayStartMs(fixed) + 18 * ActivityProfile.HOUR_MS, after.endMs());
    FleetPlan unfixed =
        new FleetPlan(
            FleetSpec.defaults(START, 3), InstanceCatalog.load(ConfigLoader.defaultsOnly()));
    assertEquals(unfixed.pods(fixed).size(), plan.pods(fixed).size());
    assertEquals(plan.dayStartMs(fixed), bob(unfixed, fixed).startMs());
  }

  private static FleetPlan.Pod bob(FleetPlan plan, LocalDate day) {
    return plan.pods(day).stream()
        .filter(p -> p.workload().name().equals("nb-bob"))
        .findFirst()
        .orElseThrow();
  }
}
