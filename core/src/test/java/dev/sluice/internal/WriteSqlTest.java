package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.QueryException;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedText;
import org.junit.jupiter.api.Test;

class WriteSqlTest {

    enum Mood { CALM, ANGRY }

    @Table("picture")
    record Picture(@Id Long id, String sha1, String name, Instant takenAt, int sizeBytes, Mood mood, String[] tags) {
    }

    record PhotoTag(@Id Long photoId, @Id @Column("tag_id") Long tagId, @Column("order") int position) {
    }

    record Blob(@Id Long id, String name, @dev.sluice.annotation.Deferred byte[] data) {
    }

    record KeyOnly(@Id Long id) {
    }

    record Wallet(@Id Long id, String owner, @dev.sluice.annotation.Version Long version) {
    }

    private static final PostgresDialect PG = PostgresDialect.INSTANCE;
    private static final Instant T0 = Instant.EPOCH;

    private static WriteSql<Picture> pictures() {
        return new WriteSql<>(PG, EntityModel.of(Picture.class));
    }

    private static Picture picture(Long id, String sha1) {
        return new Picture(id, sha1, "n", T0, 7, Mood.CALM, new String[] {"cat"});
    }

    @Test
    void insertLeavesANullKeyOutAndReturnsEveryColumn() {
        RenderedSql sql = pictures().insert(List.of(picture(null, "a")), null);
        assertThat(sql.sql()).isEqualTo("INSERT INTO picture (sha1, name, taken_at, size_bytes, mood, tags)"
                + " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, sha1, name, taken_at, size_bytes, mood, tags");
        assertThat(sql.bindings()).hasSize(6);
        assertThat(sql.bindings().subList(0, 5)).containsExactly("a", "n", T0, 7, new UntypedText("CALM"));
        assertThat((String[]) sql.bindings().get(5)).containsExactly("cat");
    }

    @Test
    void insertWritesAGivenKeyAndBindsOtherNullsAsTypedNulls() {
        Picture p = new Picture(42L, null, null, null, 0, null, null);
        RenderedSql sql = pictures().insert(List.of(p), null);
        assertThat(sql.sql()).isEqualTo("INSERT INTO picture (id, sha1, name, taken_at, size_bytes, mood, tags)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, sha1, name, taken_at, size_bytes, mood, tags");
        assertThat(sql.bindings()).containsExactly(42L, new TypedNull(String.class), new TypedNull(String.class),
                new TypedNull(Instant.class), 0, new TypedNull(String.class), new TypedNull(String[].class));
    }

    @Test
    void multiRowInsertUsesDefaultWhereOnlySomeKeysAreNull() {
        RenderedSql sql = pictures().insert(List.of(picture(null, "a"), picture(5L, "b")), null);
        assertThat(sql.sql()).isEqualTo("INSERT INTO picture (id, sha1, name, taken_at, size_bytes, mood, tags)"
                + " VALUES (DEFAULT, $1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12, $13)"
                + " RETURNING id, sha1, name, taken_at, size_bytes, mood, tags");
        assertThat(sql.bindings()).hasSize(13);
        assertThat(sql.bindings().get(6)).isEqualTo(5L);
    }

    @Test
    void anEntityOfOnlyAGeneratedKeyInsertsDefaults() {
        RenderedSql sql = new WriteSql<>(PG, EntityModel.of(KeyOnly.class))
                .insert(List.of(new KeyOnly(null), new KeyOnly(null)), null);
        assertThat(sql.sql()).isEqualTo("INSERT INTO key_only (id) VALUES (DEFAULT), (DEFAULT) RETURNING id");
        assertThat(sql.bindings()).isEmpty();
    }

    @Test
    void rowsPerStatementRespectThe65535ParameterLimit() {
        assertThat(pictures().rowsPerStatement(500)).isEqualTo(500);
        assertThat(pictures().rowsPerStatement(100_000)).isEqualTo(65535 / 7);
        assertThat(pictures().rowsPerStatement(100_000) * 7).isLessThanOrEqualTo(65535);
    }

