package dev.sluice.bench;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.sluice.Repo;
import dev.sluice.bench.Entities.Picture;
import dev.sluice.bench.Entities.SpringPicture;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.r2dbc.SluiceMeterObservationHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Row;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.springframework.data.r2dbc.core.R2dbcEntityTemplate;
import org.springframework.data.relational.core.query.Criteria;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Scenario 1: a full scan of bench_picture into records, every library side by side. */
final class Scans {

    static final String COLUMNS = "id, sha1, name, taken_at, size_bytes, data";
    static final String BASELINE = "raw r2dbc binary";
    static final String TEXT = "raw r2dbc text";
    /** Sluice in another order than the key's; compared with {@link #RAW_ORDER}. */
    static final String ORDER = "sluice keyset orderBy(taken_at)";
    static final String RAW_ORDER = "raw r2dbc binary ORDER BY taken_at, id";
    static final String SPRING = "spring data r2dbc select().all()";
    /**
     * Variants the warm-up round leaves out: they take 25-30 s per million rows, so their own JIT warm-up is a small
     * part of a measured run, and warming them would double the length of a full run.
     */
    static final Set<String> SLOW = Set.of(TEXT, SPRING);

    /** One way to scan the table. */
    interface Variant {
        String name();

        Tally.Sample run() throws Exception;
    }

    private Scans() {
    }

