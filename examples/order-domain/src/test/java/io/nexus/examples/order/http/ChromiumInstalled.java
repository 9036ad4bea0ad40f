package io.nexus.examples.order.http;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a test only where headless Chromium and its WebDriver are installed (Debian packages
 * {@code chromium} and {@code chromium-driver}, which {@code .ci/run} installs); elsewhere the test is
 * reported as skipped with what to install.
 */
final class ChromiumInstalled implements ExecutionCondition {

    static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("chromium.driver", "/usr/bin/chromedriver"));

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)) {
            return ConditionEvaluationResult.enabled("Chromium at " + CHROMIUM + ", its driver at " + DRIVER);
        }
        return ConditionEvaluationResult.disabled("Headless Chromium is not installed (" + CHROMIUM + ", " + DRIVER
                + "); install the Debian packages: apt-get install -y --no-install-recommends chromium chromium-driver");
    }
}