    @Test
    void upsertDoNothing() {
        WriteSql<Picture> w = pictures();
        RenderedSql sql = w.insert(List.of(picture(null, "a")), w.conflict(List.of("sha1"), false));
        assertThat(sql.sql()).isEqualTo("INSERT INTO picture (sha1, name, taken_at, size_bytes, mood, tags)"
                + " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha1) DO NOTHING"
                + " RETURNING id, sha1, name, taken_at, size_bytes, mood, tags");
    }

    @Test
    void upsertDoUpdateSetsEveryColumnButKeyAndTargetFromExcluded() {
        WriteSql<Picture> w = pictures();
        RenderedSql sql = w.insert(List.of(picture(null, "a")), w.conflict(List.of("sha1", "takenAt"), true));
        assertThat(sql.sql()).isEqualTo("INSERT INTO picture (sha1, name, taken_at, size_bytes, mood, tags)"
                + " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha1, taken_at) DO UPDATE SET"
                + " name = EXCLUDED.name, size_bytes = EXCLUDED.size_bytes, mood = EXCLUDED.mood,"
                + " tags = EXCLUDED.tags"
                + " RETURNING id, sha1, name, taken_at, size_bytes, mood, tags");
    }

    @Test
    void aVersionedUpsertUpdatesOnlyTheRowHoldingTheVersionGivenAndIncrementsIt() {
        WriteSql<Wallet> w = new WriteSql<>(PG, EntityModel.of(Wallet.class));
        RenderedSql sql = w.insert(List.of(new Wallet(1L, "ann", 3L)), w.conflict(List.of("id"), true));
        assertThat(sql.sql()).isEqualTo("INSERT INTO wallet AS stored (id, owner, version) VALUES ($1, $2, $3)"
                + " ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, version = stored.version + 1"
                + " WHERE stored.version = EXCLUDED.version RETURNING id, owner, version");
        assertThat(sql.bindings()).containsExactly(1L, "ann", 3L);
        // doNothing writes the version as given, as insert does
        assertThat(w.insert(List.of(new Wallet(1L, "ann", 3L)), w.conflict(List.of("id"), false)).sql())
                .isEqualTo("INSERT INTO wallet (id, owner, version) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING"
                        + " RETURNING id, owner, version");
        assertThatThrownBy(() -> w.insert(List.of(new Wallet(1L, "ann", null)), w.conflict(List.of("id"), true)))
                .isInstanceOf(QueryException.class)
                .hasMessage("upsert(Wallet): its @Version version is null, so no row can match it; give a new "
                        + "entity the version 0, or load the stored one to get its version");
    }

    @Test
    void upsertQuotesReservedNames() {
        WriteSql<PhotoTag> w = new WriteSql<>(PG, EntityModel.of(PhotoTag.class));
        RenderedSql sql = w.insert(List.of(new PhotoTag(1L, 2L, 3)), w.conflict(List.of("photo_id", "tag_id"), true));
        assertThat(sql.sql()).isEqualTo("INSERT INTO photo_tag (photo_id, tag_id, \"order\") VALUES ($1, $2, $3)"
                + " ON CONFLICT (photo_id, tag_id) DO UPDATE SET \"order\" = EXCLUDED.\"order\""
                + " RETURNING photo_id, tag_id, \"order\"");
    }

    @Test
    void unknownConflictColumnNamesTheColumns() {
        assertThatThrownBy(() -> pictures().conflict(List.of("sha"), false))
                .isInstanceOf(QueryException.class)
                .hasMessage("upsert(Picture.class).onConflict(\"sha\"): Picture has no column sha; its columns are "
                        + "id, sha1, name, taken_at, size_bytes, mood, tags");
        assertThatThrownBy(() -> pictures().conflict(List.of(), false))
                .isInstanceOf(QueryException.class).hasMessageContaining("onConflict(\"id\")");
    }

