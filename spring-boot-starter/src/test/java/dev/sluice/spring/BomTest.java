package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The BOM users import names every library artifact at the build's version: it has no parent (so it hands its
 * importers no build-only versions), so nothing else keeps it in step.
 */
class BomTest {

    private static Document pom(String module) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of("..", module, "pom.xml").toFile());
    }

    private static String child(Element element, String name) {
        NodeList nodes = element.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        return "";
    }

    @Test
    void theBomManagesEveryLibraryArtifactAtTheBuildsVersion() throws Exception {
        Element parent = pom("").getDocumentElement();
        Element bom = pom("sluice-bom").getDocumentElement();
        assertThat(child(bom, "version")).isEqualTo(child(parent, "version"));
        assertThat(child(bom, "parent")).as("no parent").isEmpty();
        List<String> managed = new ArrayList<>();
        NodeList dependencies = bom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            assertThat(child(dependency, "version")).isEqualTo("${project.version}");
            managed.add(child(dependency, "artifactId"));
        }
        List<String> libraries = new ArrayList<>();
        for (String module : List.of("core", "r2dbc-adapter", "spring-boot-starter")) {
            libraries.add(child(pom(module).getDocumentElement(), "artifactId"));
        }
        assertThat(managed).containsExactlyElementsOf(libraries);
    }
}
