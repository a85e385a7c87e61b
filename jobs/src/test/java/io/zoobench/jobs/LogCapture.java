package io.zoobench.jobs;

import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Captures the log4j events (INFO and up) of a piece of code instead of printing them. */
final class LogCapture {
  private LogCapture() {}

  static synchronized <T> T during(StringBuilder sink, Supplier<T> body) {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration config = ctx.getConfiguration();
    LoggerConfig root = config.getRootLogger();
    StringWriter w = new StringWriter();
    Appender a = WriterAppender.newBuilder().setName("zoobench-test-capture")
        .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%throwable").build())
        .setTarget(w).build();
    a.start();
    Level before = root.getLevel();
    Map<String, Appender> usual = new LinkedHashMap<>(root.getAppenders());
    usual.keySet().forEach(root::removeAppender);
    root.addAppender(a, Level.INFO, null);
    root.setLevel(Level.INFO);
    ctx.updateLoggers();
    try {
      return body.get();
    } finally {
      root.removeAppender(a.getName());
      usual.values().forEach(x -> root.addAppender(x, null, null));
      root.setLevel(before);
      ctx.updateLoggers();
      a.stop();
      sink.append(w);
    }
  }
}
