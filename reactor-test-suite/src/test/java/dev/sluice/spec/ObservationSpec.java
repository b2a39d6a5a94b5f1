package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.r2dbc.SluiceMeterObservationHandler;
import dev.sluice.testkit.PgWireRelay;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationView;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Micrometer observations of streams and statements ({@code R2dbcRepo.builder(...).observationRegistry(...)}):
 * counts compared with the database (rows by SQL) and the wire (statements the server completed, through the
 * relay), tags as documented, and every statement's parent the stream it belongs to, on whatever thread it ran.
 */
class ObservationSpec {

    @Table("album")
    record Album(@Id Long id, String title, @HasMany(foreignKey = "album_id", orderBy = "id") List<Photo> photos) {
    }

    @Table("photo")
    record Photo(@Id Long id, Long albumId, String caption) {
    }

    @Table("obs_item")
    record Item(@Id Long id, String name) {
    }

    /** Every observation that stopped, in order, with the thread it started on. */
    static final class Recorder implements ObservationHandler<Observation.Context> {
        final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
        final Map<Observation.Context, String> startThreads = new ConcurrentHashMap<>();

        @Override
        public void onStart(Observation.Context context) {
            startThreads.put(context, Thread.currentThread().getName());
        }

        @Override
        public void onStop(Observation.Context context) {
            stopped.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        List<Observation.Context> named(String name) {
            return stopped.stream().filter(c -> name.equals(c.getName())).toList();
        }

        Observation.Context stream() {
            List<Observation.Context> streams = named("sluice.stream");
            assertThat(streams).as("stream observations").hasSize(1);
            return streams.get(0);
        }

        List<Observation.Context> statements(String kind) {
            return named("sluice.statement").stream().filter(c -> kind.equals(low(c, "kind"))).toList();
        }
    }

    private PgWireRelay relay;
    private TestObservationRegistry registry;
    private MeterRegistry meters;
    private Recorder recorder;
    private R2dbcRepo repo;
    /** Every statement sent, as the connections' listener hears it (apart from the observations). */
    private final List<String> sent = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
        Fixtures.gallery();
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS obs_item (id bigint PRIMARY KEY, name text NOT NULL)");
    }

    @BeforeEach
    void observedRepository() {
        relay = Fixtures.relay();
        registry = TestObservationRegistry.create();
        meters = new SimpleMeterRegistry();
        recorder = new Recorder();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        registry.observationConfig().observationHandler(recorder);
        registry.observationConfig().observationHandler(SluiceMeterObservationHandler.create(meters));
        repo = repo(2);
    }

    private R2dbcRepo repo(int poolSize) {
        String url = Fixtures.withParam(Fixtures.db().r2dbcUrl("127.0.0.1", relay.port()), "maxSize", poolSize);
        return R2dbcRepo.builder(url).minPageSize(100).maxPageSize(1000).statementListener(sent::add)
                .observationRegistry(registry).build();
    }

    /** Checks the entities (with the relations to load) once, so that the counts below start with the first page. */
    private void firstUse(Class<?> type, String... with) {
        repo.select(type).with(with).limit(1).flux().blockLast(Duration.ofSeconds(30));
        relay.reset();
        sent.clear();
        registry.clear();
        recorder.stopped.clear();
        meters.clear();
    }

    @AfterEach
    void close() {
        repo.close();
        relay.close();
    }

