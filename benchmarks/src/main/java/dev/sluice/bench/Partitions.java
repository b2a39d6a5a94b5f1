package dev.sluice.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.sluice.Partition;
import dev.sluice.bench.Entities.Picture;
import dev.sluice.r2dbc.R2dbcRepo;

/**
 * Scenario 7: the full scan of scenario 1 as one stream, and split into partitions ({@code query.parallel(n)}), each
 * partition on its own connections with its own demand, merged in one JVM; and how long the split itself takes. On a
 * server with cores to spare the partitions' statements run side by side; on a machine of two cores shared by the
 * database and the client, there is little to spare.
 */
final class Partitions {

    static final String BASELINE = "sluice scan (one stream)";

    private Partitions() {
    }

    static void run(Db db, Options o, Results results) throws Exception {
        results.scenario("7", "Partitioned scan of bench_picture (" + String.format(Locale.ROOT, "%,d", o.pictures())
                + " rows x 1 KiB): query.parallel(n) against one stream, pool of 8, one JVM");
        try (R2dbcRepo repo = R2dbcRepo.create(db.r2dbcUrl("maxSize=8"))) {
            List<Scans.Variant> variants = List.of(
                    Scans.of(BASELINE, () -> Scans.sluice(repo.scan(Picture.class))),
                    Scans.of("sluice parallel(2)", () -> Scans.sluice(repo.select(Picture.class).parallel(2))),
                    Scans.of("sluice parallel(4)", () -> Scans.sluice(repo.select(Picture.class).parallel(4))),
                    Scans.of("sluice 4 partitions one after another", () -> Scans.sluice(
                            repo.select(Picture.class).partitions(4).flatMapMany(ps -> reactor.core.publisher.Flux
                                    .concat(ps.stream().map(p -> p.query().flux()).toList())))));
            Map<String, List<Double>> throughput = new LinkedHashMap<>();
            variants.forEach(v -> throughput.put(v.name(), new ArrayList<>()));
            List<Double> splitMillis = new ArrayList<>();
            int total = o.warmupRounds() + o.rounds();
            for (int round = 0; round < total; round++) {
                boolean warmup = round < o.warmupRounds();
                for (Scans.Variant v : Rounds.order(variants, round)) {
                    Tally.Sample s = v.run();
                    System.out.printf(Locale.ROOT, "partitions %s round %d %-40s %,9d rows %8.3f s %,10.0f rows/s%n",
                            warmup ? "warmup" : "      ", round, v.name(), s.rows(), s.seconds(), s.rowsPerSecond());
                    if (s.rows() != o.pictures()) {
                        throw new IllegalStateException(v.name() + " read " + s.rows() + " rows, expected "
                                + o.pictures());
                    }
                    if (!warmup) {
                        present(throughput.get(v.name())).add(s.rowsPerSecond());
                    }
                }
                long t0 = System.nanoTime();
                List<Partition<Picture>> split = repo.select(Picture.class).partitions(4).block();
                if (!warmup && split != null) {
                    splitMillis.add((System.nanoTime() - t0) / 1e6);
                }
            }
            throughput.forEach((name, samples) -> results.add("7", name, "throughput", "rows/s", samples, BASELINE,
                    ""));
            results.add("7", "partitions(4): the split itself", "time", "ms", splitMillis, null,
                    "one pg_stats lookup (bench_picture is analyzed)");
        }
    }

    private static <T> T present(T value) {
        if (value == null) {
            throw new IllegalStateException("no such variant");
        }
        return value;
    }
}
