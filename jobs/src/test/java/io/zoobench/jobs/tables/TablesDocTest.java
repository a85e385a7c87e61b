package io.zoobench.jobs.tables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** docs/tables.md says, column by column, what the record types' schemas are. */
class TablesDocTest {
  /** Column name and SQL type of each table, in order, as the page's tables list them. */
  static Map<String, List<String>> documented() throws IOException {
    Path doc = Path.of(System.getProperty("zoobench.home", "..")).resolve("docs/tables.md");
    Map<String, List<String>> tables = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : Files.readAllLines(doc)) {
      if (line.startsWith("### `")) {
        current = new ArrayList<>();
        tables.put(line.substring(5, line.indexOf('`', 5)), current);
      } else if (line.startsWith("#")) {
        current = null;
      } else if (current != null && line.startsWith("| ") && !line.startsWith("| column")
          && !line.startsWith("| ---")) {
        String[] cells = line.split("\\|");
        current.add(cells[1].trim() + " " + cells[2].trim());
      }
    }
    return tables;
  }

  @Test
  void everyTableIsDocumentedColumnByColumn() throws IOException {
    Map<String, List<String>> doc = documented();
    List<String> names = new ArrayList<>();
    for (TableSchema<?> t : Tables.all()) {
      names.add(t.name());
      List<String> columns = new ArrayList<>();
      for (StructField f : t.schema().fields()) {
        columns.add(f.name() + " " + f.dataType().simpleString());
      }
      assertThat(doc.get(t.name())).as("docs/tables.md, table %s", t.name())
          .containsExactlyElementsOf(columns);
    }
    assertThat(doc.keySet()).containsExactlyElementsOf(names);
  }
}
