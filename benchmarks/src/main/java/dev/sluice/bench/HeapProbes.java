package dev.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.sluice.bench.Entities.Picture;
import dev.sluice.r2dbc.R2dbcRepo;
import reactor.core.publisher.Mono;

/**
 * Scenario 1x: the smallest heap in which each streaming variant scans the whole table, each try in a JVM of its own
 * ({@code --xmx-probe NAME}) started with {@code -Xmx32m}, then 64m, then 128m.
 */
final class HeapProbes {

    /** The variants probed, by the names {@code --xmx-probe} takes. */
    static final List<String> VARIANTS = List.of("sluice-scan", "sluice-scan-limitRate500", "sluice-cursor",
            "raw-binary");

    private HeapProbes() {
    }

    /** Forks a JVM per variant and heap size, smallest first, and records the smallest heap that completed. */
    static void run(Options o, Results results) throws Exception {
        for (String name : VARIANTS) {
            String smallest = "none of 32m/64m/128m";
            List<String> tried = new ArrayList<>();
            for (String heap : List.of("32m", "64m", "128m")) {
                Process p = Forks.start(List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"),
                        List.of("--xmx-probe", name, "--url", o.url()));
                byte[] output = p.getInputStream().readAllBytes();
                boolean done = p.waitFor(180, TimeUnit.SECONDS);
                int code = done ? p.exitValue() : -1;
                String text = new String(output, StandardCharsets.UTF_8).trim();
                String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
                System.out.printf(Locale.ROOT, "heap probe %-28s -Xmx%-5s exit %d  %s%n", name, heap, code, last);
                tried.add("-Xmx" + heap + (code == 0 ? " ok" : " failed (exit " + code + ")"));
                if (code == 0) {
                    smallest = "-Xmx" + heap;
                    break;
                }
            }
            results.add("1x", name, "smallest -Xmx that completes", "tried in order",
                    List.of(), null, smallest + " (" + String.join(", ", tried) + ")");
        }
        results.scenario("1x", "Smallest heap that completes a full scan (forked JVM per try)");
    }

    /** The child side of a heap probe: runs one streaming variant once over the whole table; its exit code. */
    static int child(Db db, String name) {
        try (R2dbcRepo repo = R2dbcRepo.create(db.r2dbcUrl(""))) {
            Tally.Sample s = switch (name) {
                case "sluice-scan" -> Scans.sluice(repo.scan(Picture.class));
                case "sluice-scan-limitRate500" -> Scans.sluice(repo.scan(Picture.class).limitRate(500));
                case "sluice-cursor" -> Scans.sluice(repo.select(Picture.class).orderBy("taken_at").inOneSnapshot()
                        .flux());
                default -> {
                    io.r2dbc.spi.Connection c = Mono.from(db.rawFactory(db.port(), true, "bench-probe").create())
                            .block();
                    yield Scans.raw(c, true, 0);
                }
            };
            System.out.printf(Locale.ROOT, "probe %s: %d rows in %.2f s, first row after %.1f ms%n", name, s.rows(),
                    s.seconds(), s.firstRowMillis());
            return 0;
        } catch (Throwable t) {
            System.out.println("probe " + name + " failed: " + t);
            return 1;
        }
    }
}
