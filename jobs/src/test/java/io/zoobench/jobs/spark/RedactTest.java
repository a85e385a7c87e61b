package io.zoobench.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Redact#path}: user info never survives, everything else of the path does. */
class RedactTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "s3a://KEY:SECRET@bucket/x | s3a://bucket/x",
      "s3a://KEY:SECRET@bucket/dir/r.json.gz | s3a://bucket/dir/r.json.gz",
      "hdfs://USER:SECRET@namenode:8020/coco/gt.json | hdfs://namenode:8020/coco/gt.json",
      "s3a://KEY@bucket/x | s3a://bucket/x",
      "s3a://KEY:SECRET@bucket/my file.json | s3a://bucket/my file.json",
      "s3a://KEY:SECRET@bucket/a%20b | s3a://bucket/a%20b",
      "s3a://KEY:SE%2BCRET@bucket/x | s3a://bucket/x",
      "s3a://KEY:SE%2FCRET@bucket/x | s3a://bucket/x"})
  void userInfoIsRemoved(String in, String out) {
    assertThat(Redact.path(in)).isEqualTo(out).doesNotContain("KEY").doesNotContain("SECRET")
        .doesNotContain("SE%2").doesNotContain("USER");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "s3a://AKIAKEY:wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY@bucket/x",
      "s3a://AKIAKEY:wJalrK7MDENG+bPxRfiCYEXAMPLEKEY@bucket/x",
      "s3a://AKIAKEY:wJalr#K7MDENG@bucket/x",
      "s3a://AKIAKEY:wJalr?K7MDENG@bucket/x"})
  void realisticSecretsAreRemoved(String in) {
    assertThat(Redact.path(in)).doesNotContain("AKIAKEY").doesNotContain("wJalr")
        .doesNotContain("K7MDENG").contains("bucket");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/data/coco/annotations/instances_val2017.json",
      "file:/data/coco/gt.json",
      "s3a://bucket/zoobench",
      "hdfs://namenode:8020/coco/gt.json",
      "relative/dir/dt.json.gz",
      "weird name@2x.json"})
  void pathsWithoutUserInfoAreUnchanged(String in) {
    assertThat(Redact.path(in)).isEqualTo(in);
  }
}
