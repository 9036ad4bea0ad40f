package io.nexus.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every code block of README.md and docs/ that is marked {@code <!-- include: path[#region] -->} equals
 * the file (or the region between {@code tag::region[]} and {@code end::region[]}) it names, so a doc
 * cannot drift from the code the build compiles and runs. Paths are relative to the repository root.
 *
 * <p>Run with {@code -Dnexus.docs.update=true} to rewrite the blocks from their sources instead.
 *
 * <p>Every Java and XML block must be included this way: a block without a marker fails the test, naming its
 * page, so no code reaches a reader that the build has not compiled. Shell commands and illustrations that are
 * no code a user pastes are {@code text} or {@code shell} blocks.
 */
class DocsSnippetsTest {

    private final Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    private final boolean update = Boolean.getBoolean("nexus.docs.update");

    @Test
    void everyJavaAndXmlBlockIsIncludedAndEqualsItsSource() throws IOException {
        DocSnippets.Report report = DocSnippets.check(root, pages(), update);
        if (update) {
            return;
        }
        if (!report.problems().isEmpty()) {
            fail(report.problems().size() + " doc block(s) differ from their sources:\n" + String.join("\n", report.problems()));
        }
        if (!report.unmarked().isEmpty()) {
            fail("Java and XML blocks without an <!-- include: path#region --> marker, per page: " + report.unmarked()
                    + ". Put the code in a test or example that the build compiles, mark its region with tag::name[] and "
                    + "end::name[], and put <!-- include: path#name --> before the block; a shell command or an "
                    + "illustration that is no code to paste is a ```text or ```shell block");
        }
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