    @Test
    void aScanIsOneStreamObservationWithItsRowsAndPagesAsTheDatabaseAndTheWireCountThem() {
        firstUse(Picture.class);
        long truth = Fixtures.db().queryLong("SELECT count(*) FROM picture WHERE id <= 3000");
        long rows = repo.select(Picture.class).where("id <= ?", 3000L).flux().limitRate(250).count()
                .block(Duration.ofSeconds(60));
        assertThat(rows).isEqualTo(truth);

        // the server's completed SELECTs (the relay also sees a new connection's own setup queries: none here)
        long pagesOnTheWire = relay.commandTags().stream().filter(t -> t.startsWith("SELECT")).count();
        assertThat(sent).hasSize((int) pagesOnTheWire).allMatch(sql -> sql.contains("FROM picture"));
        assertThat(pagesOnTheWire).as("pages the server ran").isGreaterThan(2);
        Observation.Context stream = recorder.stream();
        assertThat(low(stream, "entity")).isEqualTo("Picture");
        assertThat(low(stream, "strategy")).isEqualTo("keyset");
        assertThat(low(stream, "outcome")).isEqualTo("completed");
        assertThat(high(stream, "rows")).isEqualTo(Long.toString(truth));
        assertThat(high(stream, "pages")).isEqualTo(Long.toString(pagesOnTheWire));
        assertThat(high(stream, "retries")).isEqualTo("0");

        List<Observation.Context> pages = recorder.statements("page");
        assertThat(pages).hasSize((int) pagesOnTheWire);
        assertThat(recorder.named("sluice.statement")).as("every statement is a page").hasSize(pages.size());
        assertThat(pages).allSatisfy(page -> {
            assertThat(parentOf(page)).isSameAs(stream);
            assertThat(low(page, "table")).isEqualTo("picture");
            assertThat(high(page, "sql")).startsWith("SELECT ").contains("FROM picture");
            assertThat(high(page, "connection.wait")).startsWith("PT");
            assertThat(high(page, "connection.held")).startsWith("PT");
        });
        assertThat(pages.stream().mapToLong(p -> Long.parseLong(high(p, "rows"))).sum()).isEqualTo(truth);

        TestObservationRegistryAssert.assertThat(registry)
                .hasNumberOfObservationsWithNameEqualTo("sluice.stream", 1)
                .hasObservationWithNameEqualTo("sluice.stream").that()
                .hasLowCardinalityKeyValue("outcome", "completed")
                .hasHighCardinalityKeyValue("rows", Long.toString(truth));
        // the same through Micrometer's meters, as Actuator would show them
        assertThat(meters.get("sluice.stream").tags("entity", "Picture", "strategy", "keyset", "outcome",
                "completed").timer().count()).isEqualTo(1);
        assertThat(meters.get("sluice.statement").tags("kind", "page", "table", "picture").timer().count())
                .isEqualTo(pagesOnTheWire);
        // and SluiceMeterObservationHandler's counts
        assertThat(meters.get("sluice.stream.rows").tags("entity", "Picture", "outcome", "completed").counter()
                .count()).isEqualTo(truth);
        assertThat(meters.get("sluice.stream.pages").counter().count()).isEqualTo(pagesOnTheWire);
        assertThat(meters.get("sluice.statement.rows").tags("kind", "page").summary().totalAmount())
                .isEqualTo(truth);
        assertThat(meters.get("sluice.connection.wait").tags("kind", "page").timer().count())
                .isEqualTo(pagesOnTheWire);
        assertThat(meters.get("sluice.connection.held").tags("kind", "page").timer().count())
                .isEqualTo(pagesOnTheWire);
    }

    @Test
    void aCursorStreamCountsItsFetchesAsPagesAndOneWholeStatementAsOne() {
        firstUse(Picture.class);
        long rows = repo.select(Picture.class).where("id <= ?", 1000L).inOneSnapshot().flux().limitRate(100)
                .count().block(Duration.ofSeconds(60));
        assertThat(rows).isEqualTo(1000);
        Observation.Context stream = recorder.stream();
        long fetchesSent = sent.stream().filter(sql -> sql.startsWith("FETCH")).count();
        assertThat(fetchesSent).isGreaterThan(1);
        assertThat(low(stream, "strategy")).isEqualTo("cursor");
        assertThat(high(stream, "pages")).isEqualTo(Long.toString(fetchesSent));
        assertThat(recorder.statements("cursor-fetch")).hasSize((int) fetchesSent)
                .allSatisfy(fetch -> assertThat(parentOf(fetch)).isSameAs(stream));
        assertThat(recorder.statements("cursor")).as("DECLARE and CLOSE").hasSize(2)
                .allSatisfy(c -> assertThat(low(c, "table")).isEqualTo("picture"));

        recorder.stopped.clear();
        sent.clear();
        // a subscriber that asks for every row at once gets one whole statement
        List<Picture> all = repo.select(Picture.class).where("id <= ?", 1000L).inOneSnapshot().flux().collectList()
                .block(Duration.ofSeconds(60));
        assertThat(all).hasSize(1000);
        assertThat(sent).hasSize(1);
        Observation.Context whole = recorder.stream();
        assertThat(low(whole, "strategy")).isEqualTo("whole");
        assertThat(high(whole, "pages")).isEqualTo("1");
        assertThat(recorder.statements("whole")).hasSize(1)
                .allSatisfy(w -> assertThat(high(w, "rows")).isEqualTo("1000"));
    }