    @Test
    void doUpdateWithNothingToUpdateSaysUseDoNothing() {
        WriteSql<KeyOnly> w = new WriteSql<>(PG, EntityModel.of(KeyOnly.class));
        assertThatThrownBy(() -> w.conflict(List.of("id"), true))
                .isInstanceOf(QueryException.class).hasMessageEndingWith("use doNothing()");
    }

    @Test
    void updateByKeySetsEveryOtherColumn() {
        RenderedSql sql = pictures().update(picture(42L, "a"));
        assertThat(sql.sql()).isEqualTo("UPDATE picture SET sha1 = $1, name = $2, taken_at = $3, size_bytes = $4,"
                + " mood = $5, tags = $6 WHERE id = $7 RETURNING id, sha1, name, taken_at, size_bytes, mood, tags");
        assertThat(sql.bindings().get(6)).isEqualTo(42L);
    }

    @Test
    void updateAndDeleteByCompositeKey() {
        WriteSql<PhotoTag> w = new WriteSql<>(PG, EntityModel.of(PhotoTag.class));
        PhotoTag tag = new PhotoTag(1L, 2L, 3);
        assertThat(w.update(tag).sql()).isEqualTo("UPDATE photo_tag SET \"order\" = $1 WHERE photo_id = $2"
                + " AND tag_id = $3 RETURNING photo_id, tag_id, \"order\"");
        RenderedSql delete = w.delete(tag);
        assertThat(delete.sql()).isEqualTo("DELETE FROM photo_tag WHERE photo_id = $1 AND tag_id = $2");
        assertThat(delete.bindings()).containsExactly(1L, 2L);
        assertThat(w.describeKey(tag)).isEqualTo("photo_id=1, tag_id=2");
    }

    @Test
    void aNullKeyCannotBeUpdatedOrDeleted() {
        assertThatThrownBy(() -> pictures().update(picture(null, "a")))
                .isInstanceOf(QueryException.class)
                .hasMessage("update(Picture): key id is null, so no row can be found by it; insert the entity "
                        + "instead, or load it first to get its key");
        assertThatThrownBy(() -> pictures().delete(picture(null, "a")))
                .isInstanceOf(QueryException.class).hasMessageStartingWith("delete(Picture): key id is null");
    }

    @Test
    void setBasedUpdateNumbersAssignmentsBeforeConditions() {
        WriteSql<Picture> w = pictures();
        List<WriteSql.Assignment> set = new ArrayList<>(w.assignments("name = ?", new Object[] {"x"}));
        set.addAll(w.assignments("size_bytes = size_bytes + ?", new Object[] {1}));
        RenderedSql sql = w.updateWhere(set, List.of(Condition.of("id < ?", new Object[] {5L})));
        assertThat(sql.sql()).isEqualTo("UPDATE picture SET name = ($1), size_bytes = (size_bytes + $2)"
                + " WHERE (id < $3)");
        assertThat(sql.bindings()).containsExactly("x", 1, 5L);
    }

    @Test
    void eachAssignmentNamesAColumnAndItsValueSitsInParenthesesOfItsOwn() {
        WriteSql<Picture> w = pictures();
        List<WriteSql.Assignment> set = new ArrayList<>(w.assignments(
                "name = ?, \"size_bytes\" = size_bytes + ?,takenAt=now(), mood = default", new Object[] {"x", 1}));
        assertThat(set).extracting(a -> a.column().column() + " = " + a.value() + " " + a.values()).containsExactly(
                "name = ? [x]", "size_bytes = size_bytes + ? [1]", "taken_at = now() []", "mood = default []");
        assertThat(set.get(0).isOneValue()).isTrue();
        assertThat(set.get(1).isOneValue()).isFalse();
        set.addAll(w.assignments("sha1 = lower(?) || 'a, b'", new Object[] {"S"}));
        RenderedSql sql = w.updateWhere(set, List.of(Condition.ofWrite("id < ?", new Object[] {5L})));
        assertThat(sql.sql()).isEqualTo("UPDATE picture SET name = ($1), size_bytes = (size_bytes + $2), "
                + "taken_at = (now()), mood = DEFAULT, sha1 = (lower($3) || 'a, b') WHERE (id < $4)");
        assertThat(sql.bindings()).containsExactly("x", 1, "S", 5L);
        assertThat(w.updateWhere(w.assignments("name = 'x' from picture other", new Object[0]), List.of()).sql())
                .as("a FROM in the value is a syntax error, not a join")
                .isEqualTo("UPDATE picture SET name = ('x' from picture other)");
    }

