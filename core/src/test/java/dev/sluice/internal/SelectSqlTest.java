package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import dev.sluice.annotation.Column;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.spi.RenderedSql;
import org.junit.jupiter.api.Test;

class SelectSqlTest {

    @Table("picture")
    record Picture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
    }

    record PhotoTag(@Id Long photoId, @Id @Column("tag_id") Long tagId, @Column("order") int position) {
    }

    private static final PostgresDialect PG = PostgresDialect.INSTANCE;

    private static SelectSql sql(EntityModel<?> model, List<Condition> conditions, OrderBy order) {
        return SelectSql.of(PG, LoadPlan.root(model, model.properties(), List.of(), List.of()), conditions, order);
    }

    @Test
    void firstKeysetPageOrdersByKeyWithLimitAsBinding() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        RenderedSql page = sql(model, List.of(), OrderBy.byKey(model)).keysetPage(null, 500, new boolean[1]);
        assertThat(page.sql()).isEqualTo(
                "SELECT id, sha1, name, taken_at, size_bytes, data FROM picture ORDER BY id LIMIT $1");
        assertThat(page.bindings()).containsExactly(500);
    }

    @Test
    void laterPagesSeekPastTheLastKeyAndKeepTheUserConditionFirst() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        Condition condition = Condition.of("taken_at >= ? and size_bytes > ?", new Object[] {Instant.EPOCH, 1024});
        RenderedSql page = sql(model, List.of(condition), OrderBy.byKey(model)).keysetPage(new Object[] {42L}, 100, new boolean[1]);
        assertThat(page.sql()).isEqualTo("SELECT id, sha1, name, taken_at, size_bytes, data FROM picture"
                + " WHERE (taken_at >= $1 and size_bytes > $2) AND id > $3 ORDER BY id LIMIT $4");
        assertThat(page.bindings()).containsExactly(Instant.EPOCH, 1024, 42L, 100);
    }

    @Test
    void descendingKeyOrderSeeksBackwards() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        RenderedSql page = sql(model, List.of(), OrderBy.parse(model, "id desc")).keysetPage(new Object[] {7L}, 10, new boolean[1]);
        assertThat(page.sql()).isEqualTo("SELECT id, sha1, name, taken_at, size_bytes, data FROM picture"
                + " WHERE id < $1 ORDER BY id DESC LIMIT $2");
    }

    @Test
    void compositeKeysCompareAsRowsAndReservedNamesAreQuoted() {
        EntityModel<PhotoTag> model = EntityModel.of(PhotoTag.class);
        RenderedSql page = sql(model, List.of(), OrderBy.byKey(model)).keysetPage(new Object[] {1L, 2L}, 50, new boolean[2]);
        assertThat(page.sql()).isEqualTo("SELECT photo_id, tag_id, \"order\" FROM photo_tag"
                + " WHERE (photo_id, tag_id) > ($1, $2) ORDER BY photo_id, tag_id LIMIT $3");
        assertThat(page.bindings()).containsExactly(1L, 2L, 50);
    }

    @Test
    void cursorQueryCountAndLookupByKey() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        Condition condition = Condition.of("name like ?", new Object[] {"IMG%"});
        SelectSql sql = sql(model, List.of(condition), OrderBy.parse(model, "taken_at desc, name"));
        assertThat(sql.ordered(Long.MAX_VALUE).sql()).isEqualTo("SELECT id, sha1, name, taken_at, size_bytes, data"
                + " FROM picture WHERE (name like $1) ORDER BY taken_at DESC, name");
        assertThat(sql.ordered(5).sql()).endsWith("ORDER BY taken_at DESC, name LIMIT $2");
        assertThat(sql.ordered(5).bindings()).containsExactly("IMG%", 5L);
        assertThat(sql.count(Long.MAX_VALUE).sql()).isEqualTo("SELECT count(*) FROM picture WHERE (name like $1)");
        assertThat(sql.count(10).sql())
                .isEqualTo("SELECT count(*) FROM (SELECT 1 FROM picture WHERE (name like $1) LIMIT $2) AS limited");
        assertThat(sql(model, List.of(), OrderBy.byKey(model)).byKey(List.of(42L), Long.MAX_VALUE).sql()).isEqualTo(
                "SELECT id, sha1, name, taken_at, size_bytes, data FROM picture WHERE id = $1");
    }

    @Test
    void lookupByKeyKeepsEveryConditionAndTheLimitInTheQuerysOrder() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        Condition condition = Condition.of("name like ?", new Object[] {"IMG%"});
        SelectSql sql = sql(model, List.of(condition, Condition.of("size_bytes > ?", new Object[] {10})),
                OrderBy.parse(model, "taken_at desc, name"));
        RenderedSql filtered = sql.byKey(List.of(42L), Long.MAX_VALUE);
        assertThat(filtered.sql()).isEqualTo("SELECT id, sha1, name, taken_at, size_bytes, data FROM picture"
                + " WHERE (name like $1) AND (size_bytes > $2) AND id = $3");
        assertThat(filtered.bindings()).containsExactly("IMG%", 10, 42L);
        RenderedSql limited = sql.byKey(List.of(42L), 5);
        assertThat(limited.sql()).isEqualTo("SELECT id, sha1, name, taken_at, size_bytes, data FROM picture"
                + " WHERE id = $1 AND id IN (SELECT id FROM picture WHERE (name like $2) AND (size_bytes > $3)"
                + " ORDER BY taken_at DESC, name LIMIT $4)");
        assertThat(limited.bindings()).containsExactly(42L, "IMG%", 10, 5L);

        EntityModel<PhotoTag> tags = EntityModel.of(PhotoTag.class);
        RenderedSql composite = sql(tags, List.of(), OrderBy.byKey(tags)).byKey(List.of(1L, 2L), 3);
        assertThat(composite.sql()).isEqualTo("SELECT photo_id, tag_id, \"order\" FROM photo_tag"
                + " WHERE photo_id = $1 AND tag_id = $2 AND (photo_id, tag_id) IN (SELECT photo_id, tag_id"
                + " FROM photo_tag ORDER BY photo_id, tag_id LIMIT $3)");
        assertThat(composite.bindings()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void severalConditionsAreAndedAndNumberedInOrder() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        List<Condition> conditions = List.of(Condition.of("name = ?", new Object[] {"a"}),
                Condition.of("size_bytes between ? and ?", new Object[] {1, 2}));
        RenderedSql count = sql(model, conditions, OrderBy.byKey(model)).count(Long.MAX_VALUE);
        assertThat(count.sql()).isEqualTo("SELECT count(*) FROM picture WHERE (name = $1) AND (size_bytes between $2 and $3)");
        assertThat(count.bindings()).containsExactly("a", 1, 2);
    }

    @Test
    void identifiersAreQuotedOnlyWhenNeeded() {
        assertThat(PG.identifier("picture")).isEqualTo("picture");
        assertThat(PG.identifier("Picture")).isEqualTo("\"Picture\"");
        assertThat(PG.identifier("user")).isEqualTo("\"user\"");
        assertThat(PG.identifier("archive.picture")).isEqualTo("archive.picture");
        assertThat(PG.identifier("my table\"; drop")).isEqualTo("\"my table\"\"; drop\"");
    }

    @Test
    void loadingLaterReadsTheRowsOfManyKeysWithoutTheQuerysConditions() {
        EntityModel<PhotoTag> tags = EntityModel.of(PhotoTag.class);
        SelectSql photoTags = SelectSql.of(PG, LoadPlan.root(tags, tags.properties(), List.of(), List.of()), List.of(),
                OrderBy.byKey(tags));
        assertThat(photoTags.byKeys(List.of(new Long[] {1L}, new Long[] {2L})).sql()).isEqualTo(
                "SELECT photo_id, tag_id, \"order\" FROM photo_tag WHERE (photo_id, tag_id) IN (SELECT * FROM "
                        + "unnest($1, $2))");
        EntityModel<Picture> pictures = EntityModel.of(Picture.class);
        assertThat(sql(pictures, List.of(Condition.of("name = ?", new Object[] {"x"})), OrderBy.byKey(pictures))
                .byKeys(List.of((Object) new Long[] {1L, 2L})).sql())
                .startsWith("SELECT id, ").endsWith(" FROM picture WHERE id = ANY($1)");
    }

    @Test
    void aCursorIsDeclaredOverTheQueryAndKeepsItsBindings() {
        RenderedSql declare = CursorSql.declare("sluice_cursor_7", RenderedSql.of("SELECT id FROM picture WHERE id > $1",
                List.of(5L)));
        assertThat(declare.sql()).isEqualTo("DECLARE sluice_cursor_7 NO SCROLL CURSOR FOR SELECT id FROM picture "
                + "WHERE id > $1");
        assertThat(declare.bindings()).containsExactly(5L);
        assertThat(CursorSql.fetch("sluice_cursor_7", 500).sql()).isEqualTo("FETCH FORWARD 500 FROM sluice_cursor_7");
        assertThat(CursorSql.close("sluice_cursor_7").sql()).isEqualTo("CLOSE sluice_cursor_7");
    }

    record Shot(@Id Long id, Instant takenAt, String place, int rating) {
    }

    private static String seek(String order, Object[] after, boolean... nullable) {
        EntityModel<Shot> model = EntityModel.of(Shot.class);
        String sql = sql(model, List.of(), OrderBy.parse(model, order).unique(model)).keysetPage(after, 10, nullable)
                .sql();
        return sql.substring(sql.indexOf(" WHERE ") + 7, sql.indexOf(" ORDER BY "));
    }

    @Test
    void anyOrderPagesByItsTermsAndTheKeyAsOneRowComparisonWhenNothingIsNullAndOneDirection() {
        Instant t = Instant.EPOCH;
        assertThat(seek("taken_at", new Object[] {t, 5L}, false, false)).isEqualTo("(taken_at, id) > ($1, $2)");
        assertThat(seek("taken_at desc", new Object[] {t, 5L}, false, false)).isEqualTo("(taken_at, id) < ($1, $2)");
        EntityModel<Shot> model = EntityModel.of(Shot.class);
        RenderedSql page = sql(model, List.of(Condition.of("rating > ?", new Object[] {3})),
                OrderBy.parse(model, "taken_at desc").unique(model)).keysetPage(new Object[] {t, 5L}, 10,
                new boolean[2]);
        assertThat(page.sql()).endsWith(" FROM shot WHERE (rating > $1) AND (taken_at, id) < ($2, $3)"
                + " ORDER BY taken_at DESC, id DESC LIMIT $4");
        assertThat(page.bindings()).containsExactly(3, t, 5L, 10);
    }

    @Test
    void mixedDirectionsExpandAndKeepABoundOnTheFirstTermForItsIndex() {
        assertThat(seek("rating desc, id", new Object[] {4, 5L}, false, false))
                .isEqualTo("rating <= $1 AND (rating < $1 OR (rating = $1 AND id > $2))");
        assertThat(seek("rating, taken_at desc, id", new Object[] {4, Instant.EPOCH, 5L}, false, false, false))
                .isEqualTo("rating >= $1 AND (rating > $1 OR (rating = $1 AND (taken_at < $2 OR (taken_at = $2 AND "
                        + "id > $3))))");
    }

    @Test
    void aNullableColumnSortsItsNullsWherePostgresqlDoes() {
        assertThat(seek("place", new Object[] {"a", 5L}, true, false)).as("ascending: NULLs come last")
                .isEqualTo("((place > $1 OR place IS NULL) OR (place = $1 AND id > $2))");
        assertThat(seek("place", new Object[] {null, 5L}, true, false)).as("after a NULL only NULLs")
                .isEqualTo("(place IS NULL AND id > $1)");
        assertThat(seek("place desc", new Object[] {"a", 5L}, true, false)).as("descending: NULLs came first")
                .isEqualTo("(place < $1 OR (place = $1 AND id < $2))");
        assertThat(seek("place desc", new Object[] {null, 5L}, true, false)).as("after the NULLs every value")
                .isEqualTo("(place IS NOT NULL OR (place IS NULL AND id < $1))");
    }

    @Test
    void aQueryStartingAfterARowHoldsThatPositionInEveryStatement() {
        EntityModel<Shot> model = EntityModel.of(Shot.class);
        SelectSql sql = sql(model, List.of(Condition.of("rating > ?", new Object[] {3})),
                OrderBy.parse(model, "place").unique(model)).startingAfter(new Object[] {"a", 5L});
        RenderedSql ordered = sql.ordered(20);
        assertThat(ordered.sql()).endsWith(" FROM shot WHERE (rating > $1) AND ((place > $2 OR place IS NULL) OR "
                + "(place = $2 AND id > $3)) ORDER BY place, id LIMIT $4");
        assertThat(ordered.bindings()).containsExactly(3, new dev.sluice.spi.UntypedText("a"), 5L, 20L);
        assertThat(sql.count(Long.MAX_VALUE).sql()).isEqualTo("SELECT count(*) FROM shot WHERE (rating > $1) AND "
                + "((place > $2 OR place IS NULL) OR (place = $2 AND id > $3))");
        assertThat(sql.byKey(List.of(9L), Long.MAX_VALUE).sql()).endsWith(" FROM shot WHERE (rating > $1) AND "
                + "((place > $2 OR place IS NULL) OR (place = $2 AND id > $3)) AND id = $4");
        // a keyset page is given the start by its pages, which know which columns may hold NULL
        assertThat(sql.keysetPage(sql.start(), 10, new boolean[] {false, false}).sql())
                .endsWith(" WHERE (rating > $1) AND (place, id) > ($2, $3) ORDER BY place, id LIMIT $4");
    }
}
