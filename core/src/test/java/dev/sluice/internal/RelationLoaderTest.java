package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.sluice.MappingException;
import dev.sluice.QueryException;
import dev.sluice.annotation.BelongsTo;
import dev.sluice.annotation.Deferred;
import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.ManyToMany;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.Session;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class RelationLoaderTest {

    record Album(@Id Long id, String title, @HasMany(foreignKey = "album_id", orderBy = "caption desc") List<Photo> photos) {
    }

    record Photo(@Id Long id, Long albumId, String caption, @BelongsTo(foreignKey = "album_id") Album album,
                 @ManyToMany(joinTable = "photo_tag", joinColumn = "photo_id", inverseJoinColumn = "tag_id",
                         orderBy = "name") Set<Tag> tags) {
    }

    record Tag(@Id Long id, String name) {
    }

    /** A photo without a scalar for its foreign key: the plan must select it as a hidden column. */
    @dev.sluice.annotation.Table("photo")
    record BarePhoto(@Id Long id, @Deferred byte[] data, @BelongsTo(foreignKey = "album_id") Album album) {
    }

    record BareAlbum(@Id Long id, @HasMany(foreignKey = "album_id") List<BarePhoto> photos) {
    }

    /** Answers each statement with the rows the test gives for it (by leading SQL text), and records it. */
    static final class FakeSession implements Session {
        final List<RenderedSql> statements = new ArrayList<>();
        final Map<String, List<Object[]>> answers;

        FakeSession(Map<String, List<Object[]>> answers) {
            this.answers = answers;
        }

        @Override
        public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
            statements.add(sql);
            List<Object[]> rows = answers.entrySet().stream().filter(e -> sql.sql().startsWith(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            return Flux.fromIterable(rows).map(values -> mapper.map(new ArrayRow(values)));
        }

        @Override
        public Mono<Long> update(RenderedSql sql) {
            statements.add(sql);
            return Mono.just(0L);
        }
    }

    private static final PostgresDialect PG = PostgresDialect.INSTANCE;

    private static <T> List<T> run(LoadPlan<T> plan, List<Object[]> rows, FakeSession session) {
        new RelationLoader(PG).load(plan, rows, session).block();
        Function<Object[], T> build = plan::construct;
        return rows.stream().map(build).toList();
    }

    private static <T> LoadPlan<T> plan(Class<T> type, String... paths) {
        EntityModel<T> model = EntityModel.of(type);
        return LoadPlan.root(model, model.defaultColumns(), List.of(), LoadPlan.paths(model, List.of(paths)));
    }

    @Test
    void hasManyAndNestedManyToManyRunOneQueryPerRelationPerWindowAndZipInOrder() {
        LoadPlan<Album> plan = plan(Album.class, "photos.tags");
        assertThat(SelectSql.selectList(PG, plan)).isEqualTo("id, title");
        FakeSession session = new FakeSession(Map.of(
                "SELECT id, album_id, caption FROM photo", List.of(
                        new Object[] {11L, 1L, "b"}, new Object[] {10L, 1L, "a"}, new Object[] {30L, 3L, "c"}),
                "SELECT t.id, t.name, j.photo_id FROM photo_tag", List.of(
                        new Object[] {7L, "sea", 11L}, new Object[] {8L, "sun", 11L}, new Object[] {7L, "sea", 30L})));
        List<Album> albums = run(plan, new ArrayList<>(List.of(
                new Object[] {1L, "one", null}, new Object[] {2L, "two", null}, new Object[] {3L, "three", null})),
                session);

        assertThat(session.statements).extracting(RenderedSql::sql).containsExactly(
                "SELECT id, album_id, caption FROM photo WHERE album_id = ANY($1) ORDER BY album_id, caption DESC",
                "SELECT t.id, t.name, j.photo_id FROM photo_tag j JOIN tag t ON t.id = j.tag_id "
                        + "WHERE j.photo_id = ANY($1) ORDER BY j.photo_id, t.name");
        assertThat((Long[]) session.statements.get(0).bindings().get(0)).containsExactly(1L, 2L, 3L);
        assertThat((Long[]) session.statements.get(1).bindings().get(0)).containsExactly(11L, 10L, 30L);

        assertThat(albums.get(0).photos()).extracting(Photo::id).containsExactly(11L, 10L);
        assertThat(albums.get(1).photos()).isEmpty();
        assertThat(albums.get(2).photos()).extracting(Photo::id).containsExactly(30L);
        assertThat(albums.get(0).photos().get(0).tags()).extracting(Tag::name).containsExactly("sea", "sun");
        assertThat(albums.get(0).photos().get(1).tags()).isEmpty();
        assertThat(albums.get(0).photos().get(0).album()).as("not asked for").isNull();
        // a tag seen twice in one window is one instance
        assertThat(albums.get(0).photos().get(0).tags().iterator().next())
                .isSameAs(albums.get(2).photos().get(0).tags().iterator().next());
    }

    @dev.sluice.annotation.Table("shelf")
    record Shelf(@Id Long id, @HasMany(foreignKey = "shelf_id", orderBy = "position desc, id") List<Book> books,
                 @HasMany(foreignKey = "shelf_id", orderBy = "position, id desc") List<Book> upwards,
                 @HasMany(foreignKey = "shelf_id") Set<Book> byKey,
                 @HasMany(foreignKey = "shelf_id", orderBy = "title") List<Book> byTitle,
                 @ManyToMany(joinTable = "book_tag", joinColumn = "book_id", inverseJoinColumn = "tag_id",
                         orderBy = "id desc") List<Tag> tags) {
    }

    @dev.sluice.annotation.Table("book")
    record Book(@Id Long id, long shelfId, Integer position, String title, @Deferred Long weight) {
    }

    @dev.sluice.annotation.Table("shelf")
    record ByDeferred(@Id Long id, @HasMany(foreignKey = "shelf_id", orderBy = "weight") List<Book> books) {
    }

    @Test
    void anOrderOnWholeNumbersIsAppliedPerOwnerByTheClientAndTheChildQueryHasNoOrderBy() {
        // rows as a server without ORDER BY may send them: owners interleaved, each owner's rows out of order
        List<Object[]> books = List.of(new Object[] {5L, 1L, 2, "e", null}, new Object[] {3L, 2L, null, "c", null},
                new Object[] {1L, 1L, null, "a", null}, new Object[] {4L, 1L, 2, "d", null},
                new Object[] {2L, 1L, 7, "b", null}, new Object[] {6L, 1L, null, "f", null});
        for (String relation : List.of("books", "upwards", "byKey")) {
            FakeSession session = new FakeSession(Map.of("SELECT id, shelf_id, position, title FROM book", books));
            List<Shelf> shelves = run(plan(Shelf.class, relation), new ArrayList<>(List.of(
                    new Object[] {1L, null, null, null, null, null}, new Object[] {2L, null, null, null, null, null},
                    new Object[] {3L, null, null, null, null, null})), session);
            assertThat(session.statements).extracting(RenderedSql::sql)
                    .containsExactly("SELECT id, shelf_id, position, title FROM book WHERE shelf_id = ANY($1)");
            Function<Shelf, java.util.Collection<Book>> get = switch (relation) {
                case "books" -> Shelf::books;
                case "upwards" -> Shelf::upwards;
                default -> Shelf::byKey;
            };
            // PostgreSQL's defaults: NULLs first descending, last ascending
            assertThat(get.apply(shelves.get(0))).extracting(Book::id).as(relation).containsExactly(switch (relation) {
                case "books" -> new Long[] {1L, 6L, 2L, 4L, 5L};
                case "upwards" -> new Long[] {5L, 4L, 2L, 6L, 1L};
                default -> new Long[] {1L, 2L, 4L, 5L, 6L};
            });
            assertThat(get.apply(shelves.get(1))).extracting(Book::id).containsExactly(3L);
            assertThat(get.apply(shelves.get(2))).isEmpty();
        }
    }

    @Test
    void anOrderOnTextOrOnAColumnNotReadIsLeftToTheServer() {
        FakeSession session = new FakeSession(Map.of());
        run(plan(Shelf.class, "byTitle"), new ArrayList<>(List.<Object[]>of(new Object[] {1L, null, null, null, null,
                null})), session);
        run(plan(ByDeferred.class, "books"), new ArrayList<>(List.<Object[]>of(new Object[] {1L, null})), session);
        assertThat(session.statements).extracting(RenderedSql::sql).containsExactly(
                "SELECT id, shelf_id, position, title FROM book WHERE shelf_id = ANY($1) ORDER BY shelf_id, title",
                "SELECT id, shelf_id, position, title FROM book WHERE shelf_id = ANY($1) ORDER BY shelf_id, weight");
    }

    @Test
    void aManyToManyOrderedOnWholeNumbersIsSortedByTheClientToo() {
        FakeSession session = new FakeSession(Map.of("SELECT t.id, t.name, j.book_id FROM book_tag", List.of(
                new Object[] {7L, "sea", 1L}, new Object[] {9L, "sun", 1L}, new Object[] {8L, "sky", 1L})));
        List<Shelf> shelves = run(plan(Shelf.class, "tags"), new ArrayList<>(List.<Object[]>of(
                new Object[] {1L, null, null, null, null, null})), session);
        assertThat(session.statements).extracting(RenderedSql::sql).containsExactly("SELECT t.id, t.name, j.book_id "
                + "FROM book_tag j JOIN tag t ON t.id = j.tag_id WHERE j.book_id = ANY($1)");
        assertThat(shelves.get(0).tags()).extracting(Tag::id).containsExactly(9L, 8L, 7L);
    }

    @Test
    void belongsToLoadsDistinctKeysOnceAndSharesInstancesWithinTheWindow() {
        LoadPlan<Photo> plan = plan(Photo.class, "album");
        FakeSession session = new FakeSession(Map.of("SELECT id, title FROM album", List.<Object[]>of(
                new Object[] {1L, "one", null})));
        List<Photo> photos = run(plan, new ArrayList<>(List.of(new Object[] {10L, 1L, "a", null, null},
                new Object[] {11L, 1L, "b", null, null}, new Object[] {12L, null, "c", null, null})), session);
        assertThat(session.statements).extracting(RenderedSql::sql)
                .containsExactly("SELECT id, title FROM album WHERE id = ANY($1)");
        assertThat((Long[]) session.statements.get(0).bindings().get(0)).containsExactly(1L);
        assertThat(photos.get(0).album()).isSameAs(photos.get(1).album());
        assertThat(photos.get(0).album().title()).isEqualTo("one");
        assertThat(photos.get(2).album()).as("a NULL key").isNull();
    }

    @Test
    void foreignKeysWithoutAScalarComponentAreSelectedAsHiddenColumns() {
        assertThat(SelectSql.selectList(PG, plan(BarePhoto.class, "album"))).isEqualTo("id, album_id");
        assertThat(SelectSql.selectList(PG, plan(BareAlbum.class, "photos").branches().get(0).child()))
                .as("deferred data left out; album_id read to group by").isEqualTo("id, album_id");
        FakeSession session = new FakeSession(Map.of("SELECT id, album_id FROM photo",
                List.<Object[]>of(new Object[] {5L, 2L})));
        List<BareAlbum> albums = run(plan(BareAlbum.class, "photos"),
                new ArrayList<>(List.<Object[]>of(new Object[] {2L, null})), session);
        assertThat(albums.get(0).photos()).containsExactly(new BarePhoto(5L, null, null));
    }

    @Test
    void noKeysMeansNoQueryAndEmptyCollections() {
        FakeSession session = new FakeSession(Map.of());
        List<Album> albums = run(plan(Album.class, "photos"), new ArrayList<>(), session);
        assertThat(albums).isEmpty();
        assertThat(session.statements).isEmpty();
    }

    @Test
    void unknownPathsAndBadRelationsSayWhatExists() {
        assertThatThrownBy(() -> plan(Album.class, "photos.tgs"))
                .isInstanceOf(QueryException.class)
                .hasMessage("with(\"photos.tgs\"): Photo has no relation 'tgs'; its relations are album, tags");
        assertThatThrownBy(() -> plan(Tag.class, "albums"))
                .isInstanceOf(QueryException.class)
                .hasMessage("with(\"albums\"): Tag has no relations; declare one with @HasMany, @BelongsTo or "
                        + "@ManyToMany");
        assertThatThrownBy(() -> EntityModel.of(BadCollection.class))
                .isInstanceOf(MappingException.class)
                .hasMessage("BadCollection.photos: a to-many relation must be a List or a Set of the related entity, "
                        + "but is java.util.Collection<dev.sluice.internal.RelationLoaderTest$Photo>; declare it as "
                        + "List<Child> (or Set<Child>)");
        assertThatThrownBy(() -> EntityModel.of(PrimitiveDeferred.class))
                .isInstanceOf(MappingException.class)
                .hasMessage("PrimitiveDeferred.size: a @Deferred component cannot be the primitive int (it is null "
                        + "when not loaded); declare it as Integer");
        assertThatThrownBy(() -> plan(BadOrder.class, "photos"))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith("BadOrder.photos: the relation's orderBy(\"nope\"): Photo has no column");
    }

    /** Keyed by (region, id): the same id in two regions. */
    @dev.sluice.annotation.Table("orders")
    record Order(@Id String region, @Id Long id,
                 @HasMany(foreignKey = {"region", "order_id"}, orderBy = "no") List<Line> lines,
                 @ManyToMany(joinTable = "order_tag", joinColumn = {"region", "order_id"}, inverseJoinColumn = "tag_id",
                         orderBy = "name") List<Tag> tags) {
    }

    record Line(@Id String region, @Id Long orderId, @Id Integer no,
                @BelongsTo(foreignKey = {"region", "order_id"}) Order order) {
    }

    @Test
    void aCompositeKeyFindsItsRelationsByEveryColumn() {
        FakeSession session = new FakeSession(Map.of(
                "SELECT region, order_id, no FROM line", List.of(
                        new Object[] {"eu", 1L, 1, null}, new Object[] {"eu", 1L, 2, null},
                        new Object[] {"us", 1L, 1, null}),
                "SELECT t.id, t.name, j.region, j.order_id FROM order_tag", List.of(
                        new Object[] {7L, "sea", "us", 1L}, new Object[] {7L, "sea", "eu", 2L})));
        List<Order> orders = run(plan(Order.class, "lines", "tags"), new ArrayList<>(List.of(
                new Object[] {"eu", 1L, null, null}, new Object[] {"us", 1L, null, null},
                new Object[] {"eu", 2L, null, null})), session);
        assertThat(session.statements).extracting(RenderedSql::sql).containsExactly(
                "SELECT region, order_id, no FROM line WHERE (region, order_id) IN (SELECT * FROM unnest($1, $2))",
                "SELECT t.id, t.name, j.region, j.order_id FROM order_tag j JOIN tag t ON t.id = j.tag_id"
                        + " WHERE (j.region, j.order_id) IN (SELECT * FROM unnest($1, $2)) ORDER BY j.region, j.order_id,"
                        + " t.name");
        assertThat((String[]) session.statements.get(0).bindings().get(0)).containsExactly("eu", "us", "eu");
        assertThat((Long[]) session.statements.get(0).bindings().get(1)).containsExactly(1L, 1L, 2L);
        assertThat(orders.get(0).lines()).extracting(Line::no).containsExactly(1, 2);
        assertThat(orders.get(1).lines()).extracting(l -> l.region() + l.no()).containsExactly("us1");
        assertThat(orders.get(2).lines()).isEmpty();
        assertThat(orders.get(0).tags()).isEmpty();
        assertThat(orders.get(1).tags()).extracting(Tag::name).containsExactly("sea");
        assertThat(orders.get(1).tags().get(0)).as("one instance per tag in the window")
                .isSameAs(orders.get(2).tags().get(0));

        FakeSession owners = new FakeSession(Map.of("SELECT region, id FROM orders", List.<Object[]>of(
                new Object[] {"eu", 1L, null, null}, new Object[] {"us", 1L, null, null})));
        List<Line> lines = run(plan(Line.class, "order"), new ArrayList<>(List.of(new Object[] {"us", 1L, 1, null},
                new Object[] {"eu", 1L, 1, null}, new Object[] {"eu", 1L, 2, null}, new Object[] {null, 1L, 3, null})),
                owners);
        assertThat(owners.statements).extracting(RenderedSql::sql)
                .containsExactly("SELECT region, id FROM orders WHERE (region, id) IN (SELECT * FROM unnest($1, $2))");
        assertThat((String[]) owners.statements.get(0).bindings().get(0)).containsExactly("us", "eu");
        assertThat(lines).extracting(l -> l.order() == null ? null : l.order().region())
                .containsExactly("us", "eu", "eu", null);
        assertThat(lines.get(1).order()).isSameAs(lines.get(2).order());
    }

    record ShortForeignKey(@Id String region, @Id Long id, @HasMany(foreignKey = "order_id") List<Line> lines) {
    }

    record ShortJoinColumn(@Id String region, @Id Long id,
                           @ManyToMany(joinTable = "order_tag", joinColumn = "order_id", inverseJoinColumn = "tag_id")
                           List<Tag> tags) {
    }

    record ShortLine(@Id Long id, @BelongsTo(foreignKey = "order_id") Order order) {
    }

    @Test
    void aRelationNamesOneColumnPerKeyColumn() {
        assertThatThrownBy(() -> EntityModel.of(ShortForeignKey.class))
                .isInstanceOf(MappingException.class)
                .hasMessage("ShortForeignKey.lines: @HasMany(foreignKey = {\"order_id\"}) names 1 column but "
                        + "ShortForeignKey's key has 2 (region, id); name one child table column per key column of "
                        + "ShortForeignKey, in its key order");
        assertThatThrownBy(() -> EntityModel.of(ShortJoinColumn.class))
                .isInstanceOf(MappingException.class)
                .hasMessage("ShortJoinColumn.tags: @ManyToMany(joinColumn = {\"order_id\"}) names 1 column but "
                        + "ShortJoinColumn's key has 2 (region, id); name one join table column per key column of "
                        + "ShortJoinColumn, in its key order");
        assertThatThrownBy(() -> plan(ShortLine.class, "order"))
                .isInstanceOf(MappingException.class)
                .hasMessage("ShortLine.order: @BelongsTo(foreignKey = {\"order_id\"}) names 1 column but Order's key "
                        + "has 2 (region, id); name one column per key column of Order, in its key order");
    }

    record BadCollection(@Id Long id, @HasMany(foreignKey = "album_id") java.util.Collection<Photo> photos) {
    }

    record PrimitiveDeferred(@Id Long id, @Deferred int size) {
    }

    record BadOrder(@Id Long id, @HasMany(foreignKey = "album_id", orderBy = "nope") List<Photo> photos) {
    }
}
