package io.nexus.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every code block of README.md and docs/ that is marked {@code <!-- include: path[#region] -->} equals
 * the file (or the region between {@code tag::region[]} and {@code end::region[]}) it names, so a doc
 * cannot drift from the code the build compiles and runs. Paths are relative to the repository root.
 *
 * <p>Run with {@code -Dnexus.docs.update=true} to rewrite the blocks from their sources instead.
 *
 * <p>Java and XML blocks without a marker are counted per page: {@link #UNMARKED} lists the pages not yet
 * moved to included sources with how many such blocks they still have; the count may only go down (the
 * test fails when a page gains an unmarked block, or loses one without the list being lowered).
 */
class DocsSnippetsTest {

    /** Pages whose Java and XML blocks are not all included from compiled sources yet, with the count left. */
    private static final Map<String, Integer> UNMARKED = Map.ofEntries(
            Map.entry("docs/dynamodb.md", 3),
            Map.entry("docs/getting-started.md", 3),
            Map.entry("docs/governance.md", 3),
            Map.entry("docs/kinesis.md", 2),
            Map.entry("docs/opensearch.md", 4),
            Map.entry("docs/postgresql.md", 2),
            Map.entry("docs/projections.md", 8),
            Map.entry("docs/sagas.md", 6),
            Map.entry("docs/schema-governance.md", 5),
            Map.entry("docs/whole-system-test.md", 1));

    private final Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    private final boolean update = Boolean.getBoolean("nexus.docs.update");

    @Test
    void everyIncludedBlockEqualsItsSource() throws IOException {
        DocSnippets.Report report = DocSnippets.check(root, pages(), update);
        if (update) {
            return;
        }
        if (!report.problems().isEmpty()) {
            fail(report.problems().size() + " doc block(s) differ from their sources:\n" + String.join("\n", report.problems()));
        }
        assertEquals(new TreeMap<>(UNMARKED), report.unmarked(), "Java and XML blocks without an <!-- include: path#region --> "
                + "marker, per page. A new block must be included from a compiled source (put the code in a test or example and "
                + "mark its region); when a block is moved to a source, lower its page's count in DocsSnippetsTest.UNMARKED");
        if (report.included() < 8) {
            fail("only " + report.included() + " included blocks found; is the repository root " + root + "?");
        }
    }

    private List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }
}
