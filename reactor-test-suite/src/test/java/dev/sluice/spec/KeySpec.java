package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.sluice.MappingException;
import dev.sluice.annotation.BelongsTo;
import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.ManyToMany;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.UniqueKey;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A key that cannot page is never paged silently: at first use an entity's key must be NOT NULL and covered by a
 * primary key or unique index, or declared unique with {@link UniqueKey} where PostgreSQL cannot tell (a view).
 * Pages of one row cross a page boundary at every row, so a repeated key shows at once.
 */
class KeySpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Over a view in which id 1 appears twice. */
    @Table("k_item_repeated")
    record Repeated(@Id Long id, String name) {
    }

    /** Over a view in which every id appears once, declared so. */
    @Table("k_item_view")
    @UniqueKey
    record Viewed(@Id Long id, String name) {
    }

    @Table("k_item_mat")
    record Materialized(@Id Long id, String name) {
    }

    @Table("k_nokey")
    record NoKey(@Id Long id, String name) {
    }

    @Table("k_nullable")
    record Nullable(@Id Long id, String name) {
    }

    @Table("k_partial")
    record Partial(@Id Long id, String name) {
    }

    @Table("k_included")
    record Included(@Id Long b, Long a) {
    }

    /** A composite key of which one column alone is unique. */
    @Table("k_included")
    record Pair(@Id Long a, @Id Long b) {
    }

    /** Orders keyed by (region, id): the same id in two regions, so a relation by id alone mixes them up. */
    @Table("k_order")
    record Order(@Id String region, @Id Long id, String note,
                 @HasMany(foreignKey = {"region", "order_id"}, orderBy = "no") List<Line> lines,
                 @ManyToMany(joinTable = "k_order_tag", joinColumn = {"region", "order_id"},
                         inverseJoinColumn = "tag_id", orderBy = "name") List<Tag> tags) {
    }

    @Table("k_line")
    record Line(@Id String region, @Id Long orderId, @Id int no, String item,
                @BelongsTo(foreignKey = {"region", "order_id"}) Order order) {
    }

    @Table("k_tag")
    record Tag(@Id Long id, String name) {
    }

    private PgWireRelay relay;
    private R2dbcRepo repo;

    @BeforeAll
    static void tables() {
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS k_item (id bigint PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO k_item VALUES (1, 'a'), (2, 'b'), (3, 'c') ON CONFLICT DO NOTHING",
                "CREATE OR REPLACE VIEW k_item_repeated AS SELECT id, name FROM k_item UNION ALL SELECT 1, 'again'",
                "CREATE OR REPLACE VIEW k_item_view AS SELECT id, name FROM k_item",
                "CREATE MATERIALIZED VIEW IF NOT EXISTS k_item_mat AS SELECT id, name FROM k_item",
                "CREATE UNIQUE INDEX IF NOT EXISTS k_item_mat_id ON k_item_mat (id)",
                "CREATE TABLE IF NOT EXISTS k_nokey (id bigint NOT NULL, name text)",
                "CREATE TABLE IF NOT EXISTS k_nullable (id bigint UNIQUE, name text)",
                "CREATE TABLE IF NOT EXISTS k_partial (id bigint NOT NULL, name text)",
                "CREATE UNIQUE INDEX IF NOT EXISTS k_partial_id ON k_partial (id) WHERE id > 0",
                "CREATE TABLE IF NOT EXISTS k_included (a bigint NOT NULL, b bigint NOT NULL)",
                "CREATE UNIQUE INDEX IF NOT EXISTS k_included_a ON k_included (a) INCLUDE (b)",
                "INSERT INTO k_nokey VALUES (1, 'a'), (1, 'b')",
                "INSERT INTO k_included VALUES (1, 7), (2, 7)",
                "CREATE TABLE IF NOT EXISTS k_order (region text, id bigint, note text NOT NULL, PRIMARY KEY (region, id))",
                "CREATE TABLE IF NOT EXISTS k_line (region text, order_id bigint, no int, item text NOT NULL, "
                        + "PRIMARY KEY (region, order_id, no), FOREIGN KEY (region, order_id) REFERENCES k_order)",
                "CREATE TABLE IF NOT EXISTS k_tag (id bigint PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE IF NOT EXISTS k_order_tag (region text, order_id bigint, tag_id bigint REFERENCES k_tag, "
                        + "PRIMARY KEY (region, order_id, tag_id), FOREIGN KEY (region, order_id) REFERENCES k_order)",
                // ids 1..6 in each of three regions; how many lines and tags an order has depends on both
                "INSERT INTO k_order SELECT r, i, r || '/' || i FROM unnest(ARRAY['eu', 'us', 'ap']) r, "
                        + "generate_series(1, 6) i",
                "INSERT INTO k_line SELECT o.region, o.id, n, o.note || '#' || n FROM k_order o, generate_series(1, 3) n "
                        + "WHERE n <= (o.id + ascii(substr(o.region, 2))) % 4",
                "INSERT INTO k_tag SELECT t, 'tag ' || chr(100 - t) FROM generate_series(1, 5) t",
                "INSERT INTO k_order_tag SELECT o.region, o.id, t FROM k_order o, generate_series(1, 5) t "
                        + "WHERE t <= (o.id + ascii(o.region)) % 3");
    }

    @BeforeEach
    void open() {
        relay = Fixtures.relay();
        repo = Fixtures.repo(relay, 1, 1, 1);
    }

    @AfterEach
    void close() {
        repo.close();
        relay.close();
    }

    private void refused(Flux<?> rows, String message) {
        StepVerifier.create(rows).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class)
                .hasMessage(message)).verify(TIMEOUT);
    }

    @Test
    void aViewWhoseKeyRepeatsIsRefusedInsteadOfPagedShort() {
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM k_item_repeated")).as("rows in SQL").isEqualTo(4);
        assertThat(Fixtures.db().queryLong("SELECT count(DISTINCT id) FROM k_item_repeated")).isEqualTo(3);
        refused(repo.scan(Repeated.class).limitRate(1), "Repeated: k_item_repeated is a view, so PostgreSQL cannot "
                + "tell whether Repeated's key (id) is unique and never NULL, and keyset pages over a key that repeats "
                + "skip rows; if it is unique and never NULL, annotate Repeated with @UniqueKey");
        refused(Flux.from(repo.findById(Repeated.class, 1L)), "Repeated: k_item_repeated is a view, so PostgreSQL "
                + "cannot tell whether Repeated's key (id) is unique and never NULL, and keyset pages over a key that "
                + "repeats skip rows; if it is unique and never NULL, annotate Repeated with @UniqueKey");
        refused(repo.scan(Materialized.class), "Materialized: k_item_mat is a materialized view, so PostgreSQL cannot "
                + "tell whether Materialized's key (id) is unique and never NULL, and keyset pages over a key that "
                + "repeats skip rows; if it is unique and never NULL, annotate Materialized with @UniqueKey");
        assertThat(relay.dataRows()).as("rows sent besides the catalog's").isLessThan(20);
    }

    @Test
    void aKeyDeclaredUniqueIsTrustedAndPagesEveryRow() {
        String truth = Fixtures.queryString("SELECT string_agg(id::text, ',' ORDER BY id) FROM k_item_view");
        StepVerifier.create(repo.scan(Viewed.class).limitRate(1).map(Viewed::id).collectList())
                .expectNext(Arrays.stream(truth.split(",")).map(Long::valueOf).toList()).verifyComplete();
        assertThat(relay.commandTags()).filteredOn(t -> t.startsWith("SELECT 1")).as("pages of one row")
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void aTableWhoseKeyIsNotUniqueOrMayBeNullIsRefused() {
        refused(repo.scan(NoKey.class), "NoKey: table k_nokey has no primary key or unique index on NoKey's key (id), "
                + "so keyset pages could skip or repeat rows; add one, e.g. ALTER TABLE k_nokey ADD PRIMARY KEY (id), "
                + "or, if the key is unique and never NULL anyway, annotate NoKey with @UniqueKey");
        refused(Flux.from(repo.insert(new NoKey(2L, "c"))), "NoKey: table k_nokey has no primary key or unique index "
                + "on NoKey's key (id), so keyset pages could skip or repeat rows; add one, e.g. ALTER TABLE k_nokey "
                + "ADD PRIMARY KEY (id), or, if the key is unique and never NULL anyway, annotate NoKey with "
                + "@UniqueKey");
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM k_nokey")).as("nothing written").isEqualTo(2);
        refused(repo.scan(Nullable.class), "Nullable.id: key column id of table k_nullable may be NULL, so keyset "
                + "pages could skip rows; make it NOT NULL, e.g. ALTER TABLE k_nullable ALTER COLUMN id SET NOT NULL, "
                + "or, if it never is NULL, annotate Nullable with @UniqueKey");
        refused(repo.scan(Partial.class), "Partial: table k_partial has no primary key or unique index on Partial's "
                + "key (id), so keyset pages could skip or repeat rows; add one, e.g. ALTER TABLE k_partial ADD "
                + "PRIMARY KEY (id), or, if the key is unique and never NULL anyway, annotate Partial with @UniqueKey");
        refused(repo.scan(Included.class), "Included: table k_included has no primary key or unique index on "
                + "Included's key (b), so keyset pages could skip or repeat rows; add one, e.g. ALTER TABLE k_included "
                + "ADD PRIMARY KEY (b), or, if the key is unique and never NULL anyway, annotate Included with "
                + "@UniqueKey");
    }

    @Test
    void aUniqueIndexOnSomeOfTheKeyColumnsMakesTheKeyUnique() {
        List<Long> truth = List.of(Fixtures.db().queryLong("SELECT min(a) FROM k_included"),
                Fixtures.db().queryLong("SELECT max(a) FROM k_included"));
        StepVerifier.create(repo.scan(Pair.class).limitRate(1).map(Pair::a).collectList()).expectNext(truth)
                .verifyComplete();
    }

    @Test
    void relationsOfACompositeKeyAreFoundByEveryKeyColumn() {
        // per order, in key order: its lines' numbers and its tags' ids, as SQL says
        String truth = Fixtures.queryString("SELECT string_agg(o.region || '/' || o.id || ':' "
                + "|| coalesce((SELECT string_agg(l.no::text, ',' ORDER BY l.no) FROM k_line l "
                + "WHERE l.region = o.region AND l.order_id = o.id), '') || ':' "
                + "|| coalesce((SELECT string_agg(t.id::text, ',' ORDER BY t.name) FROM k_order_tag ot "
                + "JOIN k_tag t ON t.id = ot.tag_id WHERE ot.region = o.region AND ot.order_id = o.id), ''), ' ' "
                + "ORDER BY o.region, o.id) FROM k_order o");
        assertThat(truth).contains("eu/1:").contains("us/1:");
        StepVerifier.create(repo.select(Order.class).with("lines", "tags").flux().limitRate(2)
                        .map(o -> o.region() + "/" + o.id() + ":" + String.join(",", o.lines().stream()
                                .map(l -> String.valueOf(l.no())).toList()) + ":" + String.join(",", o.tags().stream()
                                .map(t -> String.valueOf(t.id())).toList()))
                        .collectList().map(orders -> String.join(" ", orders)))
                .expectNext(truth).verifyComplete();
        long lines = Fixtures.db().queryLong("SELECT count(*) FROM k_line");
        StepVerifier.create(repo.select(Line.class).with("order").flux()
                        .filter(l -> l.order().region().equals(l.region()) && l.order().id().equals(l.orderId())
                                && l.item().startsWith(l.order().note() + "#"))
                        .count())
                .as("each line's order is its own").expectNext(lines).verifyComplete();
        long us3 = Fixtures.db().queryLong("SELECT count(*) FROM k_line WHERE region = 'us' AND order_id = 3");
        assertThat(us3).isPositive();
        StepVerifier.create(repo.select(Order.class).where("note like ?", "us/%").with("lines").findById("us", 3L)
                        .map(o -> o.lines().stream().map(l -> l.region() + "/" + l.orderId()).toList()))
                .expectNext(java.util.Collections.nCopies((int) us3, "us/3")).verifyComplete();
    }
}
