package io.nexus.docs;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dependency declarations the guides include from {@code dependencies/adapters.xml} resolve in a project
 * that imports the BOM: each names an {@code io.nexus} module that {@code nexus-bom} manages, and no version.
 */
class DependencySnippetsTest {

    private final Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    @Test
    void everyDeclaredDependencyIsManagedByTheBom() throws Exception {
        Set<String> managed = new TreeSet<>();
        for (Element dependency : dependencies(parse(root.resolve("nexus-bom/pom.xml")))) {
            managed.add(text(dependency, "groupId") + ":" + text(dependency, "artifactId"));
        }
        List<Element> declared = dependencies(parse(root.resolve("nexus-docs/src/test/resources/dependencies/adapters.xml")));
        assertEquals(4, declared.size(), "dependency declarations in adapters.xml");
        for (Element dependency : declared) {
            String coordinates = text(dependency, "groupId") + ":" + text(dependency, "artifactId");
            assertTrue(managed.contains(coordinates), "'" + coordinates + "' is not managed by nexus-bom, which manages " + managed
                    + "; add it to the BOM or fix the declaration");
            assertEquals(0, dependency.getElementsByTagName("version").getLength(),
                    "'" + coordinates + "' names a version; with the BOM imported it must not");
        }
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    private static List<Element> dependencies(Document document) {
        NodeList nodes = document.getElementsByTagName("dependency");
        List<Element> result = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            result.add((Element) nodes.item(i));
        }
        return result;
    }

    private static String text(Element element, String child) {
        return element.getElementsByTagName(child).item(0).getTextContent().strip();
    }
}
