package dev.idleledger.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateFunction;
import org.apache.spark.sql.catalyst.expressions.aggregate.DeclarativeAggregate;
import org.apache.spark.sql.catalyst.expressions.aggregate.ImperativeAggregate;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.runtime.AbstractPartialFunction;

/**
 * The one row of an aggregate without grouping ({@code frame.agg(...).first()}: a sum, a count, a maximum of a whole
 * frame), which the stages use for their checks and counts.
 *
 * <p>Over a frame Spark knows to be empty without running anything ({@link StageFrames#knownEmptyOverLocalData}: a
 * date without input) the row is worked out on the driver: each aggregate function's result over no rows (a count
 * 0, a sum or a maximum null, a set empty), then the expression around it. Spark folds filters, projections, joins
 * and grouped aggregates over an empty local relation, but not an aggregate without grouping, since that returns one
 * row even over none: asked of Spark, each would be a job of its own. Any other frame is asked of Spark.
 */
public final class GlobalAggregate {
  private GlobalAggregate() {}

  public static Row of(Dataset<?> frame, Column first, Column... rest) {
    Dataset<Row> aggregate = frame.agg(first, rest);
    if (!StageFrames.knownEmptyOverLocalData(frame)) {
      return aggregate.first();
    }
    LogicalPlan analyzed = aggregate.queryExecution().analyzed();
    if (!(analyzed instanceof Aggregate plan) || !plan.groupingExpressions().isEmpty()) {
      throw new IllegalStateException("not an aggregate without grouping: " + analyzed);
    }
    StructType schema = aggregate.schema();
    List<NamedExpression> outputs = JavaConverters.seqAsJavaList(plan.aggregateExpressions());
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      Expression overNoRows = ((Expression) outputs.get(i)).transform(new OverNoRows());
      StructField field = schema.fields()[i];
      values.add(CatalystTypeConverters.convertToScala(overNoRows.eval(null), field.dataType()));
    }
    return RowFactory.create(values.toArray());
  }

  /** Replaces each aggregate function with the literal it gives over no rows. */
  private static final class OverNoRows extends AbstractPartialFunction<Expression, Expression> {
    @Override
    public boolean isDefinedAt(Expression e) {
      return e instanceof AggregateExpression;
    }

    @Override
    public Expression apply(Expression e) {
      AggregateFunction function = ((AggregateExpression) e).aggregateFunction();
      return new Literal(resultOverNoRows(function), function.dataType());
    }
  }

  /**
   * The function's result over no rows, as Spark's aggregation gives it: its buffer as initialized, evaluated. A
   * DISTINCT or a FILTER does not change it.
   */
  private static Object resultOverNoRows(AggregateFunction function) {
    if (function instanceof DeclarativeAggregate declarative) {
      List<AttributeReference> buffer =
          JavaConverters.seqAsJavaList(declarative.aggBufferAttributes());
      List<Expression> initial = JavaConverters.seqAsJavaList(declarative.initialValues());
      Expression result =
          declarative
              .evaluateExpression()
              .transform(
                  new AbstractPartialFunction<Expression, Expression>() {
                    @Override
                    public boolean isDefinedAt(Expression e) {
                      return e instanceof Attribute a && indexIn(buffer, a) >= 0;
                    }

                    @Override
                    public Expression apply(Expression e) {
                      return initial.get(indexIn(buffer, (Attribute) e));
                    }
                  });
      return result.eval(null);
    }
    if (function instanceof ImperativeAggregate imperative) {
      ImperativeAggregate atZero = imperative.withNewMutableAggBufferOffset(0);
      InternalRow buffer = new SpecificInternalRow(atZero.aggBufferSchema());
      atZero.initialize(buffer);
      return atZero.eval(buffer);
    }
    throw new IllegalStateException("an aggregate function of an unknown kind: " + function);
  }

  private static int indexIn(List<AttributeReference> buffer, Attribute a) {
    for (int i = 0; i < buffer.size(); i++) {
      if (buffer.get(i).exprId().equals(a.exprId())) {
        return i;
      }
    }
    return -1;
  }
}
