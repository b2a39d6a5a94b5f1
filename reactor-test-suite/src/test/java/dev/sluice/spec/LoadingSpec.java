package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.sluice.MappingException;
import dev.sluice.QueryException;
import dev.sluice.annotation.Deferred;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** What a query loads: deferred columns stay on the server, projections select only their columns, plain SQL. */
class LoadingSpec extends RelayedSpecBase {

    @Table("picture")
    record LazyPicture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, @Deferred byte[] data) {
    }

    record Summary(Long id, String name) {
    }

    record NameOnly(String name) {
    }

    record SizeCount(int sizeBytes, long total) {
    }

    LoadingSpec() {
        super(100, 10_000); // the default page sizes
    }

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
    }

    @Override
    void firstUse() {
        StepVerifier.create(repo.select(LazyPicture.class).count()).expectNextCount(1).verifyComplete();
    }

    @Test
    void aDeferredColumnIsNotTransferredUnlessUndeferred() {
        StepVerifier.create(repo.scan(LazyPicture.class).filter(p -> p.data() == null).count())
                .expectNext((long) Fixtures.PICTURES).verifyComplete();
        long deferredBytes = relay.bytesFromServer();
        relay.reset();
        StepVerifier.create(repo.select(LazyPicture.class).undefer("data").flux()
                        .filter(p -> p.data() != null && p.data().length == 1024).count())
                .expectNext((long) Fixtures.PICTURES).verifyComplete();
        long allBytes = relay.bytesFromServer();
        assertThat(allBytes).as("1 KiB of data per row").isGreaterThan(Fixtures.PICTURES * 1024L);
        assertThat(deferredBytes).as("bytes without data").isLessThan(allBytes / 10);
        assertThat(statements).first().asString().startsWith("SELECT id, sha1, name, taken_at, size_bytes FROM picture");
    }

    @Test
    void deferredColumnsLoadLaterOneQueryPerWindow() {
        LazyPicture lazy = repo.findById(LazyPicture.class, 42L).block(Duration.ofSeconds(10));
        assertThat(lazy.data()).isNull();
        LazyPicture full = repo.load(lazy, "data").block(Duration.ofSeconds(10));
        assertThat(full.data()).hasSize(1024);
        assertThat(full).usingRecursiveComparison().ignoringFields("data").isEqualTo(lazy);
        assertThat(full.data()).isEqualTo(repo.findById(Picture.class, 42L).block(Duration.ofSeconds(10)).data());

        relay.reset();
        statements.clear();
        long loaded = repo.loadAll(repo.select(LazyPicture.class).where("id <= ?", 1200).flux(), "data")
                .filter(p -> p.data() != null && p.data().length == 1024).count().block(Duration.ofSeconds(30));
        assertThat(loaded).isEqualTo(1200);
        assertThat(statements).filteredOn(s -> s.startsWith("SELECT id, data FROM picture WHERE id = ANY($1)"))
                .as("1200 pictures in windows of 500").hasSize(3);
        assertThatThrownBy(() -> repo.load(lazy, "name"))
                .isInstanceOf(QueryException.class)
                .hasMessage("load(LazyPicture, name): LazyPicture.name is not @Deferred, so it is always loaded");
    }

    @Test
    void updatingAnEntityWhoseDeferredColumnWasNotLoadedKeepsTheStoredValue() {
        LazyPicture lazy = repo.findById(LazyPicture.class, 15_000L).block(Duration.ofSeconds(10));
        assertThat(lazy.data()).isNull();
        LazyPicture updated = repo.update(new LazyPicture(lazy.id(), lazy.sha1(), lazy.name(), lazy.takenAt(),
                lazy.sizeBytes(), null)).block(Duration.ofSeconds(10));
        assertThat(updated.data()).as("returned as stored").hasSize(1024);
        assertThat(Fixtures.db().queryLong("SELECT octet_length(data) FROM picture WHERE id = 15000"))
                .isEqualTo(1024);
    }

    @Test
    void aProjectionSelectsOnlyItsColumnsAndStillPagesByKey() {
        List<Summary> summaries = repo.select(LazyPicture.class).where("id > ?", 19_000).orderBy("id desc")
                .as(Summary.class).flux().collectList().block(Duration.ofSeconds(10));
        assertThat(summaries).hasSize(1000).first().isEqualTo(new Summary(20_000L, "IMG_020000"));
        assertThat(statements).first().asString().isEqualTo(
                "SELECT id, name FROM picture WHERE (id > $1) ORDER BY id DESC LIMIT $2");

        statements.clear();
        StepVerifier.create(repo.select(Picture.class).as(NameOnly.class).flux().map(NameOnly::name).count())
                .expectNext((long) Fixtures.PICTURES).verifyComplete();
        assertThat(statements).filteredOn(s -> s.contains("FROM picture")).first().asString()
                .as("the key is read to page by, but not mapped")
                .isEqualTo("SELECT name, id FROM picture ORDER BY id LIMIT $1");
        assertThat(relay.bytesFromServer()).isLessThan(Fixtures.PICTURES * 100L);
    }

    @Test
    void aProjectionThatDoesNotFitSaysHow() {
        assertThatThrownBy(() -> repo.select(Picture.class).as(SizeCount.class))
                .isInstanceOf(MappingException.class)
                .hasMessage("as(SizeCount.class): SizeCount.total is not a column component of Picture; its column "
                        + "components are id, sha1, name, takenAt, sizeBytes, data");
        record WrongType(Long id, Integer name) {
        }
        assertThatThrownBy(() -> repo.select(Picture.class).as(WrongType.class))
                .isInstanceOf(MappingException.class)
                .hasMessage("as(WrongType.class): WrongType.name is Integer but Picture.name is String; declare it as "
                        + "String");
    }

    @Test
    void plainSqlMapsByColumnNameAndStreamsByDemand() {
        StepVerifier.create(repo.query(SizeCount.class,
                        "select size_bytes, count(*) as total from picture where id <= ? group by size_bytes", 300))
                .expectNext(new SizeCount(1024, 300))
                .verifyComplete();
        relay.reset();
        StepVerifier.create(repo.query(NameOnly.class, "select name from picture order by name desc"), 0)
                .thenRequest(10)
                .expectNextMatches(n -> n.name().equals("IMG_020000"))
                .expectNextCount(9)
                .thenAwait(Duration.ofMillis(300))
                .then(() -> assertThat(relay.dataRows()).isEqualTo(100))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(repo.query(SizeCount.class, "select size_bytes from picture limit 1"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                        "SizeCount.total: the result has no column total; its columns are size_bytes. Alias the "
                                + "column in the SQL ('AS total') or name it with @Column"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(repo.select(Picture.class).count()).expectNext((long) Fixtures.PICTURES)
                .verifyComplete();
    }
}
