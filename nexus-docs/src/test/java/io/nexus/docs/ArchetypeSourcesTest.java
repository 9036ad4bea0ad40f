package io.nexus.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archetype generates the bank of the getting-started guide: each of its Java templates equals the
 * compiled and tested source here with {@code ${package}} for {@code com.example.bank}, and its pom uses
 * this build's Nexus version.
 */
class ArchetypeSourcesTest {

    private static final String PACKAGE = "com.example.bank";

    private final Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    private final Path templates = root.resolve("nexus-archetype/src/main/resources/archetype-resources");
    private final Path sources = root.resolve("nexus-docs/src/test/java/com/example/bank");

    @Test
    void everyTemplateIsATestedSource() throws IOException {
        List<String> names = new ArrayList<>();
        for (String dir : List.of("src/main/java", "src/test/java")) {
            try (Stream<Path> files = Files.list(templates.resolve(dir))) {
                for (Path template : files.sorted().toList()) {
                    String name = template.getFileName().toString();
                    names.add(name);
                    String expected = Files.readString(sources.resolve(name), StandardCharsets.UTF_8)
                            .replace("package " + PACKAGE + ";", "package ${package};")
                            .replace("import " + PACKAGE + ".", "import ${package}.");
                    assertEquals(expected, Files.readString(template, StandardCharsets.UTF_8), () -> template + " differs from "
                            + sources.resolve(name) + "; change the source here (it is compiled and tested) and copy it to the template");
                }
            }
        }
        try (Stream<Path> files = Files.list(sources)) {
            assertEquals(files.map(p -> p.getFileName().toString()).sorted().toList(), names.stream().sorted().toList(),
                    "every source of the guide's bank is a template of the archetype, and the reverse");
        }
    }

    @Test
    void theGeneratedPomUsesThisBuildsVersion() throws IOException {
        String pom = Files.readString(templates.resolve("pom.xml"), StandardCharsets.UTF_8);
        String version = System.getProperty("nexus.version");
        assertTrue(version != null && !version.isBlank(), "the build passes nexus.version to the tests");
        assertTrue(pom.contains("<nexus.version>" + version + "</nexus.version>"),
                () -> "the archetype's pom must use Nexus " + version + "; update <nexus.version> in " + templates.resolve("pom.xml"));
    }
}
