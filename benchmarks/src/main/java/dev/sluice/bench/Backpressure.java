package dev.sluice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import dev.sluice.bench.Entities.Picture;
import dev.sluice.r2dbc.R2dbcRepo;
import io.r2dbc.spi.Connection;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Scenarios 2 (slow subscriber), 3 (take(10) of a big scan) and 6 (100 slow subscribers over a pool of 10). */
final class Backpressure {

    private static final String APP = "bench-slow";
    private static final String SELECT = "SELECT " + Scans.COLUMNS + " FROM bench_picture WHERE id > $1";

    private Backpressure() {
    }

    /** A subscriber that asks for {@code batch} rows, and {@code pause} after it has them asks for the next batch. */
    static final class Slow extends BaseSubscriber<Object> {
        private final int batch;
        private final long pauseMillis;
        private final ScheduledExecutorService timer;
        private final AtomicLong received = new AtomicLong();
        final CountDownLatch firstBatch = new CountDownLatch(1);

        Slow(int batch, long pauseMillis, ScheduledExecutorService timer) {
            this.batch = batch;
            this.pauseMillis = pauseMillis;
            this.timer = timer;
        }

        long received() {
            return received.get();
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(batch);
        }

        @Override
        protected void hookOnNext(Object value) {
            long n = received.incrementAndGet();
            if (n % batch == 0) {
                firstBatch.countDown();
                if (pauseMillis >= 0) {
                    timer.schedule(() -> request(batch), pauseMillis, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    static Flux<Picture> raw(Connection c, int fetchSize) {
        return Flux.defer(() -> {
            io.r2dbc.spi.Statement st = c.createStatement(SELECT).bind(0, 0L);
            if (fetchSize > 0) {
                st.fetchSize(fetchSize);
            }
            return Flux.from(st.execute()).concatMap(r -> r.map((row, md) -> Scans.picture(row)));
        });
    }

    /** What pg_stat_activity says about the connections with our application_name. */
    static String activity(Db db) throws Exception {
        String s = db.queryString("""
                SELECT coalesce(string_agg(state || coalesce('/' || wait_event, '')
                    || CASE WHEN xact_start IS NULL THEN ', no transaction'
                            ELSE ', transaction open ' || round(extract(epoch FROM now() - xact_start)::numeric, 1)
                                 || ' s' END, '; '), 'no connection')
                FROM pg_stat_activity WHERE application_name = '%s'""".formatted(APP));
        return String.valueOf(s);
    }

    private static void quietly(Publisher<?> close) {
        try {
            Flux.from(close).then().block(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            System.out.println("  (close: " + e + ")");
        }
    }

    /** Scenario 2: request(10), pause 1 s, look at what the server sent and what it holds. */
    static void slowSubscriber(Db db, Results results) throws Exception {
        results.scenario("2", "Slow subscriber: request(10), then a 1 s pause (counted by a loopback relay)");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (WireCounter relay = WireCounter.start(db.host(), db.port())) {
            String url = db.r2dbcUrl(relay.port(), "applicationName=" + APP);
            Map<String, Function<Object[], Flux<Picture>>> variants = new LinkedHashMap<>();
            variants.put("sluice keyset scan", h -> ((R2dbcRepo) h[0]).scan(Picture.class));
            variants.put("sluice keyset orderBy(taken_at)",
                    h -> ((R2dbcRepo) h[0]).select(Picture.class).orderBy("taken_at").flux());
            variants.put("sluice cursor orderBy(taken_at).inOneSnapshot()",
                    h -> ((R2dbcRepo) h[0]).select(Picture.class).orderBy("taken_at").inOneSnapshot().flux());
            variants.put("raw r2dbc binary, no fetchSize", h -> raw((Connection) h[1], 0));
            variants.put("raw r2dbc binary, fetchSize(500)", h -> raw((Connection) h[1], 500));
            for (Map.Entry<String, Function<Object[], Flux<Picture>>> v : variants.entrySet()) {
                boolean sluice = v.getKey().startsWith("sluice");
                R2dbcRepo repo = sluice ? R2dbcRepo.create(url) : null;
                Connection c = sluice ? null
                        : Mono.from(db.rawFactory(relay.port(), true, APP).create()).block();
                if (repo != null) {
                    repo.select(Picture.class).limit(1).flux().blockLast(); // the one-time table check
                }
                relay.reset();
                Slow slow = new Slow(10, -1, timer);
                v.getValue().apply(new Object[] {repo, c}).subscribe(slow);
                if (!slow.firstBatch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(v.getKey() + ": no 10 rows in 30 s");
                }
                Thread.sleep(1000);
                long rows = relay.dataRows();
                long bytes = relay.bytesFromServer();
                String activity = activity(db);
                System.out.printf(Locale.ROOT, "slow subscriber %-36s %,8d rows %,12d bytes sent; %s%n", v.getKey(),
                        rows, bytes, activity);
                results.add("2", v.getKey(), "rows sent by the server", "DataRow messages",
                        Results.list(rows), null, "pg_stat_activity after 1 s: " + activity);
                results.add("2", v.getKey(), "bytes sent by the server", "KiB", Results.list(bytes / 1024.0), null,
                        "");
                slow.dispose();
                if (repo != null) {
                    Thread.sleep(200);
                    repo.close();
                } else {
                    quietly(c.close());
                }
            }
        } finally {
            timer.shutdownNow();
        }
    }

    /** Scenario 3: take(10) of the whole table; when is the connection usable again, and what was read. */
    static void take10(Db db, Options o, Results results) throws Exception {
        results.scenario("3", "take(10) of a " + String.format(Locale.ROOT, "%,d", o.pictures()) + "-row scan");
        try (WireCounter relay = WireCounter.start(db.host(), db.port());
             R2dbcRepo repo = R2dbcRepo.create(db.r2dbcUrl(relay.port(), "maxSize=1"))) {
            Connection raw = Mono.from(db.rawFactory(relay.port(), true, "bench-take").create()).block();
            repo.select(Picture.class).limit(1).flux().blockLast();
            String sluice = "sluice scan().take(10)";
            String rawName = "raw r2dbc binary take(10)";
            Map<String, List<double[]>> samples = new LinkedHashMap<>();
            samples.put(sluice, new ArrayList<>());
            samples.put(rawName, new ArrayList<>());
            int total = o.rounds();
            for (int round = 0; round < total; round++) {
                for (boolean isSluice : Rounds.order(List.of(true, false), round)) {
                    relay.reset();
                    long t0 = System.nanoTime();
                    Flux<Picture> flux = isSluice ? repo.scan(Picture.class) : raw(raw, 0);
                    long got = flux.take(10).count().block(Duration.ofSeconds(60));
                    long t1 = System.nanoTime();
                    boolean free;
                    try {
                        Flux<Integer> one = isSluice
                                ? Flux.usingWhen(repo.connectionFactory().create(), Backpressure::selectOne,
                                        Connection::close)
                                : selectOne(raw);
                        one.blockLast(Duration.ofSeconds(120));
                        free = true;
                    } catch (RuntimeException e) {
                        free = false;
                    }
                    long t2 = System.nanoTime();
                    double[] s = {(t1 - t0) / 1e6, (t2 - t0) / 1e6, relay.bytesFromServer() / 1048576.0,
                            relay.dataRows()};
                    String name = isSluice ? sluice : rawName;
                    System.out.printf(Locale.ROOT, "take(10) round %d %-28s %d rows in %8.1f ms; connection free "
                                    + "after %8.1f ms%s; server sent %,.2f MiB, %,d rows%n", round, name, got, s[0],
                            s[1], free ? "" : " (WEDGED: SELECT 1 timed out)", s[2], (long) s[3]);
                    samples.get(name).add(s);
                    if (!free) {
                        results.note(name + ": the connection did not answer SELECT 1 within 120 s after the cancel");
                    }
                }
            }
            quietly(raw.close());
            for (Map.Entry<String, List<double[]>> e : samples.entrySet()) {
                String[] metrics = {"time to 10 rows", "time until the connection runs the next query",
                        "bytes sent by the server", "rows sent by the server"};
                String[] units = {"ms", "ms", "MiB", "DataRow messages"};
                for (int m = 0; m < metrics.length; m++) {
                    int idx = m;
                    results.add("3", e.getKey(), metrics[m], units[m],
                            e.getValue().stream().map(a -> a[idx]).toList(), rawName, "");
                }
            }
        }
    }

    private static Flux<Integer> selectOne(Connection c) {
        return Flux.from(c.createStatement("SELECT 1").execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class)));
    }

    /** Scenario 6: 100 subscribers that each take 10 rows a second, over a pool of 10 connections. */
    static void concurrent(Db db, Options o, Results results) throws Exception {
        int subscribers = 100;
        int seconds = o.concurrentSeconds();
        results.scenario("6", subscribers + " concurrent slow subscribers (10 rows/s each) over a pool of 10, "
                + seconds + " s");
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        String keyset = "sluice keyset scan";
        String cursor = "sluice cursor orderBy(taken_at).inOneSnapshot()";
        samples.put(keyset, new ArrayList<>());
        samples.put(cursor, new ArrayList<>());
        try {
            for (int round = 0; round < o.rounds(); round++) {
                for (boolean isKeyset : Rounds.order(List.of(true, false), round)) {
                    String name = isKeyset ? keyset : cursor;
                    try (R2dbcRepo repo = R2dbcRepo.create(db.r2dbcUrl("maxSize=10&initialSize=10"))) {
                        repo.select(Picture.class).limit(1).flux().blockLast();
                        List<Slow> all = new ArrayList<>();
                        for (int i = 0; i < subscribers; i++) {
                            Slow s = new Slow(10, 1000, timer);
                            all.add(s);
                            (isKeyset ? repo.scan(Picture.class)
                                    : repo.select(Picture.class).orderBy("taken_at").inOneSnapshot().flux())
                                    .subscribe(s);
                        }
                        Thread.sleep(seconds * 1000L);
                        long progressed = all.stream().filter(s -> s.received() > 0).count();
                        long rows = all.stream().mapToLong(Slow::received).sum();
                        all.forEach(Slow::dispose);
                        System.out.printf(Locale.ROOT, "concurrent round %d %-32s %3d of %d subscribers made "
                                + "progress, %,d rows delivered%n", round, name, progressed, subscribers, rows);
                        samples.get(name).add(new double[] {progressed, rows});
                        Thread.sleep(500);
                    }
                }
            }
        } finally {
            timer.shutdownNow();
        }
        for (Map.Entry<String, List<double[]>> e : samples.entrySet()) {
            results.add("6", e.getKey(), "subscribers with rows within " + seconds + " s", "of " + subscribers,
                    e.getValue().stream().map(a -> a[0]).toList(), keyset, "");
            results.add("6", e.getKey(), "rows delivered within " + seconds + " s", "rows",
                    e.getValue().stream().map(a -> a[1]).toList(), keyset, "");
        }
        fastBesideSlow(db, o, results);
    }

    /**
     * Scenario 6, continued: a fast subscriber's keyset scan, alone and beside 100 slow subscribers (50 in key order,
     * 50 in time order, 10 rows a second each) on the same pool of 10, in alternated rounds: what slow streams cost a
     * fast one (issue 15's goal: at least 0.8x of alone).
     */
    private static void fastBesideSlow(Db db, Options o, Results results) throws Exception {
        int subscribers = 100;
        int seconds = o.concurrentSeconds();
        String alone = "fast keyset scan alone";
        String beside = "fast keyset scan beside 100 slow subscribers";
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        rates.put(alone, new ArrayList<>());
        rates.put(beside, new ArrayList<>());
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        try {
            for (int round = 0; round < o.rounds(); round++) {
                for (boolean withSlow : Rounds.order(List.of(false, true), round)) {
                    try (R2dbcRepo repo = R2dbcRepo.create(db.r2dbcUrl("maxSize=10&initialSize=10"))) {
                        repo.select(Picture.class).limit(1).flux().blockLast();
                        repo.select(Picture.class).orderBy("taken_at").limit(1).flux().blockLast();
                        List<Slow> slow = new ArrayList<>();
                        for (int i = 0; withSlow && i < subscribers; i++) {
                            Slow s = new Slow(10, 1000, timer);
                            slow.add(s);
                            (i % 2 == 0 ? repo.scan(Picture.class)
                                    : repo.select(Picture.class).orderBy("taken_at").flux()).subscribe(s);
                        }
                        AtomicLong rows = new AtomicLong();
                        long start = System.nanoTime();
                        // again and again: a quick table would end within the measured time
                        reactor.core.Disposable fast = repo.scan(Picture.class).repeat()
                                .subscribe(p -> rows.incrementAndGet());
                        Thread.sleep(seconds * 1000L);
                        double rate = rows.get() * 1e9 / (System.nanoTime() - start);
                        fast.dispose();
                        slow.forEach(Slow::dispose);
                        String name = withSlow ? beside : alone;
                        System.out.printf(Locale.ROOT, "fast beside slow round %d %-46s %,.0f rows/s%n", round, name,
                                rate);
                        rates.get(name).add(rate);
                        Thread.sleep(500);
                    }
                }
            }
        } finally {
            timer.shutdownNow();
        }
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            results.add("6", e.getKey(), "fast subscriber's rows/s", "rows/s", e.getValue(), alone, "");
        }
    }
}
