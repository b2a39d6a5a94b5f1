package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

import dev.sluice.examples.ReadmeExamples;
import dev.sluice.examples.gallery.Photo;
import dev.sluice.r2dbc.R2dbcRepo;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Runs the README's code (compiled in the examples module) against the database and checks what it promises. */
class ReadmeExamplesSpec {

    private R2dbcRepo repo;

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
        Fixtures.gallery();
    }

    @BeforeEach
    void open() {
        repo = Fixtures.repo();
    }

    @AfterEach
    void close() {
        repo.close();
    }

    @Test
    void quickStart() {
        StepVerifier.create(ReadmeExamples.scanAll(repo).count()).expectNext((long) Fixtures.PICTURES)
                .verifyComplete();
        Instant since = Instant.parse("2025-12-31T23:00:00Z");
        Fixtures.db().execute("UPDATE picture SET size_bytes = 2048 WHERE id > 19000 AND id % 3 = 0");
        long expected = Fixtures.db().queryLong("SELECT count(*) FROM picture WHERE taken_at >= '" + since
                + "' AND size_bytes > 1024");
        assertThat(expected).isPositive();
        StepVerifier.create(ReadmeExamples.recent(repo, since).map(p -> p.takenAt()).collectList())
                .assertNext(times -> assertThat(times).hasSize((int) expected).isSortedAccordingTo((a, b) -> b.compareTo(a)))
                .verifyComplete();
        StepVerifier.create(ReadmeExamples.byId(repo).map(p -> p.name())).expectNext("IMG_000042").verifyComplete();
        StepVerifier.create(ReadmeExamples.countImg(repo)).expectNext((long) Fixtures.PICTURES).verifyComplete();
    }

    @Test
    void observed() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        try (R2dbcRepo observed = ReadmeExamples.observed(Fixtures.db().r2dbcUrl(), registry)) {
            StepVerifier.create(observed.scan(Picture.class).take(5)).expectNextCount(5).verifyComplete();
        }
        TestObservationRegistryAssert.assertThat(registry).hasObservationWithNameEqualTo("sluice.stream").that()
                .hasLowCardinalityKeyValue("entity", "Picture").hasLowCardinalityKeyValue("outcome", "cancelled");
        TestObservationRegistryAssert.assertThat(registry).hasAnObservation(statement -> statement
                .hasNameEqualTo("sluice.statement")
                .hasLowCardinalityKeyValue("kind", "page").hasLowCardinalityKeyValue("table", "picture"));
    }

    @Test
    void mapping() {
        Fixtures.db().execute("DO $$ BEGIN CREATE TYPE invoice_status AS ENUM ('OPEN', 'PAID'); EXCEPTION WHEN "
                        + "duplicate_object THEN NULL; END $$",
                "CREATE TABLE IF NOT EXISTS invoice (id bigint PRIMARY KEY, status invoice_status NOT NULL, "
                        + "total numeric(12,2) NOT NULL, terms interval NOT NULL, version bigint NOT NULL)",
                "TRUNCATE invoice",
                "INSERT INTO invoice SELECT i, CASE WHEN i % 3 = 0 THEN 'PAID' ELSE 'OPEN' END::invoice_status, "
                        + "i * 2.50, '30 days', 1 FROM generate_series(1, 1000) i");
        long expected = Fixtures.db().queryLong("SELECT count(*) FROM invoice WHERE status = 'OPEN' AND total > 10");
        try (R2dbcRepo invoices = ReadmeExamples.invoices(Fixtures.db().r2dbcUrl())) {
            StepVerifier.create(ReadmeExamples.payLarge(invoices).count()).expectNext(expected).verifyComplete();
        }
        assertThat(Fixtures.queryString("SELECT string_agg(DISTINCT status || ' ' || version || ' ' || terms, ',') "
                + "FROM invoice WHERE total > 10")).isEqualTo("PAID 1 30 days,PAID 2 720:00:00");
    }

    @Test
    void timeouts() {
        long expected = Fixtures.db().queryLong("SELECT count(*) FROM picture WHERE size_bytes > 1024");
        StepVerifier.create(ReadmeExamples.largeWithin5s(repo).count()).expectNext(expected).verifyComplete();
    }

    @Test
    void lostConnections() {
        StepVerifier.create(ReadmeExamples.scanGoingOnAfterALoss(repo).count()).expectNext((long) Fixtures.PICTURES)
                .verifyComplete();
        try (R2dbcRepo patient = ReadmeExamples.patientRepo(Fixtures.db().r2dbcUrl())) {
            StepVerifier.create(patient.select(dev.sluice.examples.Picture.class).count())
                    .expectNext((long) Fixtures.PICTURES).verifyComplete();
        }
    }

    @Test
    void relationships() {
        StepVerifier.create(ReadmeExamples.albumsWithPhotosAndTags(repo).take(14))
                .thenConsumeWhile(a -> a.photos().size() == a.id() % 7
                        && a.photos().stream().allMatch(p -> p.tags().size() == p.id() % 4))
                .verifyComplete();
        Fixtures.db().execute("UPDATE photo SET caption = 'beach ' || id WHERE album_id = 3");
        StepVerifier.create(ReadmeExamples.beachPhotosWithAlbum(repo).map(Photo::album))
                .expectNextMatches(a -> a.title().equals("album 3"))
                .expectNextMatches(a -> a.title().equals("album 3"))
                .expectNextMatches(a -> a.title().equals("album 3"))
                .verifyComplete();
    }

    @Test
    void deferredProjectionsAndPlainSql() {
        ReadmeExamples.PictureInfo info = ReadmeExamples.hashesOnly(repo).blockFirst(Duration.ofSeconds(10));
        assertThat(info.data()).isNull();
        assertThat(ReadmeExamples.withData(repo, info).block(Duration.ofSeconds(10)).data()).hasSize(1024);
        StepVerifier.create(ReadmeExamples.summaries(repo).take(1).map(ReadmeExamples.PictureSummary::name))
                .expectNext("IMG_020000").verifyComplete();
        StepVerifier.create(ReadmeExamples.perDay(repo, 2025))
                .expectNextMatches(d -> d.day().equals(LocalDate.of(2025, 12, 31)) && d.pictures() > 0)
                .verifyComplete();
    }

    @Test
    void pagingARestApi() {
        dev.sluice.examples.Picture last = repo.findById(dev.sluice.examples.Picture.class, 500L)
                .block(Duration.ofSeconds(10));
        long after = Fixtures.db().queryLong("SELECT count(*) FROM picture WHERE (taken_at, id) > (SELECT taken_at, id"
                + " FROM picture WHERE id = 500)");
        StepVerifier.create(ReadmeExamples.continueAfter(repo, last).count()).expectNext(after).verifyComplete();
        dev.sluice.KeysetPage<dev.sluice.examples.Picture> first = ReadmeExamples.page(repo, null)
                .block(Duration.ofSeconds(10));
        dev.sluice.KeysetPage<dev.sluice.examples.Picture> second = ReadmeExamples.page(repo, first.next())
                .block(Duration.ofSeconds(10));
        assertThat(second.rows()).hasSize(100);
        assertThat(second.rows().get(0).id()).isEqualTo(Fixtures.db().queryLong(
                "SELECT id FROM picture ORDER BY taken_at, id OFFSET 100 LIMIT 1"));
        long joined = Fixtures.db().queryLong("SELECT count(*) FROM photo p JOIN album a ON a.id = p.album_id");
        StepVerifier.create(ReadmeExamples.photosWithTitles(repo).map(ReadmeExamples.PhotoRow::id).collectList())
                .assertNext(ids -> assertThat(ids).hasSize((int) joined).isSorted())
                .verifyComplete();
    }

    @Test
    void partitionedScans() {
        java.util.List<String> tokens = ReadmeExamples.splitForWorkers(repo).block(Duration.ofSeconds(30));
        assertThat(tokens).hasSize(8);
        long rows = 0;
        for (String token : tokens) {
            rows += ReadmeExamples.worker(repo, token).count().block(Duration.ofSeconds(30));
        }
        assertThat(rows).isEqualTo(Fixtures.PICTURES);
        StepVerifier.create(ReadmeExamples.fourAtOnce(repo).map(p -> p.id()).distinct().count())
                .expectNext((long) Fixtures.PICTURES).verifyComplete();
    }
}
