package io.nexus.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A JVM running a {@code main} class of the test's own class path, for tests that kill a process with SIGKILL in
 * the middle of its work and check what the others, or a restart, make of it: an appender killed under load, a
 * consumer killed mid-batch, a lease holder killed without releasing its lease.
 *
 * <p>The child reports by printing lines to its standard output, which goes to {@code <dir>/<name>.out} (a file,
 * not a pipe: a pipe's reader races the JDK closing the pipe when the child dies, and the file stays for a look
 * after a failure); its standard error goes to {@code <dir>/<name>.err}. {@link #lines()} reads what it printed
 * so far, whole lines only. The child runs with the JIT's first tier only, the serial collector and SLF4J's
 * simple logger off, which keeps several children cheap on a small machine; {@code jvmOptions} come after these
 * and can override them.
 *
 * <pre>{@code
 * try (ChildJvm consumer = ChildJvm.start("p1", dir, List.of("-Xmx128m"), ConsumerProcess.class, List.of(endpoint))) {
 *     Await.until("p1 holds a shard", Duration.ofSeconds(60), () -> consumer.lastLineAfter("SHARDS ").isPresent());
 *     consumer.kill();
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class ChildJvm implements AutoCloseable {

    /** The exit status of a JVM killed with SIGKILL on Linux and macOS: 128 + 9. */
    public static final int SIGKILL_EXIT_STATUS = 137;

    private final String name;
    private final Process process;
    private final Path output;

    private ChildJvm(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code mainClass} in a new JVM with this JVM's {@code java} command and class path.
     *
     * @param name       the child's name, used for its output files and in failure messages
     * @param dir        where its output files go; created if missing
     * @param jvmOptions options for the child JVM, such as {@code -Xmx128m} or {@code -Dkey=value}
     * @param mainClass  the class whose {@code main} the child runs
     * @param args       its arguments
     * @throws IOException if the directory cannot be created or the process cannot start
     */
    public static ChildJvm start(String name, Path dir, List<String> jvmOptions, Class<?> mainClass, List<String> args)
            throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mainClass, "mainClass");
        Files.createDirectories(dir);
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=off"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        Path output = dir.resolve(name + ".out");
        Process process = new ProcessBuilder(command).redirectOutput(output.toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
        return new ChildJvm(name, process, output);
    }

    /** The name it was started with. */
    public String name() {
        return name;
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The whole lines the child printed so far, in order; a line still being printed is left out. */
    public List<String> lines() {
        String text;
        try {
            text = Files.readString(output, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output of child JVM '" + name + "' in " + output, e);
        }
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
    }

    /** The lines that start with {@code prefix}, in order, each without the prefix. */
    public List<String> linesAfter(String prefix) {
        return lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }

    /** The last line that starts with {@code prefix}, without the prefix; empty if there is none yet. */
    public Optional<String> lastLineAfter(String prefix) {
        List<String> found = linesAfter(prefix);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    /**
     * The comma-separated items of the last line that starts with {@code prefix}, a line of {@code "-"} after the
     * prefix standing for none; empty if there is no such line yet. For a child that reports a set as it changes,
     * such as the shards it holds.
     */
    public Set<String> lastItemsAfter(String prefix) {
        String last = lastLineAfter(prefix).orElse("-");
        return last.equals("-") ? Set.of() : new TreeSet<>(List.of(last.split(",")));
    }

    /**
     * Kills the child with SIGKILL (on Linux and macOS; {@link Process#destroyForcibly()}) and waits up to a minute
     * for it to end.
     *
     * @throws AssertionError if it does not end within a minute, or ends with another status than
     *                        {@value #SIGKILL_EXIT_STATUS} (it had already exited, or was not killed by the signal)
     */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("child JVM '" + name + "' did not end within 60 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for child JVM '" + name + "' to end", e);
        }
        if (process.exitValue() != SIGKILL_EXIT_STATUS) {
            throw new AssertionError("child JVM '" + name + "' ended with status " + process.exitValue() + ", not "
                    + SIGKILL_EXIT_STATUS + " (128 + 9) as a JVM killed by SIGKILL does; see " + output);
        }
    }

    /** Kills the child if it is still running, without waiting; harmless when it has ended. */
    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return "child JVM '" + name + "'";
    }
}
