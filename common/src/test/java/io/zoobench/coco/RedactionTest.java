package io.zoobench.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Redaction}: user info never survives, in a path or in text; other paths are kept. */
class RedactionTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "s3a://KEY:SECRET@bucket/x | s3a://bucket/x",
      "hdfs://USER:SECRET@namenode:8020/coco/gt.json | hdfs://namenode:8020/coco/gt.json",
      "https://USER:SECRET@example.com/x.json | https://example.com/x.json",
      // a user (or an access key) alone
      "s3a://KEY@bucket/x | s3a://bucket/x",
      "https://USER@example.com/x.json | https://example.com/x.json",
      // secrets holding the characters that end a URI's authority, raw or encoded
      "s3a://KEY:SE/CRET@bucket/x | s3a://bucket/x",
      "s3a://KEY:SE%2FCRET@bucket/x | s3a://bucket/x",
      "s3a://KEY:SE#CRET@bucket/x | s3a://bucket/x",
      "s3a://KEY:SE?CRET@bucket/x | s3a://bucket/x",
      "s3a://KEY:SE@CRET@bucket/x | s3a://bucket/x",
      "s3a://KEY:SE/C#R?E@T@bucket/dir/x.json | s3a://bucket/dir/x.json",
      "s3a://KEY:SECRET@bucket/my file.json | s3a://bucket/my file.json",
      // what java.nio.file.Path makes of such a URI: one slash
      "s3a:/KEY:SECRET@bucket/x | s3a:/bucket/x",
      "s3a:/KEY:SE/CRET@bucket/x | s3a:/bucket/x"})
  void userInfoIsRemoved(String in, String out) {
    assertThat(Redaction.path(in)).isEqualTo(out).doesNotContain("KEY").doesNotContain("SE")
        .doesNotContain("CRET").doesNotContain("USER");
    assertThat(Redaction.hasCredentials(in)).isTrue();
    assertThat(Redaction.text("cannot read " + in + ": gone")).isEqualTo(
        "cannot read " + out + ": gone");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/data/coco/annotations/instances_val2017.json",
      "relative/dir/dt.json.gz",
      "weird name@2x.json",
      "user@host:dir/x.json",
      "file:/data/coco/gt.json",
      "file:///data/me@home/gt.json",
      "s3a://bucket/zoobench",
      "s3a://bucket/dir/a@2x.json",
      "hdfs://namenode:8020/coco/gt.json",
      "C:\\Users\\me\\a:b@c.json",
      "C:/Users/me/a:b@c.json",
      "D:\\coco\\gt.json",
      "\\\\server\\share\\u:p@x.json",
      "jdbc:sqlite:/tmp/catalog.db",
      ""})
  void otherPathsAreUnchanged(String in) {
    assertThat(Redaction.path(in)).isEqualTo(in);
    assertThat(Redaction.text(in)).isEqualTo(in);
    assertThat(Redaction.hasCredentials(in)).isFalse();
    assertThat(Redaction.checkNoCredentials("--x", in)).isSameAs(in);
  }

  @Test
  void nullStaysNull() {
    assertThat(Redaction.path(null)).isNull();
    assertThat(Redaction.text(null)).isNull();
    assertThat(Redaction.hasCredentials(null)).isFalse();
  }

  @Test
  void everyUriInTextIsRedacted() {
    String text = "Unmatched arguments: 's3a://AKIA:wJalr/K7@b/x', \"https://u:pw@h/y\","
        + " (hdfs://u:pw2@nn/z) [file:/ok@1x.png, s3a://K1:S1@b/p,s3a://K2:S2@b/q]"
        + "\njdbc:mysql://dbuser:dbpass@db/x";
    String out = Redaction.text(text);
    assertThat(out).doesNotContain("AKIA", "wJalr", "K7", "u:pw", "pw2", "K1", "S1", "K2", "S2",
        "dbuser", "dbpass")
        .contains("'s3a://b/x'", "\"https://h/y\"", "(hdfs://nn/z)", "file:/ok@1x.png",
            "jdbc:mysql://db/x");
  }

  @Test
  void knownValuesWithSpacesOrQuotesAreRedactedWhole() {
    String arg = "https://user:pa ss'wo\"rd@example.com/x.json";
    String message = "Invalid value for option '--dt': '" + arg + "' is not a file";
    assertThat(Redaction.text(message)).as("the value is not known").contains("ss");
    assertThat(Redaction.text(message, List.of("--dt", arg)))
        .isEqualTo("Invalid value for option '--dt': 'https://example.com/x.json' is not a file");
  }

  @Test
  void aPathNamesTheRedactedValueWhenRefused() {
    assertThatThrownBy(() -> Redaction.checkNoCredentials("--dt",
        "s3a://AKIAEXAMPLEKEY:S3cr3t%2Fx@bucket/x.json"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--dt s3a://bucket/x.json: credentials in a path are refused")
        .message().doesNotContain("AKIAEXAMPLEKEY").doesNotContain("S3cr3t");
    assertThat(Redaction.hasCredentials("spark.hadoop.fs.defaultFS=s3a://K:S@b")).isTrue();
    assertThat(Redaction.hasCredentials("spark.hadoop.fs.s3a.secret.key=wJalr/K7+x")).isFalse();
  }

  @Test
  void invalidInputMessagesAreRedacted() {
    Path p = Path.of("s3a://AKIAEXAMPLEKEY:S3cr3t@bucket/gt.json");
    assertThat(new InvalidInputException(p + ": no such file").getMessage())
        .isEqualTo("s3a:/bucket/gt.json: no such file");
    assertThat(new InvalidInputException("x https://u:pw@h/y", new RuntimeException())
        .getMessage()).isEqualTo("x https://h/y");
  }

  @Test
  void readerErrorsNameThePathWithoutCredentials() {
    assertThatThrownBy(() -> CocoJsonReader.readDataset(
        Path.of("s3a://AKIAEXAMPLEKEY:S3cr3t/x@bucket/gt.json")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("s3a:/bucket/gt.json: no such file");
  }
}