    @Test
    void takeTenCancelsTheStream() {
        firstUse(Picture.class);
        StepVerifier.create(repo.scan(Picture.class).take(10)).expectNextCount(10).verifyComplete();
        Observation.Context stream = recorder.stream();
        assertThat(low(stream, "outcome")).isEqualTo("cancelled");
        assertThat(high(stream, "rows")).isEqualTo("10");
        assertThat(high(stream, "pages")).isEqualTo("1");
    }

    @Test
    void aFailedPageFailsTheStreamAndItsStatement() {
        firstUse(Picture.class);
        AtomicLong delivered = new AtomicLong();
        // division by zero at id 150, after a first page of 100 rows that succeeds
        StepVerifier.create(repo.select(Picture.class).where("100 / (id - 150) <> 7").flux().limitRate(100)
                        .doOnNext(row -> delivered.incrementAndGet()))
                .thenConsumeWhile(row -> true)
                .verifyErrorSatisfies(e -> assertThat(e).hasMessageContaining("division by zero"));
        Observation.Context stream = recorder.stream();
        assertThat(low(stream, "outcome")).isEqualTo("error");
        assertThat(stream.getError()).hasMessageContaining("division by zero");
        assertThat(high(stream, "rows")).isEqualTo(Long.toString(delivered.get()));
        assertThat(delivered.get()).isGreaterThanOrEqualTo(100);
        List<Observation.Context> pages = recorder.statements("page");
        assertThat(pages).hasSizeGreaterThanOrEqualTo(2);
        assertThat(pages.get(0).getError()).isNull();
        assertThat(pages.get(pages.size() - 1).getError()).as("the failed page's error")
                .hasMessageContaining("division by zero");
        assertThat(meters.get("sluice.stream").tags("outcome", "error").timer().count()).isEqualTo(1);
    }

    @Test
    void relationsAreStatementsOfTheirOwnUnderTheStream() {
        firstUse(Album.class, "photos");
        long albums = repo.select(Album.class).with("photos").flux().count().block(Duration.ofSeconds(60));
        assertThat(albums).isEqualTo(Fixtures.ALBUMS);
        Observation.Context stream = recorder.stream();
        List<Observation.Context> relations = recorder.statements("relation");
        long photoQueriesSent = sent.stream().filter(sql -> sql.contains("FROM photo WHERE album_id = ANY")).count();
        assertThat(relations).hasSize((int) photoQueriesSent).isNotEmpty();
        assertThat(recorder.statements("page")).hasSize((int) (sent.size() - photoQueriesSent));
        assertThat(relations).allSatisfy(r -> {
            assertThat(parentOf(r)).isSameAs(stream);
            assertThat(low(r, "table")).isEqualTo("photo");
            assertThat(high(r, "sql")).contains("= ANY($1)");
        });
        long photos = Fixtures.db().queryLong("SELECT count(*) FROM photo WHERE album_id IS NOT NULL");
        assertThat(relations.stream().mapToLong(r -> Long.parseLong(high(r, "rows"))).sum()).isEqualTo(photos);
        assertThat(high(stream, "pages")).isEqualTo(Long.toString(recorder.statements("page").size()));
    }