    @Test
    void assignmentsThatCannotBeReadSayHowToWriteThem() {
        WriteSql<Picture> w = pictures();
        assertThatThrownBy(() -> w.assignments("lower(name) = ?", new Object[] {"x"}))
                .isInstanceOf(QueryException.class)
                .hasMessage("set(\"lower(name) = ?\"): cannot read 'lower(name) = ?' as an assignment; write "
                        + "column = value, e.g. set(\"name = ?\", value)");
        assertThatThrownBy(() -> w.assignments("name = ?,", new Object[] {"x"}))
                .isInstanceOf(QueryException.class)
                .hasMessage("set(\"name = ?,\"): cannot read '' as an assignment; write column = value, e.g. "
                        + "set(\"name = ?\", value)");
        assertThatThrownBy(() -> w.assignments("nme = ?", new Object[] {"x"}))
                .isInstanceOf(QueryException.class)
                .hasMessage("set(\"nme = ?\"): Picture has no column or component named 'nme'; its columns are id, "
                        + "sha1, name, taken_at, size_bytes, mood, tags");
        assertThatThrownBy(() -> w.assignments("name = ", new Object[0]))
                .isInstanceOf(QueryException.class)
                .hasMessage("set(\"name = \"): nothing after 'name ='; write column = value, e.g. set(\"name = ?\", "
                        + "value)");
        assertThatThrownBy(() -> w.assignments("name = 'x' -- note", new Object[0]))
                .isInstanceOf(QueryException.class)
                .hasMessage("set(\"name = 'x' -- note\"): a -- comment at character 12 could hide the rest of the "
                        + "statement; remove the comment");
        assertThatThrownBy(() -> w.assignments(" ", new Object[0]))
                .isInstanceOf(QueryException.class)
                .hasMessage("set(\" \"): the assignment is empty; write e.g. set(\"name = ?\", value)");
        assertThatThrownBy(() -> w.assignments("name = ?", new Object[] {null}))
                .isInstanceOf(QueryException.class)
                .hasMessage("set(\"name = ?\"): value 1 is null, and a bare null has no SQL type; write the null into "
                        + "the SQL instead, e.g. set(\"name = null\")");
    }

    @Test
    void setBasedDelete() {
        assertThat(pictures().deleteWhere(List.of(Condition.of("id < ?", new Object[] {5L}))).sql())
                .isEqualTo("DELETE FROM picture WHERE (id < $1)");
        assertThat(pictures().deleteWhere(List.of()).sql()).isEqualTo("DELETE FROM picture");
    }

    @Test
    void updateLeavesAnUnloadedDeferredColumnAsStored() {
        WriteSql<Blob> blobs = new WriteSql<>(PG, EntityModel.of(Blob.class));
        assertThat(blobs.update(new Blob(1L, "a", null)).sql())
                .isEqualTo("UPDATE blob SET name = $1 WHERE id = $2 RETURNING id, name, data");
        assertThat(blobs.update(new Blob(1L, "a", new byte[] {1})).sql())
                .isEqualTo("UPDATE blob SET name = $1, data = $2 WHERE id = $3 RETURNING id, name, data");
    }

