package io.nexus.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker behind {@link DocsSnippetsTest}, on pages and sources of its own. */
class DocSnippetsTest {

    @TempDir
    Path root;

    private Path page(String text) throws IOException {
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("src/Example.java"), """
                class Example {
                    void run() {
                        // tag::call[]
                        greet("ann");
                        // end::call[]
                    }
                }
                """);
        return Files.writeString(root.resolve("page.md"), text);
    }

    @Test
    void aBlockEqualToItsRegionPassesAndUnmarkedBlocksAreCounted() throws IOException {
        Path page = page("""
                Intro.

                <!-- include: src/Example.java#call -->
                ```java
                greet("ann");
                ```

                ```java
                anIllustration();
                ```

                ```bash
                mvn verify
                ```
                """);
        DocSnippets.Report report = DocSnippets.check(root, List.of(page), false);
        assertEquals(List.of(), report.problems());
        assertEquals(Map.of("page.md", 1), report.unmarked(), "the Java block without a marker; bash is not counted");
        assertEquals(1, report.included());
    }

    @Test
    void aDriftedBlockIsReportedWithItsLineAndTheUpdateRewritesIt() throws IOException {
        Path page = page("""
                <!-- include: src/Example.java#call -->
                ```java
                greet("bob");
                ```
                """);
        DocSnippets.Report report = DocSnippets.check(root, List.of(page), false);
        assertEquals(List.of("page.md:2: the block differs from src/Example.java#call at its line 1: the source has 'greet(\"ann\");', "
                + "the page 'greet(\"bob\");'; run the docs test with -Dnexus.docs.update=true to copy the source into the page"),
                report.problems());

        DocSnippets.check(root, List.of(page), true);
        assertTrue(Files.readString(page).contains("```java\ngreet(\"ann\");\n```"), Files.readString(page));
        assertEquals(List.of(), DocSnippets.check(root, List.of(page), false).problems());
    }

    @Test
    void aWholeFileIsIncludedWithoutItsTagLines() throws IOException {
        Path page = page("""
                <!-- include: src/Example.java -->
                ```java
                class Example {
                    void run() {
                        greet("ann");
                    }
                }
                ```
                """);
        assertEquals(List.of(), DocSnippets.check(root, List.of(page), false).problems());
    }

    @Test
    void aMissingFileOrRegionIsAProblem() throws IOException {
        Path page = page("""
                <!-- include: src/Missing.java -->
                ```java
                x();
                ```

                <!-- include: src/Example.java#nowhere -->
                ```java
                y();
                ```
                """);
        assertEquals(List.of("page.md:2: 'src/Missing.java' is not a file of the repository",
                "page.md:7: 'src/Example.java' has no 'tag::nowhere[]' line"), DocSnippets.check(root, List.of(page), false).problems());
    }
}
