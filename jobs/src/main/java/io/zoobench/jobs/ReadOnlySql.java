package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * What {@code zoobench sql} runs: queries only. A statement must start with a query keyword
 * (SELECT, WITH, VALUES, TABLE, FROM) or be SHOW, DESCRIBE or EXPLAIN; a query's parsed plan
 * must hold no write, DDL or command node ({@code WITH ... INSERT}, {@code INSERT OVERWRITE
 * DIRECTORY}, CTAS, {@code CACHE TABLE}, ...) and no call of a Java method by reflection. Anything else is refused in one line, before
 * any statement runs.
 */
final class ReadOnlySql {
  private static final Pattern FIRST_WORD = Pattern.compile("^[\\s(]*([A-Za-z]+)");
  private static final Set<String> QUERIES = Set.of("SELECT", "WITH", "VALUES", "TABLE", "FROM");
  private static final Set<String> INSPECTIONS = Set.of("SHOW", "DESCRIBE", "DESC", "EXPLAIN");
  /** Node names of plans that change something (Spark's and Iceberg's extensions'). */
  private static final Pattern WRITES = Pattern.compile(
      "Insert|Create|Drop|Alter|Delete|Update|Merge|Overwrite|Replace|Cache|Refresh|Truncate"
          + "|Repair|Load|Write|Command|Call|Procedure|SetCatalog|SetNamespace|Rename|Comment");

  private static final Set<String> REFLECTION = Set.of("reflect", "java_method", "try_reflect");

  private ReadOnlySql() {}

  static void check(SparkSession spark, String statement) {
    var m = FIRST_WORD.matcher(statement);
    String word = m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "";
    if (INSPECTIONS.contains(word)) {
      return;
    }
    if (!QUERIES.contains(word)) {
      throw refused(statement);
    }
    LogicalPlan plan;
    try {
      plan = spark.sessionState().sqlParser().parsePlan(statement);
    } catch (Exception e) {
      return; // a parse error is reported when the statement runs, as for any query
    }
    if (writes(plan)) {
      throw refused(statement);
    }
  }

  private static boolean writes(LogicalPlan plan) {
    if (WRITES.matcher(plan.getClass().getSimpleName()).find()) {
      return true;
    }
    for (Expression e : scala.jdk.javaapi.CollectionConverters.asJava(plan.expressions())) {
      if (writes(e)) {
        return true;
      }
    }
    for (LogicalPlan child : scala.jdk.javaapi.CollectionConverters.asJava(plan.children())) {
      if (writes(child)) {
        return true;
      }
    }
    // subqueries and CTE definitions hide in expressions and inner plans
    for (Object inner : scala.jdk.javaapi.CollectionConverters.asJava(plan.innerChildren())) {
      if (inner instanceof LogicalPlan p && writes(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reflection calls any static Java method ({@code reflect('java.lang.System', 'exit', 0)}):
   * not a query. Subqueries inside expressions are plans of their own.
   */
  private static boolean writes(Expression e) {
    if (e instanceof UnresolvedFunction f) {
      String name = f.nameParts().last().toLowerCase(Locale.ROOT);
      if (REFLECTION.contains(name)) {
        return true;
      }
    }
    if (e instanceof SubqueryExpression q && writes(q.plan())) {
      return true;
    }
    for (Expression child : scala.jdk.javaapi.CollectionConverters.asJava(e.children())) {
      if (writes(child)) {
        return true;
      }
    }
    return false;
  }

  private static InvalidInputException refused(String statement) {
    String s = statement.strip().replaceAll("\\s+", " ");
    return new InvalidInputException("only queries run here (SELECT, WITH, SHOW, DESCRIBE,"
        + " EXPLAIN), the warehouse is read-only: " + (s.length() > 60 ? s.substring(0, 57)
        + "..." : s));
  }
}
