package io.nexus.docs;

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

/**
 * Compares the fenced code blocks of Markdown pages with the sources they name. A block is included when
 * the line before it (blank lines aside) is {@code <!-- include: path[#region] -->}: it must equal the
 * file at {@code path} (relative to the root), or the lines between {@code tag::region[]} and
 * {@code end::region[]} in it, without tag lines and dedented. With {@code update}, pages are rewritten
 * from their sources instead.
 */
final class DocSnippets {

    private static final Pattern INCLUDE = Pattern.compile("^<!-- include: (\\S+?)(?:#(\\S+))? -->$");
    private static final Pattern FENCE = Pattern.compile("^```(\\w*)\\s*$");
    private static final Pattern TAG = Pattern.compile("(?://|<!--|#)\\s*(?:tag|end)::[\\w-]+\\[]\\s*(?:-->)?\\s*$");

    /**
     * What a check found.
     *
     * @param problems one line per block that differs from its source or names none that exists
     * @param unmarked per page (relative path), its Java and XML blocks without an include marker
     * @param included how many blocks were compared with a source
     */
    record Report(List<String> problems, Map<String, Integer> unmarked, int included) { }

    private DocSnippets() {
    }

    static Report check(Path root, List<Path> pages, boolean update) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> unmarked = new TreeMap<>();
        int included = 0;
        for (Path page : pages) {
            String name = root.relativize(page).toString().replace('\\', '/');
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            Matcher pendingInclude = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher include = INCLUDE.matcher(line.strip());
                Matcher fence = FENCE.matcher(line);
                if (include.matches()) {
                    pendingInclude = include;
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
                        String source = pendingInclude.group(1) + (pendingInclude.group(2) == null ? "" : "#" + pendingInclude.group(2));
                        List<String> expected;
                        try {
                            expected = region(root, pendingInclude.group(1), pendingInclude.group(2));
                        } catch (IllegalArgumentException e) {
                            problems.add(name + ":" + (i + 1) + ": " + e.getMessage());
                            expected = block;
                        }
                        if (!expected.equals(block)) {
                            problems.add(name + ":" + (i + 1) + ": the block differs from " + source + firstDifference(expected, block)
                                    + "; run the docs test with -Dnexus.docs.update=true to copy the source into the page");
                        }
                        out.addAll(update ? expected : block);
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
        return new Report(problems, unmarked, included);
    }

    /** The lines of {@code path} (or of its region), without tag lines, dedented to the least indentation. */
    static List<String> region(Path root, String path, String region) {
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