    @Table("reading")
    record Reading(@Id Long id, Mood mood, Double level, Integer count) {
    }

    private static final java.util.Map<String, TableCheck.ColumnInfo> READING = java.util.Map.of(
            "id", new TableCheck.ColumnInfo("id", "int8", false, "", true),
            "mood", new TableCheck.ColumnInfo("mood", "mood", true, "", false),
            "level", new TableCheck.ColumnInfo("level", "numeric", false, "", false),
            "count", new TableCheck.ColumnInfo("count", "int2", false, "", false));

    @Test
    void storedValuesAreFittedToTheirColumnsWhenTheColumnsAreKnown() {
        WriteSql<Reading> sql = new WriteSql<>(PG, EntityModel.of(Reading.class), READING);
        RenderedSql insert = sql.insert(List.of(new Reading(1L, Mood.CALM, 0.30000000000000004, 7),
                new Reading(2L, null, Double.NaN, null)), null);
        assertThat(insert.bindings()).containsExactly(1L, new dev.sluice.spi.UntypedText("CALM"),
                new java.math.BigDecimal("0.30000000000000004"), 7, 2L,
                new TypedNull(dev.sluice.spi.UntypedText.class), Double.NaN, new TypedNull(Integer.class));
        assertThat(sql.update(new Reading(1L, Mood.ANGRY, 1.0, 1)).bindings()).containsExactly(
                new dev.sluice.spi.UntypedText("ANGRY"), java.math.BigDecimal.ONE, 1, 1L);
    }

    @Test
    void aStoredValueThatDoesNotFitNamesItsRowInTheStatementAndItsComponent() {
        WriteSql<Reading> sql = new WriteSql<>(PG, EntityModel.of(Reading.class), READING);
        assertThatThrownBy(() -> sql.insert(List.of(new Reading(1L, null, null, 1),
                new Reading(2L, null, null, 40_000)), null))
                .isInstanceOfSatisfying(ColumnFit.Misfit.class, m -> {
                    assertThat(m.row()).isEqualTo(1);
                    assertThat(m.property()).isEqualTo(EntityModel.of(Reading.class).property("count").orElseThrow());
                })
                .hasMessage("40000 does not fit column count (int2) exactly: int2 holds -32768 to 32767");
    }

    private static final java.util.Map<String, TableCheck.ColumnInfo> READING_CAST = java.util.Map.of(
            "id", column("id", "int8", "bigint"),
            "mood", new TableCheck.ColumnInfo("mood", "mood", true, "", false, -1, 0, "r", List.of(), false,
                    List.of("CALM", "ANGRY"), "mood"),
            "level", column("level", "numeric", "numeric"), "count", column("count", "int2", "smallint"));

    @Test
    void insertArraysBindsOneBinaryArrayPerColumnAndCastsAnEnumFromText() {
        WriteSql<Reading> sql = new WriteSql<>(PG, EntityModel.of(Reading.class), READING_CAST);
        RenderedSql insert = sql.insertArrays(List.of(new Reading(1L, Mood.CALM, 0.5, 7),
                new Reading(2L, null, null, null)), new WriteSql.Conflict(
                List.of(EntityModel.of(Reading.class).property("id").orElseThrow()), true));
        assertThat(insert).isNotNull();
        assertThat(insert.sql()).isEqualTo("INSERT INTO reading (id, mood, level, count) SELECT id, mood::mood, level, "
                + "count FROM unnest($1::int8[], $2::text[], $3::numeric[], $4::int2[]) AS v (id, mood, level, count)"
                + " ON CONFLICT (id) DO UPDATE SET mood = EXCLUDED.mood, level = EXCLUDED.level, count = EXCLUDED.count"
                + " RETURNING id, mood, level, count");
        assertThat(insert.bindings()).hasSize(4).allMatch(b -> b instanceof dev.sluice.spi.UntypedBinary);
        // int2[]: one dimension, has nulls, element int2 (21), 2 elements from 1; 7 and NULL
        assertThat(((dev.sluice.spi.UntypedBinary) insert.bindings().get(3)).bytes()).containsExactly(
                0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 21, 0, 0, 0, 2, 0, 0, 0, 1,
                0, 0, 0, 2, 0, 7, -1, -1, -1, -1);
        // text[] (25) of the enum's names, no nulls flag set since one is null: CALM, NULL
        assertThat(((dev.sluice.spi.UntypedBinary) insert.bindings().get(1)).bytes()).containsExactly(
                0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 25, 0, 0, 0, 2, 0, 0, 0, 1,
                0, 0, 0, 4, 'C', 'A', 'L', 'M', -1, -1, -1, -1);
    }

