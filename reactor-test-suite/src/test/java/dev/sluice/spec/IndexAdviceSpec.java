package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * At the first keyset stream of an entity in an order, a warning when no index of the table serves that order,
 * naming the index to create; once per entity and order, and none when an index starts with the order's first
 * column. The index it names does serve the pages: the plan of a page, once it exists, has an {@code Index Cond}
 * on it.
 */
class IndexAdviceSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();
    private static final List<String> STATEMENTS = new CopyOnWriteArrayList<>();

    @Table("tile")
    record Tile(@Id Long id, Instant takenAt, String place, int rating) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("DROP TABLE IF EXISTS tile",
                "CREATE TABLE tile (id bigint PRIMARY KEY, taken_at timestamptz NOT NULL, place text,"
                        + " rating int NOT NULL)",
                "INSERT INTO tile SELECT g, timestamptz '2026-01-01' + (g % 97) * interval '1 hour',"
                        + " 'place ' || (g % 13), g % 7 FROM generate_series(1, 20000) g",
                "CREATE INDEX tile_taken_at ON tile (taken_at)",
                "ANALYZE tile");
        // every reactor Logger made from now on: Sluice's EntityCatalog's warnings recorded, the rest dropped
        Loggers.useCustomLoggers(name -> (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
                new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                    if (name.equals("dev.sluice.internal.EntityCatalog") && method.getName().equals("warn")) {
                        WARNINGS.add((String) args[0]);
                    }
                    return method.getReturnType() == boolean.class ? false
                            : method.getReturnType() == String.class ? name : null;
                }));
    }

    @AfterAll
    static void resetLoggers() {
        Loggers.resetLoggerFactory();
    }

    @Test
    void anOrderNoIndexServesIsAdvisedOnceNamingTheIndexThatServesIt() {
        WARNINGS.clear();
        try (R2dbcRepo repo = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).minPageSize(10).maxPageSize(10)
                .statementListener(STATEMENTS::add).build()) {
            read(repo, "rating desc, id");
            read(repo, "rating desc, id");
            assertThat(WARNINGS).containsExactly("No index serves the keyset order of Tile (rating DESC, id): no "
                    + "index of tile starts with rating, so every page sorts all the rows that match and a scan does "
                    + "quadratic work. Create one: CREATE INDEX ON tile (rating DESC, id)");
            read(repo, "place desc");
            assertThat(WARNINGS).hasSize(2).last().asString()
                    .endsWith("Create one: CREATE INDEX ON tile (place, id)"); // backwards, as the order is descending
            WARNINGS.clear();
            read(repo, "taken_at desc");
            read(repo, "id");
            repo.scan(Tile.class).take(3).blockLast(TIMEOUT);
            assertThat(WARNINGS).as("orders an index serves").isEmpty();
        }

        // the index advised serves the pages
        Fixtures.db().execute("CREATE INDEX ON tile (rating DESC, id)", "ANALYZE tile");
        try (R2dbcRepo repo = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).minPageSize(10).maxPageSize(10)
                .statementListener(STATEMENTS::add).build()) {
            STATEMENTS.clear();
            read(repo, "rating desc, id");
            assertThat(WARNINGS).isEmpty();
            String page = STATEMENTS.stream().filter(s -> s.contains("rating <= ")).findFirst().orElseThrow();
            String plan = Fixtures.explain(page, "3, 5, 10");
            assertThat(plan).as(plan).contains("Index Cond").contains("tile_rating_id_idx")
                    .doesNotContain("Seq Scan");
        }
    }

    private static void read(R2dbcRepo repo, String order) {
        assertThat(repo.select(Tile.class).orderBy(order).flux().take(25).count().block(TIMEOUT)).isEqualTo(25);
    }
}
