package io.nexus.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    private static final Pattern INCLUDE = Pattern.compile("^<!-- include: (\\S+?)(?:#(\\S+))? -->$");
    private static final Pattern FENCE = Pattern.compile("^```(\\w*)\\s*$");
    private static final Pattern TAG = Pattern.compile("(?://|<!--|#)\\s*(?:tag|end)::[\\w-]+\\[]\\s*(?:-->)?\\s*$");

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
        List<String> problems = new ArrayList<>();
        Map<String, Integer> unmarked = new TreeMap<>();
        int included = 0;
        for (Path page : pages()) {
            String name = root.relativize(page).toString().replace('\\', '/');
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            String pendingInclude = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher include = INCLUDE.matcher(line.strip());
                Matcher fence = FENCE.matcher(line);
                if (include.matches()) {
                    pendingInclude = line.strip();
                    out.add(line);
                    continue;
                }
                if (fence.matches() && !fence.group(1).isEmpty()) {
                    int end = i + 1;
                    while (end < lines.size() && !lines.get(end).startsWith("```")) {
                        end++;
                    }
                    List<String> block = lines.subList(i + 1, Math.min(end, lines.size()));
                    out.add(line);
                    if (pendingInclude != null) {
                        included++;
                        Matcher m = INCLUDE.matcher(pendingInclude);
                        m.matches();
                        List<String> source;
                        try {
                            source = region(m.group(1), m.group(2));
                        } catch (IllegalArgumentException e) {
                            problems.add(name + ":" + (i + 1) + ": " + e.getMessage());
                            source = block;
                        }
                        if (!source.equals(block)) {
                            problems.add(name + ":" + (i + 1) + ": the block differs from " + m.group(1)
                                    + (m.group(2) == null ? "" : "#" + m.group(2)) + firstDifference(source, block)
                                    + "; run the docs test with -Dnexus.docs.update=true to copy the source into the page");
                        }
                        out.addAll(update ? source : block);
                    } else {
                        if (fence.group(1).equals("java") || fence.group(1).equals("xml")) {
                            unmarked.merge(name, 1, Integer::sum);
                        }
                        out.addAll(block);
                    }
                    if (end < lines.size()) {
                        out.add(lines.get(end));
                    }
                    i = end;
                    pendingInclude = null;
                    continue;
                }
                if (!line.isBlank()) {
                    pendingInclude = null;
                }
                out.add(line);
            }
            if (update && !out.equals(lines)) {
                Files.write(page, out, StandardCharsets.UTF_8);
            }
        }
        if (update) {
            return;
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " doc block(s) differ from their sources:\n" + String.join("\n", problems));
        }
        Map<String, Integer> expected = new TreeMap<>(UNMARKED);
        assertEquals(expected, unmarked, "Java and XML blocks without an <!-- include: path#region --> marker, per page. A new block "
                + "must be included from a compiled source (put the code in a test or example and mark its region); when a block "
                + "is moved to a source, lower its page's count in DocsSnippetsTest.UNMARKED");
        if (included < 8) {
            fail("only " + included + " included blocks found; is the repository root " + root + "?");
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

    /** The lines of {@code path} (or of its region), without tag lines, dedented to the region's least indentation. */
    private List<String> region(String path, String region) {
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("'" + path + "' is not a file of the repository");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (region != null) {
            int start = indexOf(lines, "tag::" + region + "[]", path);
            int end = indexOf(lines, "end::" + region + "[]", path);
            if (end < start) {
                throw new IllegalArgumentException("region '" + region + "' of '" + path + "' ends before it starts");
            }
            lines = lines.subList(start + 1, end);
        }
        List<String> kept = lines.stream().filter(l -> !TAG.matcher(l).find()).toList();
        int indent = kept.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> result = new ArrayList<>(kept.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
        while (!result.isEmpty() && result.get(result.size() - 1).isBlank()) {
            result.remove(result.size() - 1);
        }
        return result;
    }

    private static int indexOf(List<String> lines, String marker, String path) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i;
            }
        }
        throw new IllegalArgumentException("'" + path + "' has no '" + marker + "' line");
    }

    private static String firstDifference(List<String> source, List<String> block) {
        for (int i = 0; i < Math.min(source.size(), block.size()); i++) {
            if (!source.get(i).equals(block.get(i))) {
                return " at its line " + (i + 1) + ": the source has '" + source.get(i) + "', the page '" + block.get(i) + "'";
            }
        }
        return ": the source has " + source.size() + " lines, the page " + block.size();
    }
}
