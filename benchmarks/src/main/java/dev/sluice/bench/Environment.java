package dev.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Properties;

/** What the run ran on, recorded with its results: machine, JVM, database, library versions, rounds and data. */
final class Environment {

    private Environment() {
    }

    static void record(Db db, Options o, Results results) throws Exception {
        results.environment("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        results.environment("mode", o.quick() ? "--quick" : "full");
        results.environment("cpus (nproc)", String.valueOf(Runtime.getRuntime().availableProcessors()));
        results.environment("cpu", firstLine("/proc/cpuinfo", "model name"));
        results.environment("memory", firstLine("/proc/meminfo", "MemTotal"));
        results.environment("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        results.environment("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        results.environment("jvm heap (-Xmx)", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        // Netty's leak detector (SIMPLE unless set) costs every r2dbc variant about 8-10%, none of pgjdbc's
        results.environment("netty leak detection", io.netty.util.ResourceLeakDetector.getLevel().name()
                + (System.getProperty(Forks.LEAK_DETECTION) == null ? " (Netty's default; set with -D"
                + Forks.LEAK_DETECTION + "=disabled)" : " (-D" + Forks.LEAK_DETECTION + ")"));
        results.environment("postgresql", String.valueOf(db.queryString("SELECT version()")));
        Properties versions = new Properties();
        try (InputStream in = Environment.class.getResourceAsStream("/sluice-bench-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        }
        versions.stringPropertyNames().stream().sorted()
                .forEach(k -> results.environment("version " + k, versions.getProperty(k)));
        results.environment("rounds", o.rounds() + " measured, after " + o.warmupRounds() + " warm-up round(s); "
                + (o.fork() && (o.scenarios().contains("1") || o.scenarios().contains("4"))
                ? "scenarios 1 and 4: every round of every variant in a fresh JVM (its warm-up rounds, then one "
                + "measured), alternated; other scenarios: " : "")
                + "alternated in one JVM (variant order rotates per round)");
        results.environment("data", String.format(Locale.ROOT, "bench_picture %,d x 1 KiB; bench_album %,d x %d "
                + "bench_photo", o.pictures(), o.albums(), o.photosPerAlbum()));
    }

    private static String firstLine(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "unknown";
    }
}