    @Test
    void insertArraysLeavesANullKeyOutAndFallsBackWhenOnlySomeKeysAreNull() {
        WriteSql<Reading> sql = new WriteSql<>(PG, EntityModel.of(Reading.class), READING_CAST);
        RenderedSql generated = sql.insertArrays(List.of(new Reading(null, null, null, 1)), null);
        assertThat(generated).isNotNull();
        assertThat(generated.sql()).startsWith("INSERT INTO reading (mood, level, count) SELECT mood::mood, level, count"
                + " FROM unnest($1::text[], $2::numeric[], $3::int2[])");
        assertThat(sql.insertArrays(List.of(new Reading(null, null, null, 1), new Reading(5L, null, null, 1)), null))
                .as("a key null in one row takes the column default there, which only VALUES can say").isNull();
        assertThat(new WriteSql<>(PG, EntityModel.of(Reading.class)).insertArrays(
                List.of(new Reading(1L, null, null, 1)), null)).as("columns not known").isNull();
    }

    @Test
    void insertArraysFallsBackForAnArrayColumn() {
        WriteSql<Picture> sql = new WriteSql<>(PG, EntityModel.of(Picture.class), java.util.Map.of(
                "id", column("id", "int8", "bigint"), "sha1", column("sha1", "text", "text"),
                "name", column("name", "text", "text"), "taken_at", column("taken_at", "timestamptz", "timestamptz"),
                "size_bytes", column("size_bytes", "int4", "integer"), "mood", column("mood", "text", "text"),
                "tags", new TableCheck.ColumnInfo("tags", "_text", false, "text", false, -1, 25)));
        assertThat(sql.insertArrays(List.of(picture(1L, "a")), null)).isNull();
    }

    @Test
    void insertArraysNamesTheRowAndComponentOfAValueThatDoesNotFit() {
        WriteSql<Reading> sql = new WriteSql<>(PG, EntityModel.of(Reading.class), READING_CAST);
        assertThatThrownBy(() -> sql.insertArrays(List.of(new Reading(1L, null, null, 1),
                new Reading(2L, null, null, 40_000)), null))
                .isInstanceOfSatisfying(ColumnFit.Misfit.class, m -> assertThat(m.row()).isEqualTo(1))
                .hasMessage("40000 does not fit column count (int2) exactly: int2 holds -32768 to 32767");
    }

    record Account(@Id Long id, Mood mood, @dev.sluice.annotation.Deferred byte[] note,
                   @dev.sluice.annotation.Version long version) {
    }

    private static TableCheck.ColumnInfo column(String name, String type, String cast) {
        return new TableCheck.ColumnInfo(name, type, false, "", true, -1, 0, "r", List.of(), false, List.of(), cast);
    }

    private static WriteSql<Account> accounts() {
        return new WriteSql<>(PG, EntityModel.of(Account.class), java.util.Map.of(
                "id", column("id", "int8", "bigint"), "mood", column("mood", "text", "text"),
                "note", column("note", "bytea", "bytea"), "version", column("version", "int4", "integer")));
    }

