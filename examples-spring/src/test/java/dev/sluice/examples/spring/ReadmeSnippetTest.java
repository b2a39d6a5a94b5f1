package dev.sluice.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The README and docs/spring.md show the example controller as it is compiled here, so they cannot drift apart. */
class ReadmeSnippetTest {

    private static String controller() throws IOException {
        return controller("PictureController");
    }

    private static String controller(String name) throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/sluice/examples/spring/" + name + ".java"));
        return source.substring(source.indexOf("@RestController")).strip();
    }

    @Test
    void theReadmeShowsTheCompiledPagingController() throws IOException {
        assertThat(Files.readString(Path.of("../README.md"))).contains(controller("PicturePageController"));
    }

    @Test
    void theReadmeShowsTheCompiledController() throws IOException {
        assertThat(Files.readString(Path.of("../README.md"))).contains(controller());
    }

    @Test
    void theSpringGuideShowsTheCompiledController() throws IOException {
        assertThat(Files.readString(Path.of("../docs/spring.md"))).contains(controller());
    }
}
