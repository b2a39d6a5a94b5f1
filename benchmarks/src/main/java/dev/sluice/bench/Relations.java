package dev.sluice.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.bench.Entities.Album;
import dev.sluice.bench.Entities.Photo;
import dev.sluice.bench.Entities.SluiceAlbum;
import dev.sluice.r2dbc.R2dbcRepo;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Flux;

/**
 * Scenario 4: albums with their photos, loaded by Sluice's {@code with("photos")} and three hand-written ways with raw
 * r2dbc-postgresql, all over the same pool of 8 binary connections.
 */
final class Relations {

    private record Head(long id, String title) {
    }

    private record JoinRow(long albumId, String title, Photo photo) {
    }

    private Relations() {
    }

    static void run(Db db, Options o, Results results) throws Exception {
        results.scenario("4", "Relationship loading: " + String.format(Locale.ROOT, "%,d", o.albums())
                + " albums x " + o.photosPerAlbum() + " photos" + (o.latencyMicros() > 0 ? ", through a relay that "
                + "delays each direction by " + o.latencyMicros() + " us (a round trip: " + 2 * o.latencyMicros()
                + " us)" : "") + (o.fork() ? ", every round of every variant in a fresh JVM" : ""));
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        Map<String, List<Double>> serverCpu = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        // --variants: only the variants it names (name the baseline too, for ratios)
        List<String> names = NAMES.stream().filter(o::chooses).toList();
        if (o.fork()) {
            for (int round = 0; round < o.rounds(); round++) {
                for (String name : Rounds.order(names, round)) {
                    double[] sample = forkOne(o, name);
                    seconds.computeIfAbsent(name, n -> new ArrayList<>()).add(sample[0]);
                    counts.put(name, (long) sample[1]);
                    cpu.computeIfAbsent(name, n -> new ArrayList<>()).add(sample[2]);
                    serverCpu.computeIfAbsent(name, n -> new ArrayList<>()).add(sample[3]);
                }
            }
        } else {
            try (Setup setup = new Setup(db, o)) {
                for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
                    for (String name : Rounds.order(names, round)) {
                        boolean warmup = round < o.warmupRounds();
                        double[] s = setup.measure(name, round, warmup, o);
                        if (!warmup) {
                            seconds.computeIfAbsent(name, n -> new ArrayList<>()).add(s[0]);
                            cpu.computeIfAbsent(name, n -> new ArrayList<>()).add(s[1]);
                            serverCpu.computeIfAbsent(name, n -> new ArrayList<>()).add(s[2]);
                            counts.put(name, setup.statements.get());
                        }
                    }
                }
            }
        }
        for (String name : names) {
            results.add("4", name, "wall time", "s", seconds.get(name), "= ANY($1) batches of 500 ids",
                    String.format(Locale.ROOT, "%,d statements", counts.get(name)));
        }
        for (String name : names) {
            results.add("4", name, "client CPU", "s, whole JVM; lower is better", cpu.get(name),
                    "= ANY($1) batches of 500 ids", "");
        }
        for (String name : names) {
            results.add("4", name, "server CPU", "s, PostgreSQL backends of the database; lower is better",
                    serverCpu.get(name), "= ANY($1) batches of 500 ids", "");
        }
    }

    /** The variants, in the order of the first round. */
    private static final List<String> NAMES = List.of("sluice with(\"photos\")", "N+1 over a pool of 8",
            "one LEFT JOIN, grouped client-side", "= ANY($1) batches of 500 ids");

    /** The pool (through the latency relay, if any) and repository every variant of one JVM shares. */
    private static final class Setup implements AutoCloseable {
        final AtomicLong statements = new AtomicLong();
        private final LatencyRelay relay;
        private final ConnectionPool pool;
        private final R2dbcRepo repo;
        private final ServerCpu server;

        Setup(Db db, Options o) throws Exception {
            // --latency-us: every variant's connections go through a relay that adds a network's delay
            relay = o.latencyMicros() > 0 ? new LatencyRelay(db.host(), db.port(), o.latencyMicros()) : null;
            int port = relay != null ? relay.port() : db.port();
            pool = (ConnectionPool) ConnectionFactories.get(db.r2dbcUrl(port, "maxSize=8&initialSize=8"
                    + "&forceBinary=true").replace("r2dbc:postgresql:", "r2dbc:pool:postgresql:"));
            repo = R2dbcRepo.builder(pool).statementListener(sql -> statements.incrementAndGet()).build();
            server = new ServerCpu(db);
        }

        /**
         * Runs one variant once and checks it loaded every album and photo. Each variant builds its own records and
         * reports each album's number of photos, so none pays for a conversion into another variant's types. Returns
         * its wall time, the CPU time of this whole JVM meanwhile (the client's share of the work; NaN where the
         * JVM cannot tell) and that of the database's backends ({@link ServerCpu}), all in seconds.
         */
        double[] measure(String name, int round, boolean warmup, Options o) {
            Flux<Integer> photosPerAlbum = switch (name) {
                case "sluice with(\"photos\")" -> sluice(repo).map(a -> a.photos().size());
                case "N+1 over a pool of 8" -> nPlusOne(pool, statements).map(a -> a.photos().size());
                case "one LEFT JOIN, grouped client-side" -> join(pool, statements).map(a -> a.photos().size());
                case "= ANY($1) batches of 500 ids" -> any(pool, statements).map(a -> a.photos().size());
                default -> throw new IllegalArgumentException("no scenario 4 variant named " + name);
            };
            statements.set(0);
            double server0 = server.seconds();
            long cpu0 = Tally.processCpuNanos();
            long t0 = System.nanoTime();
            long[] albumsAndPhotos = photosPerAlbum.reduce(new long[2], (acc, photos) -> {
                acc[0]++;
                acc[1] += photos;
                return acc;
            }).block();
            double s = (System.nanoTime() - t0) / 1e9;
            long cpu1 = Tally.processCpuNanos();
            double cpu = cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e9;
            double serverSeconds = server.seconds() - server0;
            if (albumsAndPhotos[0] != o.albums() || albumsAndPhotos[1] != o.albums() * o.photosPerAlbum()) {
                throw new IllegalStateException(name + " loaded " + albumsAndPhotos[0] + " albums, "
                        + albumsAndPhotos[1] + " photos");
            }
            System.out.printf(Locale.ROOT, "relations %s round %d %-38s %7.3f s, CPU client %6.3f s server %6.3f s, "
                    + "%,d statements%n", warmup ? "warmup" : "      ", round, name, s, cpu, serverSeconds,
                    statements.get());
            return new double[] {s, cpu, serverSeconds};
        }

        @Override
        public void close() throws IOException, java.sql.SQLException {
            server.close();
            pool.dispose();
            if (relay != null) {
                relay.close();
            }
        }
    }

    /** One fresh JVM ({@code --fork}): {@code name}'s warm-up rounds, then one measured; its seconds and statements. */
    private static double[] forkOne(Options o, String name) throws Exception {
        List<String> args = new ArrayList<>(List.of("--url", o.url(), "--scenarios", "4", "--only", name,
                "--rounds", "1", "--warmup", String.valueOf(o.warmupRounds()),
                "--latency-us", String.valueOf(o.latencyMicros())));
        if (o.quick()) {
            args.add("--quick");
        }
        String[] f = Forks.sample(name, args, "relations ");
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3])};
    }

    /** The child of {@link #forkOne}: one variant, its rounds as SAMPLE lines; exit code 0 when done. */
    static int child(Options o) throws Exception {
        if (!NAMES.contains(o.only())) {
            throw new IllegalArgumentException("--only: no scenario 4 variant named " + o.only());
        }
        try (Setup setup = new Setup(Db.parse(o.url()), o)) {
            for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
                boolean warmup = round < o.warmupRounds();
                double[] s = setup.measure(o.only(), round, warmup, o);
                if (!warmup) {
                    System.out.printf(Locale.ROOT, "SAMPLE\t%s\t%d\t%s\t%s%n", s[0], setup.statements.get(), s[1],
                            s[2]);
                }
            }
        }
        return 0;
    }

    private static Flux<Head> albums(ConnectionPool pool, AtomicLong statements) {
        return Flux.usingWhen(pool.create(), c -> {
            statements.incrementAndGet();
            return Flux.from(c.createStatement("SELECT id, title FROM bench_album WHERE id > $1 ORDER BY id")
                            .bind(0, 0L).execute())
                    .concatMap(r -> r.map((row, md) -> new Head(row.get(0, Long.class), row.get(1, String.class))));
        }, Connection::close);
    }

    private static Flux<Photo> photos(ConnectionPool pool, String where, Object value, AtomicLong statements) {
        return Flux.usingWhen(pool.create(), c -> {
            statements.incrementAndGet();
            Statement st = c.createStatement("SELECT id, album_id, name, width, height FROM bench_photo WHERE "
                    + where + " ORDER BY album_id, id").bind(0, value);
            return Flux.from(st.execute()).concatMap(r -> r.map((row, md) -> new Photo(row.get(0, Long.class),
                    row.get(1, Long.class), row.get(2, String.class), row.get(3, Integer.class),
                    row.get(4, Integer.class))));
        }, Connection::close);
    }

    /** Windows of 500 albums as they stream, each with one {@code = ANY($1)} query for its photos. */
    static Flux<SluiceAlbum> sluice(R2dbcRepo repo) {
        return repo.select(SluiceAlbum.class).with("photos").flux();
    }

    static Flux<Album> nPlusOne(ConnectionPool pool, AtomicLong statements) {
        return albums(pool, statements).collectList().flatMapMany(heads -> Flux.fromIterable(heads)
                .flatMapSequential(h -> photos(pool, "album_id = $1", h.id(), statements).collectList()
                        .map(ps -> new Album(h.id(), h.title(), ps)), 8));
    }

    static Flux<Album> join(ConnectionPool pool, AtomicLong statements) {
        return Flux.usingWhen(pool.create(), c -> {
            statements.incrementAndGet();
            return Flux.from(c.createStatement("SELECT a.id, a.title, p.id, p.name, p.width, p.height "
                            + "FROM bench_album a LEFT JOIN bench_photo p ON p.album_id = a.id WHERE a.id > $1 "
                            + "ORDER BY a.id, p.id").bind(0, 0L).execute())
                    .concatMap(r -> r.map((row, md) -> {
                        long album = row.get(0, Long.class);
                        Long photo = row.get(2, Long.class);
                        return new JoinRow(album, row.get(1, String.class), photo == null ? null
                                : new Photo(photo, album, row.get(3, String.class), row.get(4, Integer.class),
                                row.get(5, Integer.class)));
                    }));
        }, Connection::close)
                .bufferUntilChanged(JoinRow::albumId)
                .map(rows -> new Album(rows.get(0).albumId(), rows.get(0).title(),
                        rows.stream().map(JoinRow::photo).filter(p -> p != null).toList()));
    }

    static Flux<Album> any(ConnectionPool pool, AtomicLong statements) {
        return albums(pool, statements).buffer(500).concatMap(batch -> {
            Long[] ids = batch.stream().map(Head::id).toArray(Long[]::new);
            return photos(pool, "album_id = ANY($1)", ids, statements).collectMultimap(Photo::albumId)
                    .flatMapMany(byAlbum -> Flux.fromIterable(batch).map(h -> {
                        Collection<Photo> ps = byAlbum.get(h.id());
                        return new Album(h.id(), h.title(), ps == null ? List.of() : List.copyOf(ps));
                    }));
        });
    }
}