    static Variant of(String name, ThrowingSupplier body) {
        return new Variant() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Tally.Sample run() throws Exception {
                return body.get();
            }
        };
    }

    interface ThrowingSupplier {
        Tally.Sample get() throws Exception;
    }

    /** Sluice: {@code flux} decides the mode (keyset or cursor) and the subscriber's demand. */
    static Tally.Sample sluice(Flux<Picture> flux) {
        Tally t = new Tally();
        flux.doOnNext(p -> t.row(p.data().length)).blockLast();
        return t.done();
    }

    static Picture picture(Row row) {
        return new Picture(row.get(0, Long.class), row.get(1, byte[].class), row.get(2, String.class),
                row.get(3, Instant.class), row.get(4, Integer.class), row.get(5, byte[].class));
    }

    /** Raw r2dbc-postgresql on one connection; a bind parameter makes it use the extended protocol. */
    static Tally.Sample raw(io.r2dbc.spi.Connection c, boolean bindParameter, int fetchSize) {
        return raw(c, bindParameter, fetchSize, "");
    }

    /** As {@link #raw(io.r2dbc.spi.Connection, boolean, int)}, with an order such as {@code " ORDER BY id"}. */
    static Tally.Sample raw(io.r2dbc.spi.Connection c, boolean bindParameter, int fetchSize, String orderBy) {
        return raw(c, bindParameter, fetchSize, orderBy, 0);
    }

    /** As above; with {@code limitRate > 0} the rows pass {@code limitRate(limitRate)}, as a bounded subscriber's. */
    static Tally.Sample raw(io.r2dbc.spi.Connection c, boolean bindParameter, int fetchSize, String orderBy,
            int limitRate) {
        Tally t = new Tally();
        io.r2dbc.spi.Statement st = bindParameter
                ? c.createStatement("SELECT " + COLUMNS + " FROM bench_picture WHERE id > $1" + orderBy).bind(0, 0L)
                : c.createStatement("SELECT " + COLUMNS + " FROM bench_picture");
        if (fetchSize > 0) {
            st.fetchSize(fetchSize);
        }
        Flux<Picture> rows = Flux.from(st.execute()).concatMap(r -> r.map((row, md) -> picture(row)));
        (limitRate > 0 ? rows.limitRate(limitRate) : rows).doOnNext(p -> t.row(p.data().length)).blockLast();
        return t.done();
    }

    static Tally.Sample spring(R2dbcEntityTemplate template, boolean criteria) {
        Tally t = new Tally();
        Flux<SpringPicture> all = criteria
                ? template.select(SpringPicture.class).matching(
                        org.springframework.data.relational.core.query.Query.query(Criteria.where("id")
                                .greaterThan(0L))).all()
                : template.select(SpringPicture.class).all();
        all.doOnNext(p -> t.row(p.data().length)).blockLast();
        return t.done();
    }

    /** pgjdbc, autocommit off (else fetchSize is ignored), fetchSize 500, binary from the first execution. */
    static Tally.Sample jdbc(Connection c) throws SQLException {
        Tally t = new Tally();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM bench_picture")) {
            ps.setFetchSize(500);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Picture p = new Picture(rs.getLong(1), rs.getBytes(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getInt(5), rs.getBytes(6));
                    t.row(p.data().length);
                }
            }
        }
        c.commit();
        return t.done();
    }

    /** COPY ... TO STDOUT (FORMAT binary) through pgjdbc's CopyManager, parsed just enough to count. */
    static Tally.Sample copy(Connection c) throws SQLException {
        Tally t = new Tally();
        CopyOut out = c.unwrap(PGConnection.class).getCopyAPI()
                .copyOut("COPY (SELECT " + COLUMNS + " FROM bench_picture) TO STDOUT (FORMAT binary)");
        BinaryCopyReader reader = new BinaryCopyReader(out::readFromCopy);
        try {
            reader.readHeader();
            for (long dataBytes = reader.nextTuple(5); dataBytes >= 0; dataBytes = reader.nextTuple(5)) {
                t.row(dataBytes);
            }
            while (out.readFromCopy() != null) {
                // past the trailer: read to the end so the connection leaves COPY mode
            }
        } catch (IOException e) {
            throw new SQLException(e);
        }
        return t.done();
    }

    /** Everything scenario 1 needs, opened once for all rounds. */
    static final class Resources implements AutoCloseable {
        final R2dbcRepo repo;
        final R2dbcRepo repo5000;
        final R2dbcRepo repo2000;
        /** Observed by ObservationRegistry.NOOP: Sluice's observer runs, every observation is a no-op. */
        final R2dbcRepo repoNoopRegistry;
        /** Observed by a registry whose one handler does nothing: observations are made, started and stopped. */
        final R2dbcRepo repoNoopHandler;
        /** Observed with meters: Micrometer's timers and Sluice's own, in a SimpleMeterRegistry. */
        final R2dbcRepo repoMeters;
        final io.r2dbc.spi.Connection rawBinary;
        final io.r2dbc.spi.Connection rawText;
        final ConnectionPool springDefaultPool;
        final ConnectionPool springBinaryPool;
        final R2dbcEntityTemplate springDefault;
        final R2dbcEntityTemplate springBinary;
        final Connection jdbc;
        final Connection jdbcCopy;

        Resources(Db db) throws SQLException {
            repo = R2dbcRepo.create(db.r2dbcUrl(""));
            repo5000 = R2dbcRepo.builder(db.r2dbcUrl("")).maxPageSize(5000).build();
            repo2000 = R2dbcRepo.builder(db.r2dbcUrl("")).maxPageSize(2000).build();
            repoNoopRegistry = R2dbcRepo.builder(db.r2dbcUrl("")).observationRegistry(ObservationRegistry.NOOP)
                    .build();
            ObservationRegistry noopHandler = ObservationRegistry.create();
            noopHandler.observationConfig().observationHandler(context -> true);
            repoNoopHandler = R2dbcRepo.builder(db.r2dbcUrl("")).observationRegistry(noopHandler).build();
            ObservationRegistry metered = ObservationRegistry.create();
            MeterRegistry meters = new SimpleMeterRegistry();
            metered.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters))
                    .observationHandler(SluiceMeterObservationHandler.create(meters));
            repoMeters = R2dbcRepo.builder(db.r2dbcUrl("")).observationRegistry(metered).build();
            rawBinary = Mono.from(db.rawFactory(db.port(), true, "bench-raw-binary").create()).block();
            rawText = Mono.from(db.rawFactory(db.port(), false, "bench-raw-text").create()).block();
            springDefaultPool = (ConnectionPool) ConnectionFactories.get(
                    db.r2dbcUrl("").replace("r2dbc:postgresql:", "r2dbc:pool:postgresql:"));
            springBinaryPool = (ConnectionPool) ConnectionFactories.get(
                    db.r2dbcUrl("forceBinary=true").replace("r2dbc:postgresql:", "r2dbc:pool:postgresql:"));
            springDefault = new R2dbcEntityTemplate(springDefaultPool);
            springBinary = new R2dbcEntityTemplate(springBinaryPool);
            jdbc = db.jdbc("prepareThreshold=-1&binaryTransfer=true");
            jdbc.setAutoCommit(false);
            jdbcCopy = db.jdbc("");
        }

        @Override
        public void close() throws SQLException {
            repo.close();
            repo5000.close();
            repo2000.close();
            repoNoopRegistry.close();
            repoNoopHandler.close();
            repoMeters.close();
            Mono.from(rawBinary.close()).block();
            Mono.from(rawText.close()).block();
            springDefaultPool.dispose();
            springBinaryPool.dispose();
            jdbc.close();
            jdbcCopy.close();
        }
    }

    static List<Variant> variants(Resources r) {
        List<Variant> v = new ArrayList<>();
        v.add(of("sluice scan", () -> sluice(r.repo.scan(Picture.class))));
        v.add(of("sluice scan limitRate(500)", () -> sluice(r.repo.scan(Picture.class).limitRate(500))));
        // another order: keyset pages on (taken_at, id), served by the index bench_picture (taken_at, id)
        v.add(of(ORDER, () -> sluice(r.repo.select(Picture.class).orderBy("taken_at").flux())));
        v.add(of(ORDER + " limitRate(500)",
                () -> sluice(r.repo.select(Picture.class).orderBy("taken_at").flux().limitRate(500))));
        v.add(of("sluice cursor orderBy(taken_at).inOneSnapshot()",
                () -> sluice(r.repo.select(Picture.class).orderBy("taken_at").inOneSnapshot().flux())));
        v.add(of("sluice scan maxPageSize=5000", () -> sluice(r.repo5000.scan(Picture.class))));
        v.add(of("sluice scan maxPageSize=2000", () -> sluice(r.repo2000.scan(Picture.class))));
        v.add(of("sluice scan maxPageSize=2000 limitRate(500)",
                () -> sluice(r.repo2000.scan(Picture.class).limitRate(500))));
        // what observing costs (docs/observability.md): none, a NOOP registry, a no-op handler, meters
        v.add(of("sluice scan observed: NOOP registry", () -> sluice(r.repoNoopRegistry.scan(Picture.class))));
        v.add(of("sluice scan observed: no-op handler", () -> sluice(r.repoNoopHandler.scan(Picture.class))));
        v.add(of("sluice scan observed: meters", () -> sluice(r.repoMeters.scan(Picture.class))));
        v.add(of(BASELINE, () -> raw(r.rawBinary, true, 0)));
        // what a bounded subscriber costs raw r2dbc itself: the same statement, demand never above 500
        v.add(of(BASELINE + " limitRate(500)", () -> raw(r.rawBinary, true, 0, "", 500)));
        v.add(of("raw r2dbc binary ORDER BY id", () -> raw(r.rawBinary, true, 0, " ORDER BY id")));
        // what the other order costs in itself: one index scan in (taken_at, id) order, the heap read at random
        v.add(of(RAW_ORDER, () -> raw(r.rawBinary, true, 0, " ORDER BY taken_at, id")));
        v.add(of(TEXT, () -> raw(r.rawText, false, 0)));
        v.add(of(SPRING, () -> spring(r.springDefault, false)));
        v.add(of("spring data r2dbc, binary + criteria", () -> spring(r.springBinary, true)));
        v.add(of("jdbc fetchSize 500 binary", () -> jdbc(r.jdbc)));
        v.add(of("COPY binary via pgjdbc", () -> copy(r.jdbcCopy)));
        return v;
    }

    static void run(Db db, Options o, Results results) throws Exception {
        results.scenario("1", "Full scan of bench_picture into records (" + String.format(Locale.ROOT, "%,d",
                o.pictures()) + " rows x 1 KiB)" + (o.fork() ? ", every round of every variant in a fresh JVM" : ""));
        Map<String, List<Tally.Sample>> samples = o.fork() ? forked(db, o) : alternated(db, o);
        report(samples, results);
    }

    /** The variants this run measures: all, or those {@code --variants} names ({@link Options#chooses}). */
    private static List<Variant> chosen(Resources r, Options o) {
        return variants(r).stream().filter(v -> o.chooses(v.name())).toList();
    }

    /**
     * Every round of every variant in a fresh JVM ({@code --fork}): its warm-up scans, then one measured scan, with no
     * other library's code in that JVM to share (or spoil) the JIT's profiles. Rounds alternate the variants as in
     * one JVM, the order rotating per round, so a round's samples are minutes apart at most; and since each JVM
     * compiles the hot code its own way, the spread of the samples includes how much that varies between JVMs.
     */
    private static Map<String, List<Tally.Sample>> forked(Db db, Options o) throws Exception {
        List<String> names;
        try (Resources r = new Resources(db)) {
            names = chosen(r, o).stream().map(Variant::name).toList();
        }
        Map<String, List<Tally.Sample>> samples = new LinkedHashMap<>();
        names.forEach(n -> samples.put(n, new ArrayList<>()));
        for (int round = 0; round < o.rounds(); round++) {
            for (String name : Rounds.order(names, round)) {
                samples.get(name).add(forkOne(o, name));
            }
        }
        return samples;
    }

    /** One fresh JVM: {@code name}'s warm-up scans (none for the slow text variants), then one measured scan. */
    private static Tally.Sample forkOne(Options o, String name) throws Exception {
        List<String> args = new ArrayList<>(List.of("--url", o.url(), "--scenarios", "1", "--only", name,
                "--rounds", "1", "--warmup", String.valueOf(SLOW.contains(name) ? 0 : o.warmupRounds())));
        if (o.quick()) {
            args.add("--quick");
        }
        String[] f = Forks.sample(name, args, "scan ");
        return new Tally.Sample(Long.parseLong(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]));
    }

    /** The child of {@link #forked}: one variant, exact name, its rounds as SAMPLE lines; exit code 0 when done. */
    static int child(Options o) throws Exception {
        Db db = Db.parse(o.url());
        try (Resources r = new Resources(db)) {
            Variant v = variants(r).stream().filter(x -> x.name().equals(o.only())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--only: no variant named " + o.only()));
            for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
                boolean warmup = round < o.warmupRounds();
                Tally.Sample s = v.run();
                print(v, s, round, warmup);
                check(v, s, o);
                if (!warmup) {
                    System.out.printf(Locale.ROOT, "SAMPLE\t%d\t%d\t%s\t%s\t%s%n", s.rows(), s.bytes(),
                            s.firstRowMillis(), s.seconds(), s.cpuSeconds());
                }
            }
        }
        return 0;
    }

    private static void print(Variant v, Tally.Sample s, int round, boolean warmup) {
        System.out.printf(Locale.ROOT, "scan %s round %d %-40s %,9d rows %8.3f s %,10.0f rows/s "
                        + "%7.1f MiB/s first row %7.1f ms%n", warmup ? "warmup" : "      ", round,
                v.name(), s.rows(), s.seconds(), s.rowsPerSecond(), s.mibPerSecond(), s.firstRowMillis());
    }

    private static void check(Variant v, Tally.Sample s, Options o) {
        if (s.rows() != o.pictures()) {
            throw new IllegalStateException(v.name() + " read " + s.rows() + " rows, expected " + o.pictures());
        }
    }

    /** All variants in this JVM, alternated: each round runs every variant once, the order rotating per round. */
    private static Map<String, List<Tally.Sample>> alternated(Db db, Options o) throws Exception {
        try (Resources r = new Resources(db)) {
            List<Variant> variants = chosen(r, o);
            Map<String, List<Tally.Sample>> samples = new LinkedHashMap<>();
            variants.forEach(v -> samples.put(v.name(), new ArrayList<>()));
            int total = o.warmupRounds() + o.rounds();
            for (int round = 0; round < total; round++) {
                boolean warmup = round < o.warmupRounds();
                for (Variant v : Rounds.order(variants, round)) {
                    if (warmup && SLOW.contains(v.name())) {
                        continue;
                    }
                    Tally.Sample s = v.run();
                    print(v, s, round, warmup);
                    check(v, s, o);
                    if (!warmup) {
                        samples.get(v.name()).add(s);
                    }
                }
            }
            return samples;
        }
    }

    private static void report(Map<String, List<Tally.Sample>> samples, Results results) {
        for (Map.Entry<String, List<Tally.Sample>> e : samples.entrySet()) {
            List<Tally.Sample> list = e.getValue();
            // the other order is compared with raw r2dbc in that order, when both ran
            String baseline = e.getKey().startsWith(ORDER) && samples.containsKey(RAW_ORDER) ? RAW_ORDER : BASELINE;
            results.add("1", e.getKey(), "throughput", "rows/s",
                    list.stream().map(Tally.Sample::rowsPerSecond).toList(), baseline, "");
            results.add("1", e.getKey(), "payload", "MiB/s of bytea data",
                    list.stream().map(Tally.Sample::mibPerSecond).toList(), baseline, "");
            results.add("1", e.getKey(), "time to first row", "ms",
                    list.stream().map(Tally.Sample::firstRowMillis).toList(), baseline, "");
            results.add("1", e.getKey(), "client CPU", "us per row, whole JVM; lower is better",
                    list.stream().map(Tally.Sample::cpuMicrosPerRow).toList(), baseline, "");
        }
    }
}
