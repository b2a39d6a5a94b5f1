package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.sluice.MappingException;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import org.junit.jupiter.api.Test;

class EntityModelTest {

    record PictureTag(@Id Long id, String takenAt, @Column("HTTP_URL") String url) {
    }

    record NoKey(Long id) {
    }

    record Unsupported(@Id Long id, Map<String, String> attributes) {
    }

    record Twice(@Id Long id, @Column("name") String a, @Column("name") String b) {
    }

    @Table("")
    record EmptyTable(@Id Long id) {
    }

    static final class NotARecord {
    }

    @Test
    void defaultNamesAreSnakeCase() {
        EntityModel<PictureTag> model = EntityModel.of(PictureTag.class);
        assertThat(model.table()).isEqualTo("picture_tag");
        assertThat(model.properties()).extracting(Property::column).containsExactly("id", "taken_at", "HTTP_URL");
        assertThat(model.key()).extracting(Property::name).containsExactly("id");
        assertThat(Names.snakeCase("URLPath")).isEqualTo("url_path");
        assertThat(Names.snakeCase("sha1Hash")).isEqualTo("sha1_hash");
        assertThat(Names.snakeCase("sizeBytes")).isEqualTo("size_bytes");
    }

    @Test
    void theModelIsBuiltOnceAndConstructsThroughThePreparedHandle() {
        assertThat(EntityModel.of(PictureTag.class)).isSameAs(EntityModel.of(PictureTag.class));
        PictureTag tag = EntityModel.of(PictureTag.class).construct(new Object[] {1L, "now", "http://x"});
        assertThat(tag).isEqualTo(new PictureTag(1L, "now", "http://x"));
        assertThat(EntityModel.of(PictureTag.class).keyOf(tag)).containsExactly(1L);
    }

    @Test
    void mappingProblemsNameTheEntityTheComponentAndTheFix() {
        assertThatThrownBy(() -> EntityModel.of(NoKey.class)).isInstanceOf(MappingException.class)
                .hasMessage("NoKey has no @Id component; annotate its primary key component(s) with @Id, e.g. "
                        + "'record NoKey(@Id Long id, ...)'");
        assertThatThrownBy(() -> EntityModel.of(Unsupported.class)).isInstanceOf(MappingException.class)
                .hasMessageStartingWith("Unsupported.attributes: type java.util.Map<java.lang.String, java.lang.String>"
                        + " is not a column type Sluice maps; use boolean, short, int, long");
        assertThatThrownBy(() -> EntityModel.of(Twice.class)).isInstanceOf(MappingException.class)
                .hasMessage("Twice.b: column name is mapped by two components; rename one with @Column");
        assertThatThrownBy(() -> EntityModel.of(EmptyTable.class)).isInstanceOf(MappingException.class)
                .hasMessage("EmptyTable: @Table has an empty name; give the table name, e.g. @Table(\"empty_table\")");
        assertThatThrownBy(() -> EntityModel.of(NotARecord.class)).isInstanceOf(MappingException.class)
                .hasMessage("NotARecord is not a record; Sluice maps Java records: declare it as "
                        + "'record NotARecord(@Id Long id, ...)'");
    }
}
