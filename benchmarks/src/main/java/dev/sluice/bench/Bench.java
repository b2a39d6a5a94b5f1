package dev.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs the benchmarks and writes benchmarks/results/{results.json, RESULTS.md, scan-throughput.png}.
 *
 * <pre>
 * mvn -q -Dmaven.test.skip=true -pl benchmarks -am package exec:java -Dexec.args="--quick"
 * </pre>
 *
 * The options are in {@link Options}. A run records its {@link Environment}, makes sure the data is there
 * ({@link Data}), runs the chosen scenarios one after the other ({@link Scans}, with {@link HeapProbes} after scenario
 * 1, {@link Backpressure}, {@link Relations}, {@link Writes}, {@link Partitions}) and writes their {@link Results}. The same main class is
 * the child JVM of {@code --fork} and of the heap probes ({@link Forks}).
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Db db = Db.parse(o.url());
        if (o.probe() != null) {
            System.exit(HeapProbes.child(db, o.probe()));
            return;
        }
        if (o.only() != null) {
            System.exit(o.scenarios().contains("4") ? Relations.child(o) : Scans.child(o));
            return;
        }
        long t0 = System.nanoTime();
        Results results = new Results();
        Environment.record(db, o, results);
        results.environment().forEach((k, v) -> System.out.println("env: " + k + " = " + v));
        if (!o.scenarios().equals(java.util.Set.of("5"))) { // scenario 5 writes tables of its own
            Data.ensure(db, o.pictures(), o.albums(), o.photosPerAlbum());
        }
        if (o.scenarios().contains("1")) {
            Scans.run(db, o, results);
            if (o.xmx()) {
                HeapProbes.run(o, results);
            }
        }
        if (o.scenarios().contains("2")) {
            Backpressure.slowSubscriber(db, results);
        }
        if (o.scenarios().contains("3")) {
            Backpressure.take10(db, o, results);
        }
        if (o.scenarios().contains("4")) {
            Relations.run(db, o, results);
        }
        if (o.scenarios().contains("5")) {
            Writes.run(db, o, results);
        }
        if (o.scenarios().contains("6")) {
            Backpressure.concurrent(db, o, results);
        }
        if (o.scenarios().contains("7")) {
            Partitions.run(db, o, results);
        }
        results.environment("run time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9));
        Path out = o.out() != null ? o.out() : defaultOut();
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.json"), results.toJson());
        Files.writeString(out.resolve("RESULTS.md"), results.toMarkdown());
        if (o.scenarios().contains("1")) {
            Chart.scanThroughput(results, out.resolve("scan-throughput.png"));
        }
        System.out.println();
        System.out.println(results.toMarkdown());
        System.out.println("Wrote " + out.toAbsolutePath() + "/{results.json, RESULTS.md"
                + (o.scenarios().contains("1") ? ", scan-throughput.png" : "") + "}");
        System.exit(0); // Netty and pool threads are not daemons
    }

    private static Path defaultOut() {
        String dir = System.getProperty("bench.dir");
        if (dir != null) {
            return Path.of(dir, "results");
        }
        return Files.isDirectory(Path.of("benchmarks")) ? Path.of("benchmarks", "results") : Path.of("results");
    }
}
