package io.nexus.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChildJvmTest {

    @TempDir
    Path dir;

    /** Prints its arguments as lines, then "READY", then blocks until it is killed (or ends at once with "exit"). */
    public static final class Reporter {
        public static void main(String[] args) throws InterruptedException {
            for (String arg : args) {
                System.out.println(arg);
            }
            System.out.println("READY");
            System.out.flush();
            if (!List.of(args).contains("exit")) {
                Thread.currentThread().join(); // never returns: the test kills this JVM
            }
        }
    }

    @Test
    void readsWhatTheChildPrintedAndKillsItWithSigkill() throws Exception {
        try (ChildJvm child = ChildJvm.start("reporter", dir, List.of("-Xmx32m"), Reporter.class,
                List.of("SHARDS 1,2", "H order-1 1", "SHARDS 2", "H order-1 2", "LEASES -"))) {
            Await.until("the child is ready", Duration.ofSeconds(60), () -> child.lines().contains("READY"));
            assertEquals(List.of("SHARDS 1,2", "H order-1 1", "SHARDS 2", "H order-1 2", "LEASES -", "READY"), child.lines());
            assertEquals(List.of("order-1 1", "order-1 2"), child.linesAfter("H "));
            assertEquals(Optional.of("2"), child.lastLineAfter("SHARDS "));
            assertEquals(Optional.empty(), child.lastLineAfter("BLOCKED "));
            assertEquals(Set.of("2"), child.lastItemsAfter("SHARDS "));
            assertEquals(Set.of(), child.lastItemsAfter("LEASES "));
            assertTrue(child.isAlive());

            child.kill();
            assertFalse(child.isAlive());
            assertEquals("READY", child.lines().get(5), "the output stays readable after the child died");
        }
    }

    @Test
    void killingAChildThatHadEndedByItselfFailsWithItsExitStatus() throws Exception {
        try (ChildJvm child = ChildJvm.start("ended", dir, List.of("-Xmx32m"), Reporter.class, List.of("exit"))) {
            Await.until("the child ended", Duration.ofSeconds(60), () -> !child.isAlive());
            AssertionError e = assertThrows(AssertionError.class, child::kill);
            assertTrue(e.getMessage().startsWith("child JVM 'ended' ended with status 0, not 137"), e.getMessage());
        }
    }
}
