package io.nexus.testkit.logging;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Captures what the test's logging binding prints, so a test that provokes a failure on purpose asserts
 * the log line instead of printing a stack trace into the build output.
 *
 * <p>Works with the binding the Nexus modules and the archetype use in tests, {@code slf4j-simple}, which
 * writes every line to the {@code System.err} of the moment; any other output to {@code System.err} during
 * the capture is captured too. Two ways to use it:
 *
 * <pre>{@code
 * @RegisterExtension
 * final LogCapture logs = LogCapture.perTest();      // JUnit 5: captures around each test
 *
 * try (LogCapture logs = LogCapture.start()) {       // anywhere, e.g. in a jqwik property
 *     ...
 *     logs.assertContains("dead-lettered 'Deposited'");
 * }
 * }</pre>
 *
 * When a test fails, the extension prints what it captured, so the logs still explain the failure.
 *
 * <p>{@code System.err} is one per JVM: tests that capture must not run concurrently with tests that
 * print (Surefire's default is one test at a time). Thread-safe for loggers on any thread.
 */
public final class LogCapture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    private @Nullable PrintStream original;
    private ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private LogCapture() {
    }

    /** Starts capturing now; {@link #close()} restores {@code System.err}. */
    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.open();
        return capture;
    }

    /** A JUnit 5 extension (register with {@code @RegisterExtension}) that captures around each test. */
    public static LogCapture perTest() {
        return new LogCapture();
    }

    private synchronized void open() {
        if (original != null) {
            throw new IllegalStateException("LogCapture is already capturing; close it before starting it again");
        }
        captured = new ByteArrayOutputStream();
        original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    /** Everything captured so far. */
    public synchronized String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** The captured lines, in order. */
    public List<String> lines() {
        String text = text();
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\R"));
    }

    /** Whether some captured line contains {@code fragment}. */
    public boolean contains(String fragment) {
        Objects.requireNonNull(fragment, "fragment");
        return text().contains(fragment);
    }

    /**
     * Asserts that the captured output contains every fragment (each anywhere).
     *
     * @throws AssertionFailedError naming the first fragment missing and showing what was captured
     */
    public LogCapture assertContains(String... fragments) {
        String text = text();
        for (String fragment : fragments) {
            if (!text.contains(fragment)) {
                throw new AssertionFailedError("The log does not contain '" + fragment + "'; it holds "
                        + (text.isEmpty() ? "nothing" : lines().size() + " line(s):\n" + text)
                        + "\nCheck the logger's level in src/test/resources/simplelogger.properties and the text logged.",
                        fragment, text);
            }
        }
        return this;
    }

    /**
     * Asserts that nothing was captured.
     *
     * @throws AssertionFailedError showing what was captured
     */
    public LogCapture assertEmpty() {
        String text = text();
        if (!text.isEmpty()) {
            throw new AssertionFailedError("Expected no log output, but " + lines().size() + " line(s) were logged:\n" + text,
                    "", text);
        }
        return this;
    }

    /** Stops capturing and restores {@code System.err}; captured text stays readable. Idempotent. */
    @Override
    public synchronized void close() {
        if (original != null) {
            System.err.flush();
            System.setErr(original);
            original = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        open();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
        if (context.getExecutionException().isPresent() && !text().isEmpty()) {
            System.err.println("Log output captured during the failed test " + context.getDisplayName() + ":");
            System.err.print(text());
            System.err.flush();
        }
    }
}
