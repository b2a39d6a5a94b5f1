package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Results equal the SQL ground truth, in every mode, with every supported type. */
class QuerySpec {

    enum Mood { CALM, STORMY }

    @Table("photo_label")
    record PhotoTag(@Id Long photoId, @Id Long tagId, String label) {
    }

    @Table("everything")
    record Everything(@Id UUID id, boolean flag, Short small, long big, double ratio, BigDecimal price, String text,
                      LocalDate day, LocalDateTime local, LocalTime time, OffsetDateTime offset, Instant instant,
                      Mood mood, String[] tags, Long[] numbers, byte[] bytes) {
    }

    private PgWireRelay relay;
    private R2dbcRepo repo;

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS photo_label (photo_id bigint, tag_id bigint, label text NOT NULL, "
                        + "PRIMARY KEY (photo_id, tag_id))",
                "INSERT INTO photo_label SELECT p, t, p || '/' || t FROM generate_series(1, 40) p, "
                        + "generate_series(1, 25) t ON CONFLICT DO NOTHING",
                "CREATE TABLE IF NOT EXISTS everything (id uuid PRIMARY KEY, flag boolean NOT NULL, small int2, "
                        + "big int8 NOT NULL, ratio float8 NOT NULL, price numeric(12,2), text varchar(20), day date, "
                        + "local timestamp, time time, \"offset\" timestamptz, instant timestamptz, mood text, "
                        + "tags text[], numbers int8[], bytes bytea)");
    }

    @BeforeEach
    void open() {
        relay = Fixtures.relay();
        repo = Fixtures.repo(relay, 2, 7, 7);
    }

    @AfterEach
    void close() {
        repo.close();
        relay.close();
    }

    @Test
    void whereAndOrderInEitherModeEqualTheSqlGroundTruth() {
        // keyset, descending, with a condition: ids 1..20000 with size_bytes = 1024 and name like 'IMG_0001%'
        List<Long> expected = LongStream.rangeClosed(1000, 1999).boxed().sorted((a, b) -> Long.compare(b, a)).toList();
        StepVerifier.create(repo.select(Picture.class).where("name like ? and size_bytes = ?", "IMG_001%", 1024)
                        .orderBy("id desc").flux().map(Picture::id).collectList())
                .expectNext(expected).verifyComplete();
        // cursor: taken_at is not unique; order by it then name to compare with SQL
        List<String> truth = names("SELECT string_agg(name, ',' ORDER BY taken_at DESC, name) FROM picture "
                + "WHERE id <= 3000");
        StepVerifier.create(repo.select(Picture.class).where("id <= ?", 3000L).orderBy("taken_at desc, name")
                        .flux().map(Picture::name).collectList())
                .expectNext(truth).verifyComplete();
    }

    private static List<String> names(String sql) {
        String joined = Fixtures.queryString(sql);
        return Arrays.asList(joined.split(","));
    }

    @Test
    void compositeKeysPageByRowComparisonWithoutLosingOrRepeatingRows() {
        // small requests keep the pages small: many page boundaries to cross
        StepVerifier.create(repo.scan(PhotoTag.class).limitRate(7).map(t -> t.photoId() * 100 + t.tagId())
                        .collectList())
                .assertNext(keys -> {
                    assertThat(keys).hasSize(1000).isSorted().doesNotHaveDuplicates();
                    assertThat(keys.get(0)).isEqualTo(101L);
                    assertThat(keys.get(999)).isEqualTo(4025L);
                })
                .verifyComplete();
        assertThat(relay.commandTags()).filteredOn(t -> t.startsWith("SELECT")).hasSizeGreaterThan(1000 / 7);
        StepVerifier.create(repo.findById(PhotoTag.class, 3L, 4L).map(PhotoTag::label)).expectNext("3/4")
                .verifyComplete();
    }

    @Test
    void limitCountFindByIdAndCollectionsBoundAsArrays() {
        StepVerifier.create(repo.select(Picture.class).where("id > ?", 100).limit(10).flux().map(Picture::id))
                .expectNext(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 110L).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).where("name like ?", "IMG_01%").count())
                .expectNext(10_000L).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).where("name like ?", "IMG_01%").limit(3).count())
                .expectNext(3L).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).where("id = any(?)", List.of(5L, 3L, 99L)).flux()
                        .map(Picture::id))
                .expectNext(3L, 5L, 99L).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).where("id = any(?)", new long[] {8, 9}).count())
                .expectNext(2L).verifyComplete();
        StepVerifier.create(repo.findById(Picture.class, 123).map(Picture::name)).expectNext("IMG_000123")
                .verifyComplete();
        StepVerifier.create(repo.findById(Picture.class, 999_999L)).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).limit(0).flux()).verifyComplete();
    }

    @Test
    void everySupportedTypeRoundTrips() {
        UUID id = UUID.fromString("00000000-0000-0000-0000-000000000042");
        Fixtures.db().execute("DELETE FROM everything",
                "INSERT INTO everything VALUES ('" + id + "', true, 7, 9000000000, 0.5, 12.34, 'héllo', "
                        + "'2026-11-21', '2026-11-21 10:11:12', '10:11:12', '2026-11-21 10:11:12+02', "
                        + "'2026-11-21 10:11:12Z', 'STORMY', '{a,b}', '{1,2,3}', '\\x0102ff')",
                "INSERT INTO everything (id, flag, big, ratio) VALUES ('" + UUID.randomUUID() + "', false, 1, 2)");
        StepVerifier.create(repo.findById(Everything.class, id))
                .assertNext(e -> {
                    assertThat(e.flag()).isTrue();
                    assertThat(e.small()).isEqualTo((short) 7);
                    assertThat(e.big()).isEqualTo(9_000_000_000L);
                    assertThat(e.ratio()).isEqualTo(0.5);
                    assertThat(e.price()).isEqualByComparingTo("12.34");
                    assertThat(e.text()).isEqualTo("héllo");
                    assertThat(e.day()).isEqualTo(LocalDate.of(2026, 11, 21));
                    assertThat(e.local()).isEqualTo(LocalDateTime.of(2026, 11, 21, 10, 11, 12));
                    assertThat(e.time()).isEqualTo(LocalTime.of(10, 11, 12));
                    assertThat(e.offset().toInstant()).isEqualTo(
                            OffsetDateTime.of(2026, 11, 21, 10, 11, 12, 0, ZoneOffset.ofHours(2)).toInstant());
                    assertThat(e.instant()).isEqualTo(Instant.parse("2026-11-21T10:11:12Z"));
                    assertThat(e.mood()).isEqualTo(Mood.STORMY);
                    assertThat(e.tags()).containsExactly("a", "b");
                    assertThat(e.numbers()).containsExactly(1L, 2L, 3L);
                    assertThat(e.bytes()).containsExactly(1, 2, 0xff);
                })
                .verifyComplete();
        StepVerifier.create(repo.select(Everything.class).where("mood is null").one())
                .assertNext(e -> {
                    assertThat(e.small()).isNull();
                    assertThat(e.mood()).isNull();
                    assertThat(e.tags()).isNull();
                })
                .verifyComplete();
        StepVerifier.create(repo.select(Everything.class).where("mood = ?", Mood.STORMY).count())
                .expectNext(1L).verifyComplete();
    }

    @Test
    void aQueryIsImmutableAndRunsOnlyWhenSubscribed() {
        var base = repo.select(Picture.class).where("id <= ?", 10);
        var narrowed = base.where("id > ?", 5);
        relay.reset();
        var notYet = narrowed.flux();
        assertThat(relay.commandTags()).isEmpty();
        StepVerifier.create(base.count()).expectNext(10L).verifyComplete();
        StepVerifier.create(notYet.map(Picture::id)).expectNext(6L, 7L, 8L, 9L, 10L).verifyComplete();
        StepVerifier.create(notYet.map(Picture::id).count()).expectNext(5L).as("resubscribing reruns the query")
                .verifyComplete();
    }
}
