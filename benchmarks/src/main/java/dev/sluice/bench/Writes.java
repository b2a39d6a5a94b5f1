package dev.sluice.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.springframework.data.r2dbc.core.R2dbcEntityTemplate;
import reactor.core.publisher.Flux;

/** Scenario 5: rows of 1 KiB into a fresh table per run, by Sluice, Spring Data R2DBC and JDBC. */
final class Writes {

    static final String BASELINE = "jdbc batch 500, reWriteBatchedInserts";
    static final String COPY_IN = "sluice copyIn";
    static final String PSQL = "psql \\copy from a binary file";
    private static final String TABLE = "DROP TABLE IF EXISTS bench_write; CREATE TABLE bench_write (id bigint GENERATED "
            + "BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, taken_at timestamptz NOT NULL, size_bytes int NOT "
            + "NULL, data bytea NOT NULL)";
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
             Connection jdbc = db.jdbc("reWriteBatchedInserts=true")) {
            ConnectionPool springPool = (ConnectionPool) ConnectionFactories.get(
                    db.r2dbcUrl("").replace("r2dbc:postgresql:", "r2dbc:pool:postgresql:"));
            R2dbcEntityTemplate template = new R2dbcEntityTemplate(springPool);
            Map<String, Body> variants = new LinkedHashMap<>();
            Map<String, Integer> sizes = new LinkedHashMap<>();
            variants.put("sluice insertAll (batches of 500)", n -> repo.insertAll(Flux.range(0, n)
                    .map(i -> new WriteRow(null, "w" + i, TAKEN, 1024, payload))).count().block());
            variants.put("sluice insertAll in one transaction", n -> repo.inTransaction(tx -> tx.insertAll(
                    Flux.range(0, n).map(i -> new WriteRow(null, "w" + i, TAKEN, 1024, payload)))).count().block());
            variants.put(COPY_IN, n -> repo.copyIn(WriteRow.class, Flux.range(0, n)
                    .map(i -> new WriteRow(null, "w" + i, TAKEN, 1024, payload))).block());
            variants.put("spring data r2dbc insert, one by one (saveAll)", n -> Flux.range(0, n)
                    .concatMap(i -> template.insert(new SpringWriteRow(null, "w" + i, TAKEN, 1024, payload)))
                    .count().block());
            // the same rows in a binary COPY file, written once before the rounds (untimed): psql reads it from disk
            Path file = Files.createTempFile("bench_write", ".copy");
            variants.put(PSQL, n -> psqlCopy(db, file, n));
            variants.put(BASELINE, n -> jdbcBatch(jdbc, n, payload, false));
            // as insertAll outside a transaction: each batch of 500 its own transaction, a commit (a WAL flush) each
            variants.put("jdbc batch 500, reWriteBatchedInserts, autocommit (a commit per batch)",
                    n -> jdbcBatch(jdbc, n, payload, true));
            variants.keySet().removeIf(name -> !o.variants().isEmpty() && o.variants().stream().noneMatch(name::contains));
            variants.keySet().forEach(k -> sizes.put(k, k.startsWith("spring") ? o.springWriteRows()
                    : o.writeRows()));
            List<String> names = new ArrayList<>(variants.keySet());
            if (variants.containsKey(PSQL)) {
                db.execute(TABLE);
                jdbcBatch(jdbc, o.writeRows(), payload, false);
                try (OutputStream out = Files.newOutputStream(file)) {
                    new CopyManager(jdbc.unwrap(BaseConnection.class)).copyOut("COPY bench_write (name, taken_at, "
                            + "size_bytes, data) TO STDOUT (FORMAT binary)", out);
                }
            }
            Map<String, List<Double>> rate = new LinkedHashMap<>();
            try {
                for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
                    for (String name : Rounds.order(names, round)) {
                        int n = sizes.get(name);
                        db.execute(TABLE);
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
                Files.deleteIfExists(file);
                springPool.dispose();
                db.execute("DROP TABLE IF EXISTS bench_write");
            }
            for (String name : names) {
                results.add("5", name, "throughput", "rows/s", rate.get(name), BASELINE,
                        String.format(Locale.ROOT, "%,d rows per run", sizes.get(name)));
            }
            if (rate.containsKey(COPY_IN) && rate.containsKey(PSQL)) {
                results.add("5", COPY_IN + ", against psql", "throughput", "rows/s", rate.get(COPY_IN), PSQL,
                        "the same rows as psql's file, the same rounds");
            }
        }
    }

    /**
     * The baseline: pgjdbc batches of 500 rows, rewritten into multi-row inserts, one commit at the end; or with
     * {@code autocommit}, each batch committed by itself.
     */
    private static long jdbcBatch(Connection jdbc, int n, byte[] payload, boolean autocommit) throws SQLException {
        jdbc.setAutoCommit(autocommit);
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
        if (!autocommit) {
            jdbc.commit();
            jdbc.setAutoCommit(true);
        }
        return n;
    }

    /**
     * psql's {@code \copy ... FROM 'file' (FORMAT binary)} as a subprocess (its start included, some milliseconds):
     * the file is read by psql and sent as COPY data, as a user would load a dump; the rows copied, as psql reports.
     */
    private static long psqlCopy(Db db, Path file, int n) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", db.host(), "-p",
                String.valueOf(db.port()), "-U", db.user(), "-d", db.database(), "-c",
                "\\copy bench_write (name, taken_at, size_bytes, data) from '" + file + "' (format binary)")
                .redirectErrorStream(true);
        if (db.password() != null) {
            pb.environment().put("PGPASSWORD", db.password());
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql \\copy failed: " + output);
        }
        return n;
    }
}
