package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.sluice.Query;
import dev.sluice.RowCountException;
import dev.sluice.annotation.Deferred;
import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A filter is never skipped: every terminal operation of a query (flux in both modes, findById, one, findOne, count,
 * relation loads, deferred loads, projections) honours every condition and the limit on it. The data is two owners'
 * items, so a skipped {@code owner = ?} shows as the other owner's rows; every expectation is read from SQL.
 */
class FilterSpec extends RelayedSpecBase {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Table("f_item")
    record Item(@Id Long id, String owner, String name, @Deferred byte[] data,
                @HasMany(foreignKey = "item_id", orderBy = "id") List<Part> parts) {
    }

    @Table("f_part")
    record Part(@Id Long id, Long itemId, String label) {
    }

    record ItemName(Long id, String name) {
    }

    FilterSpec() {
        super(2, 2); // pages and relation windows of two rows: many page boundaries to keep the filter across
    }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS f_item (id bigint PRIMARY KEY, owner text NOT NULL, name text NOT NULL, "
                        + "data bytea)",
                "CREATE TABLE IF NOT EXISTS f_part (id bigint PRIMARY KEY, item_id bigint NOT NULL REFERENCES f_item, "
                        + "label text NOT NULL)",
                // even ids are alice's, odd ids bob's; item i has i % 4 parts
                "INSERT INTO f_item SELECT i, CASE WHEN i % 2 = 0 THEN 'alice' ELSE 'bob' END, 'item ' || i, "
                        + "decode(md5(i::text), 'hex') FROM generate_series(1, 20) i ON CONFLICT DO NOTHING",
                "INSERT INTO f_part SELECT i * 10 + p, i, 'part ' || i || '/' || p FROM generate_series(1, 20) i, "
                        + "generate_series(1, 3) p WHERE p <= i % 4 ON CONFLICT DO NOTHING");
    }

    @Override
    void firstUse() {
        StepVerifier.create(repo.select(Item.class).with("parts").findById(1L)).expectNextCount(1).verifyComplete();
    }

    private Query<Item> alice() {
        return repo.select(Item.class).where("owner = ?", "alice");
    }

    /** The ids a SQL query of one column returns, as a list, in its order. */
    private static List<Long> ids(String sql) {
        String joined = Fixtures.queryString("SELECT array_to_string(ARRAY(" + sql + "), ',')");
        return joined.isEmpty() ? List.of() : Arrays.stream(joined.split(",")).map(Long::valueOf).toList();
    }

    private static long count(String sql) {
        return Fixtures.db().queryLong(sql);
    }

    @Test
    void findByIdFindsOnlyAmongTheRowsTheConditionsMatch() {
        assertThat(count("SELECT count(*) FROM f_item WHERE id = 1 AND owner = 'alice'")).as("truth").isZero();
        assertThat(count("SELECT count(*) FROM f_item WHERE id = 1")).as("truth").isOne();

        StepVerifier.create(alice().findById(1L)).as("entity").verifyComplete();
        StepVerifier.create(alice().with("parts").findById(1L)).as("with relations").verifyComplete();
        StepVerifier.create(alice().undefer("data").findById(1L)).as("with deferred columns").verifyComplete();
        StepVerifier.create(alice().as(ItemName.class).findById(1L)).as("projection").verifyComplete();
        StepVerifier.create(alice().where("name <> ?", "item 2").findById(2L)).as("the second condition")
                .verifyComplete();
        assertThat(relay.dataRows()).as("rows the server sent for the other owner's item").isZero();

        List<Long> parts = ids("SELECT id FROM f_part WHERE item_id = 2 ORDER BY id");
        StepVerifier.create(alice().with("parts").undefer("data").findById(2L))
                .assertNext(item -> {
                    assertThat(item.owner()).isEqualTo("alice");
                    assertThat(item.parts()).extracting(Part::id).isEqualTo(parts);
                    assertThat(item.data()).hasSize(16);
                })
                .verifyComplete();
        StepVerifier.create(alice().as(ItemName.class).findById(2L)).expectNext(new ItemName(2L, "item 2"))
                .verifyComplete();
    }

    @Test
    void findByIdFindsOnlyAmongTheRowsWithinTheLimitInTheQuerysOrder() {
        // keyset order: alice's two highest ids
        List<Long> limited = ids("SELECT id FROM f_item WHERE owner = 'alice' ORDER BY id DESC LIMIT 2");
        assertThat(limited).containsExactly(20L, 18L);
        Query<Item> top = alice().orderBy("id desc").limit(2);
        StepVerifier.create(top.findById(16L)).as("a row beyond the limit").verifyComplete();
        StepVerifier.create(top.findById(18L).map(Item::id)).expectNext(18L).verifyComplete();
        // cursor order: by name, as text ('item 10' < 'item 2')
        List<Long> byName = ids("SELECT id FROM f_item WHERE owner = 'alice' ORDER BY name LIMIT 3");
        assertThat(byName).doesNotContain(2L).contains(10L);
        Query<Item> firstByName = alice().orderBy("name").limit(3);
        StepVerifier.create(firstByName.findById(2L)).as("a row beyond the limit").verifyComplete();
        StepVerifier.create(firstByName.with("parts").findById(2L)).as("a row beyond the limit").verifyComplete();
        StepVerifier.create(firstByName.findById(10L).map(Item::id)).expectNext(10L).verifyComplete();
        StepVerifier.create(alice().limit(0).findById(2L)).as("limit 0").verifyComplete();
    }

    @Test
    void everyOtherTerminalOperationKeepsTheConditionsAndTheLimit() {
        List<Long> alices = ids("SELECT id FROM f_item WHERE owner = 'alice' ORDER BY id");
        StepVerifier.create(alice().flux().map(Item::id).collectList()).as("keyset pages")
                .expectNext(alices).verifyComplete();
        StepVerifier.create(alice().orderBy("name").flux().map(Item::id).collectList()).as("cursor")
                .expectNext(ids("SELECT id FROM f_item WHERE owner = 'alice' ORDER BY name")).verifyComplete();
        StepVerifier.create(Flux.from(alice().orderBy("name").flux()).limitRate(2).map(Item::id).collectList())
                .as("cursor, FETCH by demand")
                .expectNext(ids("SELECT id FROM f_item WHERE owner = 'alice' ORDER BY name")).verifyComplete();
        StepVerifier.create(alice().count()).expectNext(count("SELECT count(*) FROM f_item WHERE owner = 'alice'"))
                .verifyComplete();
        StepVerifier.create(alice().limit(3).count()).expectNext(3L).verifyComplete();
        StepVerifier.create(alice().where("id = ?", 1L).one()).expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(RowCountException.class)
                        .hasMessage("Expected one Item row, but found none where owner = ? and id = ?"))
                .verify(TIMEOUT);
        StepVerifier.create(alice().where("id = ?", 1L).findOne()).verifyComplete();
        StepVerifier.create(alice().where("id <= ?", 2L).one().map(Item::id)).expectNext(2L).verifyComplete();

        List<Long> parts = ids("SELECT p.id FROM f_part p JOIN f_item i ON i.id = p.item_id "
                + "WHERE i.owner = 'alice' ORDER BY p.item_id, p.id");
        assertThat(parts).isNotEmpty();
        StepVerifier.create(alice().with("parts").flux().concatMapIterable(Item::parts).map(Part::id).collectList())
                .as("relations").expectNext(parts).verifyComplete();
        StepVerifier.create(alice().undefer("data").flux().filter(i -> i.data().length == 16).map(Item::id)
                        .collectList())
                .as("deferred columns").expectNext(alices).verifyComplete();
        StepVerifier.create(alice().as(ItemName.class).flux().map(ItemName::id).collectList()).as("projection")
                .expectNext(alices).verifyComplete();
        StepVerifier.create(alice().orderBy("id desc").limit(3).flux().map(Item::id).collectList())
                .expectNext(ids("SELECT id FROM f_item WHERE owner = 'alice' ORDER BY id DESC LIMIT 3"))
                .verifyComplete();
        StepVerifier.create(Mono.from(repo.loadAll(alice().flux(), "parts").concatMapIterable(Item::parts).count()))
                .as("loaded later").expectNext((long) parts.size()).verifyComplete();
    }
}
