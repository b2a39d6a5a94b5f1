package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice on the module path, as a modular application uses it: an application module that requires
 * {@code dev.sluice.r2dbc} and opens its entities' package to {@code dev.sluice.core} scans a table, with the values
 * exact (so Sluice's r2dbc-postgresql extension was found as a service); and the same application cannot compile
 * against {@code dev.sluice.internal}, which core exports to the adapter only.
 */
class ModulePathSpec {

    /** The jars a Sluice application runs with, by the start of their file names: Sluice, its driver, their needs. */
    private static final List<String> RUNTIME = List.of("sluice-core", "sluice-r2dbc", "reactor-core", "r2dbc-",
            "reactive-streams", "reactor-pool", "reactor-netty-core", "netty-", "scram-", "saslprep", "stringprep",
            "jspecify");

    private static final String MODULE_INFO = """
            module com.example.app {
                requires dev.sluice.r2dbc;
                opens com.example.app to dev.sluice.core;
            }
            """;

    private static final String MAIN = """
            package com.example.app;

            import dev.sluice.annotation.Id;
            import dev.sluice.annotation.Table;
            import dev.sluice.r2dbc.R2dbcRepo;

            public class Main {
                @Table("module_item")
                public record Item(@Id Long id, java.math.BigDecimal price, java.time.LocalDate day) {
                }

                public static void main(String[] args) {
                    try (R2dbcRepo repo = R2dbcRepo.create(args[0])) {
                        repo.scan(Item.class).doOnNext(item -> System.out.println("row " + item.id() + " "
                                + item.price().toPlainString() + " " + item.day())).blockLast();
                    }
                }
            }
            """;

    @BeforeAll
    static void table() {
        Fixtures.db().execute("DROP TABLE IF EXISTS module_item",
                "CREATE TABLE module_item (id bigint PRIMARY KEY, price numeric(10,2) NOT NULL, day date NOT NULL)",
                "INSERT INTO module_item VALUES (1, 0.00, '0001-01-01'), (2, 1.10, '2026-12-01')");
    }

    @Test
    void aModularApplicationScansThroughTheAdaptersModuleWithValuesExact(@TempDir Path dir) throws Exception {
        Path classes = compile(dir, MAIN);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath() + File.pathSeparator + classes,
                // r2dbc-postgresql is an automatic module: it does not say that it needs Netty's handler module
                "--add-modules", "ALL-MODULE-PATH",
                "-m", "com.example.app/com.example.app.Main", Fixtures.db().r2dbcUrl());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> rows = output.lines().filter(line -> line.startsWith("row ")).toList();
        assertThat(rows).as(output).containsExactly(
                "row 1 " + Fixtures.queryString("SELECT price::text FROM module_item WHERE id = 1") + " 0001-01-01",
                "row 2 " + Fixtures.queryString("SELECT price::text FROM module_item WHERE id = 2") + " 2026-12-01");
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void anApplicationModuleCannotReachSluicesInternals(@TempDir Path dir) throws Exception {
        String reaching = MAIN.replace("import dev.sluice.r2dbc.R2dbcRepo;",
                "import dev.sluice.r2dbc.R2dbcRepo;\nimport dev.sluice.internal.RepoSettings;")
                .replace("public static void main(String[] args) {",
                        "public static void main(String[] args) {\n        System.out.println(RepoSettings.DEFAULTS);");
        StringBuilder errors = new StringBuilder();
        assertThat(compile(dir, reaching, errors)).isNull();
        assertThat(errors.toString()).contains("package dev.sluice.internal is not visible");
    }

    private static Path compile(Path dir, String main) throws IOException {
        StringBuilder errors = new StringBuilder();
        Path classes = compile(dir, main, errors);
        assertThat(classes).as(errors.toString()).isNotNull();
        return classes;
    }

    /** Compiles the application module; null when it does not compile, with javac's words in {@code errors}. */
    private static @Nullable Path compile(Path dir, String main, StringBuilder errors) throws IOException {
        Path source = dir.resolve("src");
        Path app = Files.createDirectories(source.resolve("com/example/app"));
        Files.writeString(source.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(app.resolve("Main.java"), main);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int status = javac.run(null, messages, messages, "-d", classes.toString(), "--module-path", modulePath(),
                source.resolve("module-info.java").toString(), app.resolve("Main.java").toString());
        errors.append(messages.toString(StandardCharsets.UTF_8));
        if (status != 0) {
            return null;
        }
        return classes;
    }

    /** The entries of this JVM's class path that a Sluice application runs with. */
    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName().toString();
            boolean sluiceClasses = Files.isDirectory(path) && (entry.contains("/core/target/classes")
                    || entry.contains("/r2dbc-adapter/target/classes"));
            if (sluiceClasses || (name.endsWith(".jar") && RUNTIME.stream().anyMatch(name::startsWith))) {
                entries.add(entry);
            }
        }
        assertThat(entries).as("Sluice's core and adapter are on the class path")
                .anyMatch(e -> e.contains("sluice-core") || e.contains("/core/target/classes"))
                .anyMatch(e -> e.contains("sluice-r2dbc") || e.contains("/r2dbc-adapter/target/classes"));
        return entries.stream().collect(Collectors.joining(File.pathSeparator));
    }
}
