package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * {@code insertAll} and {@code upsert} send a batch as one {@code INSERT ... SELECT ... FROM unnest($1::int8[], ...)}
 * with one binary array per column, and fall back to a multi-row {@code VALUES} where an array cannot say it: a key
 * null in some rows only, an array column, a connection without Sluice's driver extension. Statements are counted on
 * the wire (the relay's Parse messages and command tags), values compared with what PostgreSQL itself prints.
 */
class InsertArraysSpec extends WriteSpecBase {

    private static final String TABLE = "ia_note";
    private static final String TAGGED = "ia_tagged";
    private static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123456Z");

    enum Mood { CALM, ANGRY }

    @Table(TABLE)
    record Note(@Id Long id, String title, Instant takenAt, BigDecimal amount, byte[] body, Mood mood) {
    }

    /** The same table without the enum and timestamptz columns, which need the extension on any path. */
    @Table(TABLE)
    record Plain(@Id Long id, String title, byte[] body) {
    }

    @Table(TAGGED)
    record Tagged(@Id Long id, String title, String[] tags) {
    }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute(
                "DO $$ BEGIN CREATE TYPE ia_mood AS ENUM ('CALM', 'ANGRY'); EXCEPTION WHEN duplicate_object THEN "
                        + "NULL; END $$",
                "CREATE TABLE IF NOT EXISTS " + TABLE + " (id bigserial PRIMARY KEY, title text NOT NULL UNIQUE, "
                        + "taken_at timestamptz, amount numeric(12,2), body bytea, mood ia_mood)",
                "CREATE TABLE IF NOT EXISTS " + TAGGED + " (id bigserial PRIMARY KEY, title text, tags text[])",
                "TRUNCATE " + TAGGED + " RESTART IDENTITY");
    }

    InsertArraysSpec() {
        super(TABLE, Note.class, 2);
    }

    private static Note note(int i) {
        return new Note(null, "n" + i, T0.plusSeconds(i), new BigDecimal(i + ".50"), new byte[] {(byte) i, 0, -1},
                i % 2 == 0 ? Mood.CALM : Mood.ANGRY);
    }

    /** The rows as PostgreSQL prints them, by key. */
    private static String stored(String table) {
        return Fixtures.queryString("SELECT string_agg(t::text, ' | ' ORDER BY id) FROM " + table + " t");
    }

    @Test
    void aBatchIsOneStatementOfOneArrayPerColumnWhateverItsRows() {
        List<Note> written = repo.insertAll(Flux.range(0, 1234).map(InsertArraysSpec::note)).collectList()
                .block(TIMEOUT);
        assertThat(tags("INSERT")).containsExactly("INSERT 0 500", "INSERT 0 500", "INSERT 0 234");
        assertThat(statements).filteredOn(s -> s.startsWith("INSERT")).hasSize(3).allSatisfy(s -> assertThat(s)
                .isEqualTo("INSERT INTO ia_note (title, taken_at, amount, body, mood) SELECT title, taken_at, amount, "
                        + "body, mood::ia_mood FROM unnest($1::text[], $2::timestamptz[], $3::numeric[], "
                        + "$4::bytea[], $5::text[]) AS v (title, taken_at, amount, body, mood) RETURNING id, title, "
                        + "taken_at, amount, body, mood"));
        assertThat(written).hasSize(1234);
        assertThat(written.get(7)).usingRecursiveComparison().isEqualTo(new Note(8L, "n7", T0.plusSeconds(7),
                new BigDecimal("7.50"), new byte[] {7, 0, -1}, Mood.ANGRY));
        // the truth: the same rows written by PostgreSQL from literals
        Fixtures.db().execute("DROP TABLE IF EXISTS ia_truth",
                "CREATE TABLE ia_truth (LIKE " + TABLE + ")",
                "INSERT INTO ia_truth SELECT i + 1, 'n' || i, timestamptz '2024-05-01 10:15:30.123456+00' + i * "
                        + "interval '1 second', (i || '.50')::numeric, decode(lpad(to_hex(i % 256), 2, '0') || "
                        + "'00ff', 'hex'), CASE WHEN i % 2 = 0 THEN 'CALM' ELSE 'ANGRY' END::ia_mood FROM "
                        + "generate_series(0, 1233) AS i");
        assertThat(stored(TABLE)).isEqualTo(stored("ia_truth"));
    }

    @Test
    void nullsAndAnUpsertTravelInArraysToo() {
        repo.insertAll(Flux.just(new Note(null, "a", null, null, null, null), note(1))).blockLast(TIMEOUT);
        List<Note> upserted = repo.upsert(Note.class).onConflict("title").doUpdate().all(Flux.just(
                new Note(null, "a", T0, new BigDecimal("2.5"), new byte[0], Mood.ANGRY),
                new Note(null, "b", null, null, null, null))).collectList().block(TIMEOUT);
        assertThat(statements).filteredOn(s -> s.startsWith("INSERT")).hasSize(2)
                .allSatisfy(s -> assertThat(s).contains(" FROM unnest("));
        assertThat(upserted).extracting(Note::title, Note::amount).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", new BigDecimal("2.50")),
                org.assertj.core.groups.Tuple.tuple("b", null));
        assertThat(stored(TABLE)).isEqualTo("(1,a,\"2024-05-01 10:15:30.123456+00\",2.50,\"\\\\x\",ANGRY) | "
                + "(2,n1,\"2024-05-01 10:15:31.123456+00\",1.50,\"\\\\x0100ff\",ANGRY) | (4,b,,,,)");
    }

    @Test
    void aKeyGivenInSomeRowsOnlyFallsBackToValuesWhereTheOthersTakeTheDefault() {
        List<Note> written = repo.insertAll(Flux.just(new Note(null, "a", null, null, null, null),
                new Note(100L, "b", null, null, null, null))).collectList().block(TIMEOUT);
        assertThat(written).extracting(Note::id).containsExactly(1L, 100L);
        assertThat(statements).filteredOn(s -> s.startsWith("INSERT")).singleElement().satisfies(s ->
                assertThat(s).contains(" VALUES (DEFAULT, $1"));
    }

    @Test
    void anArrayColumnFallsBackToValues() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (R2dbcRepo tagged = WriteTables.repo(relay, 1, 500, seen::add)) {
            List<Tagged> written = tagged.insertAll(Flux.just(new Tagged(null, "x", new String[] {"a", null}),
                    new Tagged(null, "y", null))).collectList().block(TIMEOUT);
            assertThat(written).extracting(Tagged::title).containsExactly("x", "y");
        }
        assertThat(seen).filteredOn(s -> s.startsWith("INSERT")).singleElement().satisfies(s ->
                assertThat(s).contains(" VALUES ($1, $2), ($3, $4)"));
        assertThat(stored(TAGGED)).isEqualTo("(1,x,\"{a,NULL}\") | (2,y,)");
    }

    @Test
    void aConnectionWithoutSluicesExtensionWritesValues() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        String url = Fixtures.withParam(Fixtures.db().r2dbcUrl(), "autodetectExtensions", false);
        try (R2dbcRepo plain = R2dbcRepo.builder(url).statementListener(seen::add).build()) {
            assertThat(plain.insertAll(Flux.range(0, 3).map(i -> new Plain(null, "p" + i, new byte[] {1})))
                    .collectList().block(TIMEOUT)).hasSize(3);
        }
        assertThat(seen).filteredOn(s -> s.startsWith("INSERT")).singleElement().satisfies(s ->
                assertThat(s).contains(" VALUES ($1, $2), ($3, $4), "));
        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void updateAllJoinsOneArrayPerColumnToo() {
        Fixtures.db().execute("INSERT INTO " + TABLE + " (title, body) VALUES ('a', '\\x00'), ('b', '\\x00')");
        List<Plain> updated = repo.updateAll(Flux.just(new Plain(2L, "B", new byte[] {2}),
                new Plain(1L, "A", null))).collectList().block(TIMEOUT);
        assertThat(updated).extracting(Plain::title).containsExactlyInAnyOrder("A", "B");
        assertThat(statements).filteredOn(s -> s.startsWith("UPDATE")).singleElement().satisfies(s -> assertThat(s)
                .contains(" FROM unnest($1::int8[], $2::text[], $3::bytea[]) AS v (id, title, body) "));
        assertThat(stored(TABLE)).isEqualTo("(1,A,,,,) | (2,B,,,\"\\\\x02\",)");
    }

    @Test
    void aValueThatDoesNotFitNamesItsInputRowAndNothingOfItsBatchIsWritten() {
        List<Note> notes = IntStream.range(0, 600).mapToObj(i -> i == 550
                ? new Note(null, "n" + i, T0, new BigDecimal("0.125"), null, null) : note(i)).toList();
        assertThatThrownBy(() -> repo.insertAll(Flux.fromIterable(notes)).blockLast(TIMEOUT))
                .isInstanceOf(WriteException.class)
                .hasMessageStartingWith("insertAll of Note into ia_note was refused at input row 551, component "
                        + "amount: 0.125 does not fit column amount (numeric(12,2)) exactly");
        assertThat(rows()).as("the first batch, not the second").isEqualTo(500);
    }
}
