package dev.idleledger.model;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The money of a unit's seconds (COST_MODEL.md §2 "Rate", "Shared GPU"). */
class UnitSecondMoneyTest {
  @Test
  void eachHolderOfASharedGpuPaysItsShareAndNobodysSecondsAreTheUnitsWholeMoney() {
    List<Row> money =
        TestSpark.session()
            .sql(
                "SELECT * FROM VALUES "
                    + "(0.002D, 15D, array('p1')), (0.002D, 15D, array('p1', 'p2', 'p3')), (0.002D, 15D, CAST(array() AS ARRAY<STRING>)), (CAST(NULL AS DOUBLE), 15D, array('p1')) "
                    + "AS t(rate, seconds, holders)")
            .select(
                UnitSecondMoney.perHolder(col("rate"), col("seconds"), col("holders"))
                    .as("per_holder"),
                UnitSecondMoney.of(col("rate"), col("seconds")).as("unit"))
            .collectAsList();
    // One holder: 0.002 x 15 = 0.03. Three: 0.03 / 3 = 0.01 each. Nobody: the unit's 0.03. No rate:
    // 0.
    assertEquals(0.03, money.get(0).getDouble(0), 1e-15);
    assertEquals(0.01, money.get(1).getDouble(0), 1e-15);
    assertEquals(0.03, money.get(2).getDouble(0), 1e-15);
    assertEquals(0.0, money.get(3).getDouble(0), 0.0);
    assertEquals(
        0.03, money.get(1).getDouble(1), 1e-15, "the unit's money is the holders' together");
    assertEquals(0.0, money.get(3).getDouble(1), 0.0);
  }
}
