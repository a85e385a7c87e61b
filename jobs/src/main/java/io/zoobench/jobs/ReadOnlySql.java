package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.tables.Warehouse;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;

/**
 * What {@code zoobench sql} runs: queries of the warehouse, nothing else. Two checks, both
 * before any statement runs, each refusing in one line:
 *
 * <ol>
 *   <li>{@link #check}, on the text: a statement must start with a query keyword (SELECT, WITH,
 *       VALUES, TABLE, FROM) or be SHOW, DESCRIBE or EXPLAIN, and its parsed plan must hold no
 *       write, DDL or command node ({@code WITH ... INSERT}, {@code INSERT OVERWRITE DIRECTORY},
 *       CTAS, {@code CACHE TABLE}, ...) and no call of a Java method by reflection;
 *   <li>{@link #checkAnalyzed}, on the analysed plan, an allow-list: only relational operators
 *       (projections, filters, joins, aggregates, windows, set operations, CTEs, limits,
 *       literal rows) over relations of the warehouse's catalog and namespace (its tables, their
 *       Iceberg metadata tables, zoobench's views over them). A script transform ({@code SELECT
 *       TRANSFORM ... USING 'cmd'}), a file or path read as a table (with
 *       {@code spark.sql.runSQLOnFiles} off, which the sql verb also sets), another catalog's
 *       table or any node this list does not know is refused.
 * </ol>
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

  /**
   * Plan nodes a read-only query may hold besides the warehouse's relations (Spark's simple
   * class names): relational operators that read nothing themselves.
   */
  private static final Set<String> OPERATORS = Set.of("Project", "Filter", "Aggregate", "Join",
      "LateralJoin", "Sort", "GlobalLimit", "LocalLimit", "Offset", "Tail", "Union",
      "Intersect", "Except", "Distinct", "Deduplicate", "SubqueryAlias", "View", "WithCTE",
      "CTERelationDef", "CTERelationRef", "UnionLoop", "UnionLoopRef", "Window",
      "WindowGroupLimit", "Expand", "Generate", "LocalRelation", "OneRowRelation", "Range",
      "Sample", "RepartitionByExpression", "Repartition", "ResolvedHint", "WithWindowDefinition",
      "Pivot", "Unpivot");

  private ReadOnlySql() {}

  /**
   * Refuses, in one line naming what it found, an analysed query plan that holds anything but
   * {@link #OPERATORS} over the warehouse's own relations, or a reflective method call.
   */
  static void checkAnalyzed(LogicalPlan analyzed, String statement) {
    String found = forbidden(analyzed);
    if (found != null) {
      String s = statement.strip().replaceAll("\\s+", " ");
      throw new InvalidInputException("only queries of the warehouse's tables and views run"
          + " here; refused (" + found + "): " + (s.length() > 60 ? s.substring(0, 57) + "..."
          : s));
    }
  }

  /** What of {@code plan} a read-only query may not hold, or null. */
  private static String forbidden(LogicalPlan plan) {
    String node = plan.getClass().getSimpleName();
    if (plan instanceof DataSourceV2Relation r) {
      if (!ours(r)) {
        return "a table outside the warehouse: " + r.name();
      }
    } else if (node.equals("ScriptTransformation") || node.contains("Transformation")) {
      return "a script transform runs commands";
    } else if (node.equals("LogicalRelation") || node.equals("HiveTableRelation")
        || node.contains("FileTable") || node.contains("Streaming")) {
      return "a file or path read as a table";
    } else if (!OPERATORS.contains(node)) {
      return "a " + node + " node";
    }
    for (Expression e : scala.jdk.javaapi.CollectionConverters.asJava(plan.expressions())) {
      String f = forbidden(e);
      if (f != null) {
        return f;
      }
    }
    for (LogicalPlan child : scala.jdk.javaapi.CollectionConverters.asJava(plan.children())) {
      String f = forbidden(child);
      if (f != null) {
        return f;
      }
    }
    for (Object inner : scala.jdk.javaapi.CollectionConverters.asJava(plan.innerChildren())) {
      if (inner instanceof LogicalPlan p) {
        String f = forbidden(p);
        if (f != null) {
          return f;
        }
      }
    }
    return null;
  }

  private static String forbidden(Expression e) {
    if (e instanceof CallMethodViaReflection) {
      return "a Java method called by reflection";
    }
    if (e instanceof SubqueryExpression q) {
      String f = forbidden(q.plan());
      if (f != null) {
        return f;
      }
    }
    for (Expression child : scala.jdk.javaapi.CollectionConverters.asJava(e.children())) {
      String f = forbidden(child);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  /** A relation of the warehouse's catalog and namespace (a table or its metadata table). */
  private static boolean ours(DataSourceV2Relation r) {
    if (r.catalog().isEmpty() || r.identifier().isEmpty()
        || !Warehouse.CATALOG.equals(r.catalog().get().name())) {
      return false;
    }
    Identifier id = r.identifier().get();
    return id.namespace().length >= 1 && Warehouse.NAMESPACE.equals(id.namespace()[0]);
  }

  /**
   * The query whose analysed plan {@link #checkAnalyzed} must pass before {@code statement}
   * runs: the statement itself, the explained query of an EXPLAIN, or null for SHOW and
   * DESCRIBE (they read catalog metadata only; with {@code runSQLOnFiles} off no path is a
   * table).
   */
  static String queryOf(String statement) {
    var m = FIRST_WORD.matcher(statement);
    String word = m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "";
    if (!word.equals("EXPLAIN")) {
      return INSPECTIONS.contains(word) ? null : statement;
    }
    String rest = statement.strip().substring("EXPLAIN".length()).strip();
    var mode = EXPLAIN_MODE.matcher(rest);
    return mode.find() ? rest.substring(mode.end()).strip() : rest;
  }

  private static final Pattern EXPLAIN_MODE = Pattern.compile(
      "^(?i)(EXTENDED|CODEGEN|COST|FORMATTED)\\b");

  static void check(SparkSession spark, String statement) {
    var m = FIRST_WORD.matcher(statement);
    String word = m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "";
    if (word.equals("EXPLAIN")) {
      check(spark, queryOf(statement));
      return;
    }
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
