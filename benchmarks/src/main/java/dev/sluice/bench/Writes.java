package dev.sluice.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.sluice.bench.Entities.SpringWriteRow;
import dev.sluice.bench.Entities.WriteRow;
import dev.sluice.r2dbc.R2dbcRepo;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactories;
import org.springframework.data.r2dbc.core.R2dbcEntityTemplate;
import reactor.core.publisher.Flux;

/** Scenario 5: rows of 1 KiB into a fresh table per run, by Sluice, Spring Data R2DBC and JDBC. */
final class Writes {

    static final String BASELINE = "jdbc batch 500, reWriteBatchedInserts";
    private static final Instant TAKEN = Instant.parse("2024-05-01T12:00:00Z");

    private Writes() {
    }

    interface Body {
        long run(int rows) throws Exception;
    }

    static void run(Db db, Options o, Results results) throws Exception {
        results.scenario("5", "Writes: " + String.format(Locale.ROOT, "%,d", o.writeRows())
                + " rows x 1 KiB into a fresh table per run");
        byte[] payload = new byte[1024];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        try (R2dbcRepo repo = R2dbcRepo.create(db.r2dbcUrl(""));
             // without Sluice's driver extension: byte[] parameters go as the driver's hex text, as before it
             R2dbcRepo hexRepo = R2dbcRepo.create(db.r2dbcUrl("autodetectExtensions=false"));
             Connection jdbc = db.jdbc("reWriteBatchedInserts=true")) {
            ConnectionPool springPool = (ConnectionPool) ConnectionFactories.get(
                    db.r2dbcUrl("").replace("r2dbc:postgresql:", "r2dbc:pool:postgresql:"));
            R2dbcEntityTemplate template = new R2dbcEntityTemplate(springPool);
            Map<String, Body> variants = new LinkedHashMap<>();
            Map<String, Integer> sizes = new LinkedHashMap<>();
            variants.put("sluice insertAll (batches of 500)", n -> repo.insertAll(Flux.range(0, n)
                    .map(i -> new WriteRow(null, "w" + i, TAKEN, 1024, payload))).count().block());
            variants.put("sluice insertAll, bytea as hex (autodetectExtensions=false)", n -> hexRepo.insertAll(
                    Flux.range(0, n).map(i -> new WriteRow(null, "w" + i, TAKEN, 1024, payload))).count().block());
            variants.put("sluice insertAll in one transaction", n -> repo.inTransaction(tx -> tx.insertAll(
                    Flux.range(0, n).map(i -> new WriteRow(null, "w" + i, TAKEN, 1024, payload)))).count().block());
            variants.put("sluice copyIn", n -> repo.copyIn(WriteRow.class, Flux.range(0, n)
                    .map(i -> new WriteRow(null, "w" + i, TAKEN, 1024, payload))).block());
            variants.put("spring data r2dbc insert, one by one (saveAll)", n -> Flux.range(0, n)
                    .concatMap(i -> template.insert(new SpringWriteRow(null, "w" + i, TAKEN, 1024, payload)))
                    .count().block());
            variants.put(BASELINE, n -> {
                jdbc.setAutoCommit(false);
                try (PreparedStatement ps = jdbc.prepareStatement(
                        "INSERT INTO bench_write (name, taken_at, size_bytes, data) VALUES (?, ?, ?, ?)")) {
                    for (int i = 0; i < n; i++) {
                        ps.setString(1, "w" + i);
                        ps.setTimestamp(2, Timestamp.from(TAKEN));
                        ps.setInt(3, 1024);
                        ps.setBytes(4, payload);
                        ps.addBatch();
                        if ((i + 1) % 500 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                jdbc.commit();
                return n;
            });
            variants.keySet().forEach(k -> sizes.put(k, k.startsWith("spring") ? o.springWriteRows()
                    : o.writeRows()));
            List<String> names = new ArrayList<>(variants.keySet());
            Map<String, List<Double>> rate = new LinkedHashMap<>();
            try {
                for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
                    for (String name : Rounds.order(names, round)) {
                        int n = sizes.get(name);
                        db.execute("DROP TABLE IF EXISTS bench_write; CREATE TABLE bench_write (id bigint GENERATED "
                                + "BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, taken_at timestamptz NOT "
                                + "NULL, size_bytes int NOT NULL, data bytea NOT NULL)");
                        long t0 = System.nanoTime();
                        long written = variants.get(name).run(n);
                        double s = (System.nanoTime() - t0) / 1e9;
                        String count = db.queryString("SELECT count(*) FROM bench_write");
                        if (written != n || !String.valueOf(n).equals(count)) {
                            throw new IllegalStateException(name + " wrote " + written + " / table has " + count
                                    + ", expected " + n);
                        }
                        boolean warmup = round < o.warmupRounds();
                        System.out.printf(Locale.ROOT, "writes %s round %d %-48s %,8d rows %7.3f s %,9.0f rows/s%n",
                                warmup ? "warmup" : "      ", round, name, n, s, n / s);
                        if (!warmup) {
                            rate.computeIfAbsent(name, x -> new ArrayList<>()).add(n / s);
                        }
                    }
                }
            } finally {
                springPool.dispose();
                db.execute("DROP TABLE IF EXISTS bench_write");
            }
            for (String name : names) {
                results.add("5", name, "throughput", "rows/s", rate.get(name), BASELINE,
                        String.format(Locale.ROOT, "%,d rows per run", sizes.get(name)));
            }
        }
    }
}
