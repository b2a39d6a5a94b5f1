package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.QueryException;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Id;
import org.junit.jupiter.api.Test;

/** What an {@code orderBy(..)} accepts: column and component names with a direction, nothing else. */
class OrderByTest {

    record PictureTag(@Id Long id, String takenAt, @Column("HTTP_URL") String url) {
    }

    @Test
    void orderByAcceptsColumnAndComponentNamesAndRejectsEverythingElse() {
        EntityModel<PictureTag> model = EntityModel.of(PictureTag.class);
        assertThat(OrderBy.parse(model, "takenAt DESC, id").sql(PostgresDialect.INSTANCE))
                .isEqualTo("taken_at DESC, id");
        assertThat(OrderBy.parse(model, "id").isKeyset(model)).isTrue();
        assertThat(OrderBy.parse(model, "id desc").isKeyset(model)).isTrue();
        assertThat(OrderBy.parse(model, "taken_at").isKeyset(model)).isFalse();
        assertThat(OrderBy.parse(model, "id, taken_at").isKeyset(model)).isFalse();
        assertThatThrownBy(() -> OrderBy.parse(model, "id; drop table picture_tag"))
                .isInstanceOf(QueryException.class)
                .hasMessage("orderBy(\"id; drop table picture_tag\"): cannot read 'id; drop table picture_tag'; "
                        + "write a column name optionally followed by asc or desc");
        assertThatThrownBy(() -> OrderBy.parse(model, "taken desc"))
                .isInstanceOf(QueryException.class)
                .hasMessage("orderBy(\"taken desc\"): PictureTag has no column or component named 'taken'; "
                        + "its columns are id, taken_at, HTTP_URL");
        assertThatThrownBy(() -> OrderBy.parse(model, "id sideways"))
                .isInstanceOf(QueryException.class)
                .hasMessage("orderBy(\"id sideways\"): 'sideways' is not a direction; use asc or desc");
    }
}
