package dev.idleledger.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueryCodegenTest {
  private static final long MIB = 1024L * 1024L;
  private final SparkSession spark = TestSpark.session();

  @AfterEach
  void compiledAgain() {
    spark.conf().set(QueryCodegen.WHOLE_STAGE, "true");
    spark.conf().set(QueryCodegen.EXPRESSIONS, QueryCodegen.EXPRESSIONS_COMPILED);
  }

  @Test
  void aDateBelowTheThresholdRunsInterpretedAndOneAtOrAboveItCompiles() {
    LedgerConfig config = TestSpark.config("spark.codegen_min_input_mib=8");
    assertFalse(QueryCodegen.forInput(spark, config, 8 * MIB - 1));
    assertEquals("false", spark.conf().get(QueryCodegen.WHOLE_STAGE));
    assertEquals(QueryCodegen.EXPRESSIONS_INTERPRETED, spark.conf().get(QueryCodegen.EXPRESSIONS));
    assertTrue(QueryCodegen.forInput(spark, config, 8 * MIB));
    assertEquals("true", spark.conf().get(QueryCodegen.WHOLE_STAGE));
    assertEquals(QueryCodegen.EXPRESSIONS_COMPILED, spark.conf().get(QueryCodegen.EXPRESSIONS));
    // An empty date (no file at all) reads nothing: interpreted.
    assertFalse(QueryCodegen.forInput(spark, config, 0));
  }

  @Test
  void zeroAlwaysCompiles() {
    assertTrue(QueryCodegen.forInput(spark, TestSpark.config("spark.codegen_min_input_mib=0"), 0));
    assertEquals("true", spark.conf().get(QueryCodegen.WHOLE_STAGE));
    assertEquals(QueryCodegen.EXPRESSIONS_COMPILED, spark.conf().get(QueryCodegen.EXPRESSIONS));
  }

  @Test
  void anExplicitSparkSettingIsLeftAsTheOperatorSetIt() {
    // As a session built with spark.settings."spark.sql.codegen.wholeStage" = false starts.
    spark.conf().set(QueryCodegen.WHOLE_STAGE, "false");
    LedgerConfig config =
        TestSpark.config(
            "spark.codegen_min_input_mib=8",
            "spark.settings.\"spark.sql.codegen.wholeStage\"=false");
    assertFalse(QueryCodegen.forInput(spark, config, 100 * MIB));
    assertEquals("false", spark.conf().get(QueryCodegen.WHOLE_STAGE));
    // The other setting still follows the input.
    assertEquals(QueryCodegen.EXPRESSIONS_COMPILED, spark.conf().get(QueryCodegen.EXPRESSIONS));
  }

  @Test
  void anExplicitExpressionSettingIsLeftAloneWhileWholeStageFollowsTheInput() {
    spark.conf().set(QueryCodegen.EXPRESSIONS, QueryCodegen.EXPRESSIONS_COMPILED);
    LedgerConfig config =
        TestSpark.config(
            "spark.codegen_min_input_mib=8",
            "spark.settings.\"spark.sql.codegen.factoryMode\"=FALLBACK");
    assertFalse(QueryCodegen.forInput(spark, config, 0));
    assertEquals("false", spark.conf().get(QueryCodegen.WHOLE_STAGE));
    assertEquals(QueryCodegen.EXPRESSIONS_COMPILED, spark.conf().get(QueryCodegen.EXPRESSIONS));
  }
}
