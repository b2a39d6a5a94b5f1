package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Values of PostgreSQL enum, json and jsonb columns are bound as text of no type (Sluice's r2dbc-postgresql
 * extension), so the server reads them as the column's type; r2dbc-postgresql alone binds a {@code String} as
 * {@code varchar}, which those columns refuse. Without the extension such a write fails at once, saying why.
 */
class UntypedParameterSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    enum Mood { CALM, ANGRY }

    @Table("untyped_row")
    record Reading(@Id Long id, Mood mood, String doc, String plain) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("DO $$ BEGIN CREATE TYPE untyped_mood AS ENUM ('CALM', 'ANGRY'); EXCEPTION WHEN "
                        + "duplicate_object THEN NULL; END $$",
                "CREATE TABLE IF NOT EXISTS untyped_row (id bigint PRIMARY KEY, mood untyped_mood, doc jsonb, "
                        + "plain json)");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE untyped_row");
    }

    private static String stored() {
        return Fixtures.queryString("SELECT coalesce(string_agg(untyped_row::text, ' ' ORDER BY id), '') "
                + "FROM untyped_row");
    }

    @Test
    void enumJsonAndJsonbColumnsAreWrittenOnEveryBoundPath() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            repo.insert(new Reading(1L, Mood.CALM, "{\"b\": 1, \"a\": [2.50]}", "{\"b\": 1,  \"a\": 2}"))
                    .block(TIMEOUT);
            repo.insertAll(reactor.core.publisher.Flux.just(new Reading(2L, null, null, null))).blockLast(TIMEOUT);
            repo.update(new Reading(2L, Mood.ANGRY, "[]", "null")).block(TIMEOUT);
            repo.update(Reading.class).set("mood = ?", Mood.CALM).set("doc = ?", "{\"x\": null}")
                    .where("id = ?", 2L).execute().block(TIMEOUT);
        }
        assertThat(stored()).isEqualTo("(1,CALM,\"{\"\"a\"\": [2.50], \"\"b\"\": 1}\",\"{\"\"b\"\": 1,  \"\"a\"\": 2}\") "
                + "(2,CALM,\"{\"\"x\"\": null}\",null)");
    }

    @Test
    void withoutTheExtensionSuchAWriteFailsSayingWhyAndWritesNothing() {
        String url = Fixtures.withParam(Fixtures.db().r2dbcUrl(), "autodetectExtensions", false);
        try (R2dbcRepo repo = R2dbcRepo.create(url)) {
            Throwable e = catchThrowable(() -> repo.insert(new Reading(1L, Mood.CALM, null, null)).block(TIMEOUT));
            assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("Sluice writes the values of enum, "
                    + "json and jsonb columns (and doubles into numeric[]) as text of the column's own type, through "
                    + "its r2dbc-postgresql extension SluiceCodecs, but this connection was made without it "
                    + "(autodetectExtensions=false, or another driver); let the driver autodetect extensions, or "
                    + "register new SluiceCodecs() with the connection configuration");
        }
        assertThat(stored()).isEmpty();
    }
}
