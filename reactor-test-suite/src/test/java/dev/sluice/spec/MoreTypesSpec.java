package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Period;
import java.util.List;

import dev.sluice.Interval;
import dev.sluice.MappingException;
import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * {@code interval} as {@link Duration} and as {@link Interval} (months too), {@code bytea} as {@link ByteBuffer},
 * {@code ltree} and {@code citext} as {@code String}: every write path stores what SQL reads as the expected text,
 * and reads (binary, and text through a parameterless cursor) give back the values written in SQL.
 */
class MoreTypesSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Table("more_span")
    record Span(@Id Long id, Duration took, Interval every, ByteBuffer bytes, String path, String name) {
    }

    @Table("more_span")
    record SpanAsDurations(@Id Long id, Duration took, Duration every) {
    }

    /** The schema an extension lives in, creating it (in public) when the database has it not. */
    static String extension(String name) {
        Fixtures.db().execute("CREATE EXTENSION IF NOT EXISTS " + name + " SCHEMA public");
        return Fixtures.queryString("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = "
                + "e.extnamespace WHERE e.extname = '" + name + "'");
    }

    @BeforeAll
    static void table() {
        String ltree = extension("ltree");
        String citext = extension("citext");
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS more_span (id bigint PRIMARY KEY, took interval, "
                + "every interval, bytes bytea, path " + ltree + ".ltree, name " + citext + ".citext)");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE more_span");
    }

    static String stored() {
        return Fixtures.queryString("SELECT coalesce(string_agg(concat_ws(' | ', id, coalesce(took::text, 'NULL'), "
                + "coalesce(every::text, 'NULL'), coalesce(bytes::text, 'NULL'), coalesce(path::text, 'NULL'), "
                + "coalesce(name::text, 'NULL')), E'\\n' ORDER BY id), '') FROM more_span");
    }

    static Span span(long id, Duration took, Interval every, String path) {
        return new Span(id, took, every, ByteBuffer.wrap(new byte[] {(byte) id, 2, (byte) 0xff}), path, "MiXed " + id);
    }

    static String describe(Span s) {
        byte[] bytes = s.bytes() == null ? null : new byte[s.bytes().remaining()];
        if (bytes != null) {
            s.bytes().duplicate().get(bytes);
        }
        return s.id() + " | " + s.took() + " | " + s.every() + " | " + (bytes == null ? null
                : java.util.HexFormat.of().formatHex(bytes)) + " | " + s.path() + " | " + s.name();
    }

    @Test
    void everyWritePathStoresWhatSqlReadsBack() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            repo.insert(span(1, Duration.ofHours(36), Interval.of(14, 3, 5_000_001), "a.b")).block(TIMEOUT);
            repo.insertAll(Flux.just(span(2, Duration.ofMillis(-1500), Interval.of(-1, -2, -3), "top"),
                    span(3, Duration.ZERO, new Interval(Period.ofYears(2), Duration.ofMinutes(90)), "x.y.z")))
                    .blockLast(TIMEOUT);
            repo.upsert(Span.class).onConflict("id").doUpdate()
                    .one(span(3, Duration.ofNanos(1000), Interval.of(0, 1, 0), "u")).block(TIMEOUT);
            repo.update(span(2, Duration.ofDays(2), Interval.of(1, 0, 0), "v.w")).block(TIMEOUT);
            repo.copyIn(Span.class, Flux.just(span(4, Duration.ofSeconds(59, 999_999_000), Interval.of(12, 31,
                    86_400_000_000L), "c.o.p.y"), new Span(5L, null, null, null, null, null))).block(TIMEOUT);
            repo.updateAll(Flux.just(span(4, Duration.ofSeconds(61), Interval.of(12, 31, 86_400_000_000L), "c.o")))
                    .blockLast(TIMEOUT);
        }
        assertThat(stored()).isEqualTo(String.join("\n",
                "1 | 36:00:00 | 1 year 2 mons 3 days 00:00:05.000001 | \\x0102ff | a.b | MiXed 1",
                "2 | 48:00:00 | 1 mon | \\x0202ff | v.w | MiXed 2",
                "3 | 00:00:00.000001 | 1 day | \\x0302ff | u | MiXed 3",
                "4 | 00:01:01 | 1 year 31 days 24:00:00 | \\x0402ff | c.o | MiXed 4",
                "5 | NULL | NULL | NULL | NULL | NULL"));
        // keyset pages of one row bind the last interval read
        try (R2dbcRepo pages = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).minPageSize(1).maxPageSize(1).build()) {
            assertThat(pages.select(Span.class).where("took is not null").orderBy("took").flux().limitRate(1)
                    .map(s -> String.valueOf(s.id())).collectList().map(ids -> String.join(",", ids)).block(TIMEOUT))
                    .isEqualTo(Fixtures.queryString("SELECT string_agg(id::text, ',' ORDER BY took, id) FROM "
                            + "more_span WHERE took IS NOT NULL"));
        }
    }

    @Test
    void readsGiveBackTheValuesWrittenInSqlOnBinaryAndTextTransfer() {
        Fixtures.db().execute("INSERT INTO more_span VALUES (1, '1 day 02:00:00.5', '-1 year -2 mons +3 days "
                + "-04:05:06.000007', '\\x00ff', 'a.b.c', 'CaSe'), (2, NULL, NULL, NULL, NULL, NULL)");
        List<String> expected = List.of("1 | PT26H0.5S | Interval[period=P-1Y-2M3D, time=PT-4H-5M-6.000007S] | 00ff | "
                + "a.b.c | CaSe", "2 | null | null | null | null | null");
        try (R2dbcRepo repo = Fixtures.repo()) {
            assertThat(repo.scan(Span.class).map(MoreTypesSpec::describe).collectList().block(TIMEOUT))
                    .isEqualTo(expected);
            // a statement without parameters travels in text
            assertThat(repo.query(Span.class, "select * from more_span order by id").map(MoreTypesSpec::describe)
                    .collectList().block(TIMEOUT)).isEqualTo(expected);
            assertThat(repo.select(Span.class).where("took = ?", Duration.ofHours(26).plusMillis(500))
                    .where("every = ?", new Interval(Period.of(-1, -2, 3), Duration.parse("PT-4H-5M-6.000007S")))
                    .where("bytes = ?", ByteBuffer.wrap(new byte[] {0, (byte) 0xff})).flux().map(Span::id)
                    .collectList().block(TIMEOUT)).containsExactly(1L);
            Throwable months = catchThrowable(() -> repo.findById(SpanAsDurations.class, 1L).block(TIMEOUT));
            assertThat(months).isInstanceOf(MappingException.class).hasMessage("SpanAsDurations.every: column every "
                    + "holds -14 mons 3 days -14706000007 microseconds in the row (id=1), which Duration cannot hold; "
                    + "declare the component as dev.sluice.Interval, which holds months");
        }
    }

    @Test
    void aDurationFinerThanMicrosecondsIsRefused() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            Throwable e = catchThrowable(() -> repo.insert(span(1, Duration.ofNanos(1500), Interval.of(0, 0, 0), "a"))
                    .block(TIMEOUT));
            assertThat(e).isInstanceOf(WriteException.class).hasMessage("insert of Span into more_span was refused "
                    + "at input row 1 (id=1), component took: PT0.0000015S does not fit column took (interval) exactly: "
                    + "interval keeps microseconds, so PostgreSQL would round it; truncate it first, e.g. "
                    + "truncatedTo(ChronoUnit.MICROS); nothing was written");
        }
        assertThat(stored()).isEmpty();
    }
}
