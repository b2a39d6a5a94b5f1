package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.sluice.MappingException;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.UniqueKey;
import org.junit.jupiter.api.Test;

/** The once-per-entity check of an entity against its table as the database describes it: columns, types, key. */
class TableCheckTest {

    record PictureTag(@Id Long id, String takenAt, @Column("HTTP_URL") String url) {
    }

    @Test
    void tableCheckFindsMissingColumnsAndTypesThatDoNotFit() {
        EntityModel<PictureTag> model = EntityModel.of(PictureTag.class);
        List<TableCheck.ColumnInfo> columns = List.of(
                new TableCheck.ColumnInfo("id", "int8", false, "", true),
                new TableCheck.ColumnInfo("taken_at", "timestamptz", false, "", true),
                new TableCheck.ColumnInfo("http_url", "text", false, "", false));
        assertThatThrownBy(() -> TableCheck.check(model, columns)).isInstanceOf(MappingException.class)
                .hasMessage("PictureTag.takenAt: column taken_at is timestamptz but the component is String; declare "
                        + "it as Instant or OffsetDateTime");
        List<TableCheck.ColumnInfo> fixedType = List.of(columns.get(0),
                new TableCheck.ColumnInfo("taken_at", "text", false, "", true), columns.get(2));
        assertThatThrownBy(() -> TableCheck.check(model, fixedType)).isInstanceOf(MappingException.class)
                .hasMessage("PictureTag.url: table picture_tag has no column HTTP_URL; did you mean http_url? "
                        + "Map it with @Column(\"http_url\")");
        assertThatThrownBy(() -> TableCheck.check(model, List.of())).isInstanceOf(MappingException.class)
                .hasMessageStartingWith("PictureTag: table picture_tag does not exist");
    }

    @Table("line")
    record Line(@Id String region, @Id Long orderId, String item) {
    }

    @Table("recent_line")
    @UniqueKey
    record RecentLine(@Id String region, @Id Long orderId, String item) {
    }

    /** The columns of {@code line} in a relation of {@code kind}: order_id nullable or not, and the indexes given. */
    private static List<TableCheck.ColumnInfo> line(String kind, boolean orderIdNotNull, List<Long> regionIndexes,
                                                    List<Long> orderIdIndexes, List<Long> itemIndexes) {
        return List.of(new TableCheck.ColumnInfo("region", "text", false, "", true, kind, regionIndexes),
                new TableCheck.ColumnInfo("order_id", "int8", false, "", orderIdNotNull, kind, orderIdIndexes),
                new TableCheck.ColumnInfo("item", "text", false, "", false, kind, itemIndexes));
    }

    @Test
    void aKeyIsAcceptedWhenAUniqueIndexCoversSomeOrAllOfItsNotNullColumns() {
        EntityModel<Line> model = EntityModel.of(Line.class);
        TableCheck.checkKey(model, line("r", true, List.of(1L), List.of(1L), List.of()));
        TableCheck.checkKey(model, line("p", true, List.of(), List.of(1L), List.of()));
        TableCheck.checkKey(model, line("r", true, List.of(8L), List.of(7L), List.of(7L)));
        assertThat(EntityModel.of(RecentLine.class).keyDeclaredUnique()).isTrue();
        assertThat(model.keyDeclaredUnique()).isFalse();
    }

    @Test
    void aKeyThatCannotPageSaysHowToMakeItUniqueOrDeclareIt() {
        EntityModel<Line> model = EntityModel.of(Line.class);
        assertThatThrownBy(() -> TableCheck.checkKey(model, line("r", true, List.of(), List.of(), List.of())))
                .isInstanceOf(MappingException.class)
                .hasMessage("Line: table line has no primary key or unique index on Line's key (region, order_id), so "
                        + "keyset pages could skip or repeat rows; add one, e.g. ALTER TABLE line ADD PRIMARY KEY "
                        + "(region, order_id), or, if the key is unique and never NULL anyway, annotate Line with "
                        + "@UniqueKey");
        assertThatThrownBy(() -> TableCheck.checkKey(model, line("r", true, List.of(), List.of(1L), List.of(1L))))
                .as("an index on more than the key").isInstanceOf(MappingException.class)
                .hasMessageStartingWith("Line: table line has no primary key or unique index on Line's key");
        assertThatThrownBy(() -> TableCheck.checkKey(model, line("r", false, List.of(), List.of(1L), List.of())))
                .isInstanceOf(MappingException.class)
                .hasMessage("Line.orderId: key column order_id of table line may be NULL, so keyset pages could skip "
                        + "rows; make it NOT NULL, e.g. ALTER TABLE line ALTER COLUMN order_id SET NOT NULL, or, if it "
                        + "never is NULL, annotate Line with @UniqueKey");
        assertThatThrownBy(() -> TableCheck.checkKey(model, line("v", false, List.of(), List.of(), List.of())))
                .isInstanceOf(MappingException.class)
                .hasMessage("Line: line is a view, so PostgreSQL cannot tell whether Line's key (region, order_id) is "
                        + "unique and never NULL, and keyset pages over a key that repeats skip rows; if it is unique "
                        + "and never NULL, annotate Line with @UniqueKey");
        assertThatThrownBy(() -> TableCheck.checkKey(model, line("m", false, List.of(), List.of(1L), List.of())))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith("Line: line is a materialized view, so PostgreSQL cannot tell");
        assertThatThrownBy(() -> TableCheck.checkKey(model, line("f", true, List.of(), List.of(), List.of())))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith("Line: line is a foreign table, so PostgreSQL cannot tell");
    }
}
