package io.drift.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.units.BurnCpu;
import io.drift.node.LocalCluster;
import io.drift.node.TestClusters;
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by Selenium through
 * Debian's chromedriver (no browser download at test time). Every node and a running job
 * appear; a move made elsewhere shows up as it happens; the page's own buttons move a job and
 * drain a node. A screenshot is left in {@code target/dashboard.png}. Without chromium the test
 * is skipped, unless {@code DRIFT_REQUIRE_BROWSER=1} (as {@code .ci/run} sets it): then it fails.
 */
class DashboardTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path profile;

  static WebDriver browser(Path profile) {
    boolean there = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!there && "1".equals(System.getenv("DRIFT_REQUIRE_BROWSER"))) {
      throw new AssertionError("DRIFT_REQUIRE_BROWSER=1 but " + CHROMIUM + " or " + CHROMEDRIVER
          + " is missing (apt-get install chromium chromium-driver)");
    }
    Assumptions.assumeTrue(there, "no chromium here: apt-get install chromium chromium-driver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // headless, and no calls out of this machine: its network is closed
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,900", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  static void screenshot(WebDriver page, String name) throws java.io.IOException {
    Files.write(Path.of("target", name), ((TakesScreenshot) page).getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void theDashboardShowsNodesJobsAndMovesAndItsButtonsMoveAndDrain() throws Exception {
    WebDriver page = browser(profile);
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1, 1),
            TestClusters.WRITABLE);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      JobHandle<Long> job = client.submit(JobSpec.of(new BurnCpu(300_000)).withName("shown"));
      String host = TestClusters.runningHost(c, job);
      String id = job.id().value();

      page.get("http://127.0.0.1:" + c.node(0).httpPort() + "/ui/#token="
          + TestClusters.TOKEN);
      probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(250), () -> {
        for (int i = 0; i < 3; i++) {
          assertEquals(1, page.findElements(By.cssSelector(
              ".node[data-node='" + c.node(i).selfNode() + "']")).size(), "node " + i);
        }
        WebElement row = page.findElement(By.cssSelector("tr[data-job='" + id + "']"));
        assertEquals("RUNNING", row.findElement(By.className("state")).getText());
        assertEquals(host, row.findElement(By.className("where")).getText());
        return null;
      });

      // a move made outside the page shows up as it happens
      String second = c.nodes().stream().map(n -> n.selfNode()).filter(n -> !n.equals(host))
          .findFirst().orElseThrow();
      job.migrate(second).toCompletableFuture().get(30, TimeUnit.SECONDS);
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(250), () -> {
        List<WebElement> events = page.findElements(By.cssSelector("#events li[data-job='" + id
            + "']"));
        assertEquals(1, events.size(), "one move event");
        assertTrue(events.get(0).getText().contains(host + " → " + second),
            events.get(0).getText());
        assertEquals(second, page.findElement(By.cssSelector("tr[data-job='" + id + "'] .where"))
            .getText());
        return null;
      });
      screenshot(page, "dashboard.png");

      // the page's own move: choose the third node and press move
      String third = c.nodes().stream().map(n -> n.selfNode())
          .filter(n -> !n.equals(host) && !n.equals(second)).findFirst().orElseThrow();
      page.findElement(By.cssSelector("tr[data-job='" + id + "'] select option[value='" + third
          + "']")).click();
      // the choice outlives the next poll: rows are updated in place, not redrawn
      String polled = page.findElement(By.id("updated")).getText();
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        assertTrue(!page.findElement(By.id("updated")).getText().equals(polled), "polled again");
        return null;
      });
      assertEquals(third, page.findElement(By.cssSelector("tr[data-job='" + id + "'] select"))
          .getDomProperty("value"));
      page.findElement(By.cssSelector("tr[data-job='" + id + "'] button")).click();
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(250), () -> {
        assertEquals(third, job.status().toCompletableFuture().get(5, TimeUnit.SECONDS).host());
        return null;
      });

      // and its drain: the third node's unit moves away, the node leaves, the page shows two
      page.findElement(By.cssSelector(".node[data-node='" + third + "'] button")).click();
      page.switchTo().alert().accept();
      probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
        assertEquals(2, page.findElements(By.cssSelector(".node")).size());
        String where = job.status().toCompletableFuture().get(5, TimeUnit.SECONDS).host();
        assertTrue(!where.equals(third) && !where.isEmpty(), where);
        return null;
      });
      assertTrue(page.findElement(By.id("message")).getText().contains("done"),
          page.findElement(By.id("message")).getText());
      screenshot(page, "dashboard-drained.png");
      job.cancel();
    } finally {
      page.quit();
    }
  }
}