    @Test
    void theStreamParentsItsStatementsAcrossThreadsAndConnections() {
        repo.close();
        repo = repo(4);
        firstUse(Album.class, "photos");
        Set<String> albums = ConcurrentHashMap.newKeySet();
        // requests come from parallel workers, pages complete on the driver's threads, windows load ahead on
        // connections of their own
        repo.select(Album.class).with("photos").flux()
                .subscribeOn(Schedulers.boundedElastic())
                .publishOn(Schedulers.parallel(), 64)
                .doOnNext(a -> albums.add(a.title()))
                .blockLast(Duration.ofSeconds(60));
        assertThat(albums).hasSize(Fixtures.ALBUMS);
        Observation.Context stream = recorder.stream();
        List<Observation.Context> statements = recorder.named("sluice.statement");
        assertThat(statements).hasSizeGreaterThan(4).allSatisfy(s -> assertThat(parentOf(s)).isSameAs(stream));
        Set<String> threads = statements.stream().map(recorder.startThreads::get).collect(Collectors.toSet());
        assertThat(threads).as("threads the statements started on").hasSizeGreaterThan(1);
    }

    @Test
    void aStreamJoinsTheObservationInItsSubscribersContextAsItsParent() {
        firstUse(Picture.class);
        Observation request = Observation.start("http.server.requests", registry);
        repo.select(Picture.class).where("id <= ?", 300L).flux()
                .contextWrite(c -> c.put("micrometer.observation", request))
                .blockLast(Duration.ofSeconds(30));
        request.stop();
        Observation.Context stream = recorder.stream();
        assertThat(parentOf(stream)).as("%s", stream).isSameAs(request.getContext());
    }

    @Test
    void writesAndCopyAreStatementsWithTheirRows() {
        firstUse(Item.class);
        Fixtures.db().execute("TRUNCATE obs_item");
        relay.reset();
        sent.clear();
        recorder.stopped.clear();
        Flux<Item> items = Flux.fromStream(LongStream.rangeClosed(1, 1200).mapToObj(i -> new Item(i, "item " + i)));
        repo.insertAll(items).blockLast(Duration.ofSeconds(60));
        long copied = repo.copyIn(Item.class, Flux.fromStream(LongStream.rangeClosed(1201, 1500)
                .mapToObj(i -> new Item(i, "copied " + i)))).block(Duration.ofSeconds(60));
        repo.delete(Item.class).where("id > ?", 1400L).execute().block(Duration.ofSeconds(30));

        assertThat(copied).isEqualTo(300);
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM obs_item")).isEqualTo(1400);
        long insertsOnTheWire = relay.commandTags().stream().filter(t -> t.startsWith("INSERT")).count();
        List<Observation.Context> batches = recorder.statements("write-batch");
        assertThat(batches).hasSize((int) insertsOnTheWire).hasSize(3);
        assertThat(batches.stream().mapToLong(b -> Long.parseLong(high(b, "rows"))).sum()).isEqualTo(1200);
        assertThat(batches).allSatisfy(b -> assertThat(low(b, "table")).isEqualTo("obs_item"));
        List<Observation.Context> copies = recorder.statements("copy");
        assertThat(copies).hasSize(1);
        assertThat(high(copies.get(0), "rows")).isEqualTo("300");
        assertThat(high(copies.get(0), "sql")).startsWith("COPY ");
        List<Observation.Context> writes = recorder.statements("write");
        assertThat(writes).hasSize(1);
        assertThat(high(writes.get(0), "rows")).as("rows deleted").isEqualTo("100");
        assertThat(recorder.named("sluice.stream")).as("writes are no streams").isEmpty();
    }

    private static Observation.@Nullable Context parentOf(Observation.Context context) {
        ObservationView parent = context.getParentObservation();
        return parent == null ? null : (Observation.Context) parent.getContextView();
    }

    static @Nullable String low(Observation.Context context, String key) {
        KeyValue value = context.getLowCardinalityKeyValue(key);
        return value == null ? null : value.getValue();
    }

    static @Nullable String high(Observation.Context context, String key) {
        KeyValue value = context.getHighCardinalityKeyValue(key);
        return value == null ? null : value.getValue();
    }
}