    @Test
    void updateAllJoinsCastValuesKeepsANullDeferredColumnAndBumpsTheVersion() {
        RenderedSql sql = accounts().updateAll(List.of(new Account(1L, Mood.CALM, null, 3),
                new Account(2L, Mood.ANGRY, new byte[] {1}, 4)));
        assertThat(sql.sql()).isEqualTo("UPDATE account AS r SET mood = v.mood, note = coalesce(v.note, r.note), "
                + "version = r.version + 1 FROM (VALUES ($1::bigint, $2::text, $3::bytea, $4::integer), "
                + "($5::bigint, $6::text, $7::bytea, $8::integer)) AS v (id, mood, note, version) "
                + "WHERE r.id = v.id AND r.version = v.version RETURNING r.id, r.mood, r.note, r.version");
        assertThat(sql.bindings()).hasSize(8);
        assertThat(sql.bindings().subList(0, 4)).containsExactly(1L, "CALM", new TypedNull(byte[].class), 3L);
    }

    @Test
    void updateAllJoinsOneArrayPerColumnWhenAsked() {
        RenderedSql sql = accounts().updateAll(List.of(new Account(1L, Mood.CALM, null, 3),
                new Account(2L, Mood.ANGRY, new byte[] {1}, 4)), true);
        assertThat(sql.sql()).isEqualTo("UPDATE account AS r SET mood = v.mood, note = coalesce(v.note, r.note), "
                + "version = r.version + 1 FROM unnest($1::int8[], $2::text[], $3::bytea[], $4::int4[]) AS v "
                + "(id, mood, note, version) WHERE r.id = v.id AND r.version = v.version RETURNING r.id, r.mood, "
                + "r.note, r.version");
        // bytea[]: one dimension, has nulls, element bytea (17), 2 elements from 1; NULL and \x01
        assertThat(((dev.sluice.spi.UntypedBinary) sql.bindings().get(2)).bytes()).containsExactly(
                0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 17, 0, 0, 0, 2, 0, 0, 0, 1, -1, -1, -1, -1, 0, 0, 0, 1, 1);
        assertThatThrownBy(() -> accounts().updateAll(List.of(new Account(null, Mood.CALM, null, 3)), true))
                .isInstanceOf(QueryException.class)
                .hasMessage("updateAll(Account): key id is null in input row 1 of the statement, so no row can match "
                        + "it; load the entity first");
    }

    @Test
    void updateAllJoinsValuesForAColumnThatGoesAsText() {
        WriteSql<Reading> sql = new WriteSql<>(PG, EntityModel.of(Reading.class), READING_CAST);
        assertThat(sql.updateAll(List.of(new Reading(1L, Mood.CALM, 0.5, 7)), true).sql())
                .contains(" FROM (VALUES ($1::bigint, $2::mood, $3::numeric, $4::smallint)) AS v ");
    }

    @Test
    void deleteAllMatchesKeyAndVersionAndReturnsTheKeysDeleted() {
        RenderedSql sql = accounts().deleteAll(List.of(new Account(1L, Mood.CALM, null, 3)));
        assertThat(sql.sql()).isEqualTo("DELETE FROM account AS r USING (VALUES ($1::bigint, $2::integer)) AS v "
                + "(id, version) WHERE r.id = v.id AND r.version = v.version RETURNING r.id");
        assertThat(sql.bindings()).containsExactly(1L, 3L);
    }

    @Test
    void aVersionedUpdateOrDeleteMatchesTheVersion() {
        RenderedSql update = accounts().update(new Account(1L, Mood.CALM, null, 3));
        assertThat(update.sql()).isEqualTo("UPDATE account SET mood = $1, version = version + 1 WHERE id = $2 AND "
                + "version = $3 RETURNING id, mood, note, version");
        RenderedSql delete = accounts().delete(new Account(1L, Mood.CALM, null, 3));
        assertThat(delete.sql()).isEqualTo("DELETE FROM account WHERE id = $1 AND version = $2");
    }
}
