package io.nexus.docs;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every package of every published module declares its nullness: its package-info is {@code @NullMarked}, so its
 * signatures are non-null unless marked {@code @Nullable}, and NullAway (which the parent pom runs on every main
 * compile, in {@code OnlyNullMarked} mode) checks the package's code against them. A published module is one the
 * root pom lists that builds a jar and is deployed (not {@code maven.deploy.skip}: examples, benchmarks and these
 * docs are not); a new module or package is therefore checked from the start.
 */
class NullMarkedPackagesTest {

    private static final Pattern NULL_MARKED = Pattern.compile("(?m)^@NullMarked\\s*$");

    private final Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    @Test
    void everyPackageOfEveryPublishedModuleIsNullMarked() throws Exception {
        List<String> modules = publishedModules();
        assertTrue(modules.contains("nexus-core") && modules.contains("nexus-test-kit"),
                () -> "the published modules read from " + root.resolve("pom.xml") + " are " + modules
                        + "; nexus-core and nexus-test-kit must be among them, so the filter here is wrong");
        Set<String> unmarked = new TreeSet<>();
        for (String module : modules) {
            unmarked.addAll(unmarkedPackages(module));
        }
        assertEquals(Set.of(), unmarked, () -> "packages of " + modules + " without @NullMarked in their package-info. Add a "
                + "package-info.java with a javadoc and @NullMarked (org.jspecify.annotations), then mark the values that may be "
                + "null @Nullable; NullAway reports those it finds when the module compiles");
    }

    private List<String> publishedModules() throws Exception {
        List<String> published = new ArrayList<>();
        for (String module : texts(parse(root.resolve("pom.xml")).getDocumentElement(), "modules", "module")) {
            Element project = parse(root.resolve(module).resolve("pom.xml")).getDocumentElement();
            List<String> packaging = texts(project, null, "packaging");
            boolean jar = packaging.isEmpty() || packaging.get(0).equals("jar");
            boolean deployed = !texts(project, "properties", "maven.deploy.skip").contains("true");
            if (jar && deployed && Files.isDirectory(root.resolve(module).resolve("src/main/java"))) {
                published.add(module);
            }
        }
        return published;
    }

    private Set<String> unmarkedPackages(String module) throws IOException {
        Path sources = root.resolve(module).resolve("src/main/java");
        Set<String> unmarked = new TreeSet<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path dir : files.filter(Files::isDirectory).toList()) {
                boolean hasTypes;
                try (Stream<Path> children = Files.list(dir)) {
                    hasTypes = children.anyMatch(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"));
                }
                if (!hasTypes) {
                    continue;
                }
                Path info = dir.resolve("package-info.java");
                if (!Files.exists(info) || !NULL_MARKED.matcher(Files.readString(info)).find()) {
                    unmarked.add(module + ": " + sources.relativize(dir).toString().replace('/', '.').replace('\\', '.'));
                }
            }
        }
        return unmarked;
    }

    /** The texts of the {@code name} elements directly under {@code parent} (or under {@code project} when null). */
    private static List<String> texts(Element project, String parent, String name) {
        List<Element> containers = new ArrayList<>();
        if (parent == null) {
            containers.add(project);
        } else {
            containers.addAll(children(project, parent));
        }
        List<String> texts = new ArrayList<>();
        for (Element container : containers) {
            for (Element child : children(container, name)) {
                texts.add(child.getTextContent().strip());
            }
        }
        return texts;
    }

    private static List<Element> children(Element element, String name) {
        NodeList nodes = element.getChildNodes();
        List<Element> result = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element child && child.getTagName().equals(name)) {
                result.add(child);
            }
        }
        return result;
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }
}
