package io.nexus.testkit.logging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.AssertionFailedError;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogCaptureTest {

    @RegisterExtension
    final LogCapture logs = LogCapture.perTest();

    @Test
    void theExtensionCapturesWhatTheTestLogs() {
        LoggerFactory.getLogger("capture-test").error("poison event parked");
        logs.assertContains("ERROR capture-test - poison event parked");
        assertEquals(1, logs.lines().size());
        AssertionFailedError missing = assertThrows(AssertionFailedError.class, () -> logs.assertContains("something else"));
        assertTrue(missing.getMessage().contains("The log does not contain 'something else'; it holds 1 line(s):"), missing.getMessage());
    }

    @Test
    void aScopedCaptureRestoresSystemErr() {
        PrintStream before = System.err;
        try (LogCapture scoped = LogCapture.start()) {
            LoggerFactory.getLogger("capture-test").error("retrying");
            scoped.assertContains("ERROR capture-test - retrying");
            assertThrows(AssertionFailedError.class, scoped::assertEmpty);
        }
        assertSame(before, System.err);
        assertFalse(logs.contains("retrying"), "the inner capture kept the line");
        logs.assertEmpty();
    }
}
