package io.nexus.examples.order.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web page the app serves, driven in headless Chromium: place an order, add a line, confirm, pay, and
 * watch the list, the order's status and the saga's steps update live (an order placed by someone else
 * appears in the list over the WebSocket). The last screen is kept as
 * {@code target/screenshots/order-page.png}. Skipped, saying what to install, where Chromium is absent.
 */
@ExtendWith(ChromiumInstalled.class)
class WebPageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * A launcher of {@code driver} in its own session, so the driver and Chromium never share a process group
     * with the test JVM and no signal meant for them can reach it.
     */
    private static Path ownSession(Path driver) throws Exception {
        Path script = Path.of("target", "chromedriver-own-session");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\nexec setsid " + driver.toAbsolutePath() + " \"$@\"\n");
        if (!script.toFile().setExecutable(true)) {
            throw new IllegalStateException("cannot make " + script + " executable");
        }
        return script.toAbsolutePath();
    }

    @Test
    void aCustomerPlacesConfirmsAndPaysAnOrderAndWatchesItLive() throws Exception {
        // Selenium reports a CDP version it has no module for; the test does not use CDP.
        Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(ownSession(ChromiumInstalled.DRIVER).toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(ChromiumInstalled.CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900");
        try (RunningApp app = RunningApp.embedded()) {
            WebDriver browser = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, WAIT);
                browser.get(app.base().resolve("/").toString());
                wait.until(ExpectedConditions.textToBe(By.id("socket"), "live"));

                WebElement customer = browser.findElement(By.id("customer"));
                customer.clear();
                customer.sendKeys("customer-page");
                browser.findElement(By.id("place")).click();
                wait.until(ExpectedConditions.textToBe(By.id("order-status"), "OPEN"));
                String orderId = browser.findElement(By.id("order-id")).getText();
                assertTrue(orderId.startsWith("order-"), orderId);

                browser.findElement(By.id("add-line")).click();
                wait.until(ExpectedConditions.textToBe(By.id("order-lines"), "1"));
                assertEquals("2900", browser.findElement(By.id("order-total")).getText());

                browser.findElement(By.id("confirm")).click();
                wait.until(ExpectedConditions.textToBe(By.id("order-status"), "CONFIRMED"));
                wait.until(ExpectedConditions.textToBe(By.id("payment-state"), "REQUESTED"));
                browser.findElement(By.id("pay")).click();
                wait.until(ExpectedConditions.textToBe(By.id("saga-state"), "COMPLETED"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("saga-steps"), "ship"));

                // Someone else places an order: the list shows it without a reload.
                expect(201, app.call("POST", "/orders", "{\"customerId\":\"someone-else\",\"orderId\":\"order-elsewhere\"}"));
                wait.until(ExpectedConditions.textToBe(By.id("order-count"), "2"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("orders"), "order-elsewhere"));
                assertTrue(browser.findElement(By.id("orders")).getText().contains(orderId + " customer-page CONFIRMED"),
                        browser.findElement(By.id("orders")).getText());
                assertEquals("", browser.findElement(By.id("message")).getText(), "no error was shown");

                Path shot = Path.of("target", "screenshots", "order-page.png");
                Files.createDirectories(shot.getParent());
                Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
                assertTrue(Files.size(shot) > 0);
            } finally {
                browser.quit();
            }
        }
    }
}
