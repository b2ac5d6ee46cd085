package dev.idleledger.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuerySettingsTest {
  private static final long MIB = 1024L * 1024L;
  private final SparkSession spark = TestSpark.session();

  @AfterEach
  void asTheSessionCame() {
    spark.conf().set(QuerySettings.WHOLE_STAGE, "true");
    spark.conf().set(QuerySettings.EXPRESSIONS, QuerySettings.EXPRESSIONS_COMPILED);
    spark.conf().unset(QuerySettings.ADAPTIVE);
    spark.conf().set(QuerySettings.SHUFFLE_PARTITIONS, "2");
    spark.conf().unset(QuerySettings.FILE_STATISTICS);
    spark.conf().unset(QuerySettings.STATISTICS_SKIPPING);
  }

  @Test
  void aDateBelowTheThresholdRunsInterpretedAndOneAtOrAboveItCompiles() {
    LedgerConfig config = TestSpark.config("spark.codegen_min_input_mib=8");
    assertFalse(QuerySettings.forInput(spark, config, 8 * MIB - 1));
    assertEquals("false", spark.conf().get(QuerySettings.WHOLE_STAGE));
    assertEquals(
        QuerySettings.EXPRESSIONS_INTERPRETED, spark.conf().get(QuerySettings.EXPRESSIONS));
    assertTrue(QuerySettings.forInput(spark, config, 8 * MIB));
    assertEquals("true", spark.conf().get(QuerySettings.WHOLE_STAGE));
    assertEquals(QuerySettings.EXPRESSIONS_COMPILED, spark.conf().get(QuerySettings.EXPRESSIONS));
    // An empty date (no file at all) reads nothing: interpreted.
    assertFalse(QuerySettings.forInput(spark, config, 0));
  }

  @Test
  void aSmallDateRunsWithoutAdaptiveExecutionInOneShufflePartitionAndALargeOneWithBoth() {
    LedgerConfig config =
        TestSpark.config("spark.codegen_min_input_mib=8", "spark.shuffle_partitions=64");
    QuerySettings.forInput(spark, config, 8 * MIB - 1);
    assertEquals("false", spark.conf().get(QuerySettings.ADAPTIVE));
    assertEquals("1", spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS));
    QuerySettings.forInput(spark, config, 8 * MIB);
    assertEquals("true", spark.conf().get(QuerySettings.ADAPTIVE));
    assertEquals("64", spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS));
  }

  @Test
  void aSmallDateWritesAndReadsWithoutDeltaFileStatisticsAndALargeOneWithThem() {
    LedgerConfig config = TestSpark.config("spark.codegen_min_input_mib=8");
    QuerySettings.forInput(spark, config, 8 * MIB - 1);
    assertEquals("false", spark.conf().get(QuerySettings.FILE_STATISTICS));
    assertEquals("false", spark.conf().get(QuerySettings.STATISTICS_SKIPPING));
    QuerySettings.forInput(spark, config, 8 * MIB);
    assertEquals("true", spark.conf().get(QuerySettings.FILE_STATISTICS));
    assertEquals("true", spark.conf().get(QuerySettings.STATISTICS_SKIPPING));
  }

  @Test
  void anExplicitStatisticsSettingIsLeftAsTheOperatorSetItAndTheOtherFollowsTheInput() {
    spark.conf().set(QuerySettings.FILE_STATISTICS, "true");
    LedgerConfig config =
        TestSpark.config(
            "spark.codegen_min_input_mib=8",
            "spark.settings.\"spark.databricks.delta.stats.collect\"=true");
    QuerySettings.forInput(spark, config, 0);
    assertEquals("true", spark.conf().get(QuerySettings.FILE_STATISTICS));
    assertEquals("false", spark.conf().get(QuerySettings.STATISTICS_SKIPPING));
  }

  @Test
  void anExplicitAdaptiveOrPartitionSettingKeepsBothAsTheOperatorSetThem() {
    spark.conf().set(QuerySettings.SHUFFLE_PARTITIONS, "16");
    LedgerConfig partitions =
        TestSpark.config(
            "spark.codegen_min_input_mib=8", "spark.settings.\"spark.sql.shuffle.partitions\"=16");
    QuerySettings.forInput(spark, partitions, 0);
    assertEquals("16", spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS));
    assertFalse(spark.conf().getAll().contains(QuerySettings.ADAPTIVE), "adaptive left unset");
    // Code generation still follows the input.
    assertEquals("false", spark.conf().get(QuerySettings.WHOLE_STAGE));

    spark.conf().set(QuerySettings.ADAPTIVE, "true");
    LedgerConfig adaptive =
        TestSpark.config(
            "spark.codegen_min_input_mib=8", "spark.settings.\"spark.sql.adaptive.enabled\"=true");
    QuerySettings.forInput(spark, adaptive, 0);
    assertEquals("true", spark.conf().get(QuerySettings.ADAPTIVE));
    assertEquals("16", spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS));
  }

  @Test
  void savedSettingsComeBackAsTheyWereSetOrUnset() {
    spark.conf().set(QuerySettings.SHUFFLE_PARTITIONS, "2");
    spark.conf().unset(QuerySettings.ADAPTIVE);
    spark.conf().unset(QuerySettings.EXPRESSIONS);
    spark.conf().set(QuerySettings.FILE_STATISTICS, "true");
    spark.conf().unset(QuerySettings.STATISTICS_SKIPPING);
    QuerySettings.Saved saved = QuerySettings.save(spark);
    QuerySettings.forInput(spark, TestSpark.config("spark.codegen_min_input_mib=8"), 0);
    saved.restore();
    assertEquals("true", spark.conf().get(QuerySettings.FILE_STATISTICS));
    assertFalse(spark.conf().getAll().contains(QuerySettings.STATISTICS_SKIPPING));
    assertEquals("2", spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS));
    assertEquals("true", spark.conf().get(QuerySettings.WHOLE_STAGE));
    assertFalse(spark.conf().getAll().contains(QuerySettings.ADAPTIVE));
    assertFalse(spark.conf().getAll().contains(QuerySettings.EXPRESSIONS));
  }

  @Test
  void zeroAlwaysCompiles() {
    assertTrue(QuerySettings.forInput(spark, TestSpark.config("spark.codegen_min_input_mib=0"), 0));
    assertEquals("true", spark.conf().get(QuerySettings.WHOLE_STAGE));
    assertEquals(QuerySettings.EXPRESSIONS_COMPILED, spark.conf().get(QuerySettings.EXPRESSIONS));
  }

  @Test
  void anExplicitSparkSettingIsLeftAsTheOperatorSetIt() {
    // As a session built with spark.settings."spark.sql.codegen.wholeStage" = false starts.
    spark.conf().set(QuerySettings.WHOLE_STAGE, "false");
    LedgerConfig config =
        TestSpark.config(
            "spark.codegen_min_input_mib=8",
            "spark.settings.\"spark.sql.codegen.wholeStage\"=false");
    assertFalse(QuerySettings.forInput(spark, config, 100 * MIB));
    assertEquals("false", spark.conf().get(QuerySettings.WHOLE_STAGE));
    // The other setting still follows the input.
    assertEquals(QuerySettings.EXPRESSIONS_COMPILED, spark.conf().get(QuerySettings.EXPRESSIONS));
  }

  @Test
  void anExplicitExpressionSettingIsLeftAloneWhileWholeStageFollowsTheInput() {
    spark.conf().set(QuerySettings.EXPRESSIONS, QuerySettings.EXPRESSIONS_COMPILED);
    LedgerConfig config =
        TestSpark.config(
            "spark.codegen_min_input_mib=8",
            "spark.settings.\"spark.sql.codegen.factoryMode\"=FALLBACK");
    assertFalse(QuerySettings.forInput(spark, config, 0));
    assertEquals("false", spark.conf().get(QuerySettings.WHOLE_STAGE));
    assertEquals(QuerySettings.EXPRESSIONS_COMPILED, spark.conf().get(QuerySettings.EXPRESSIONS));
  }
}
