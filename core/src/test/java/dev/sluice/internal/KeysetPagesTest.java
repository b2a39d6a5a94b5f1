package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Keyset pages against a fake executor over an in-memory table of albums, each with one photo: which statements
 * run, with which keys, and when the next window is loaded ahead.
 */
class KeysetPagesTest {

    record Album(@Id Long id, String title, @HasMany(foreignKey = "album_id") List<Photo> photos) {
    }

    record Photo(@Id Long id, Long albumId) {
    }

    /**
     * Answers album pages from {@code albums} rows (after the bound key, up to the bound limit) at once; photo
     * batches only when the test releases them ({@link #release}), so a test can see what runs while a window's
     * relations are still loading.
     */
    static final class FakeExecutor extends ReadOnlyExecutor {
        final int albums;
        final List<String> statements = new CopyOnWriteArrayList<>();
        final Map<Long, Sinks.Empty<Void>> photoGates = new ConcurrentHashMap<>();

        FakeExecutor(int albums) {
            this.albums = albums;
        }

        @Override
        public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
            List<Object> b = sql.bindings();
            if (sql.sql().startsWith("SELECT id, title FROM")) {
                long after = b.size() == 2 ? (Long) b.get(0) : 0L;
                int limit = (Integer) b.get(b.size() - 1);
                statements.add("albums after " + after + " limit " + limit);
                List<Object[]> rows = new ArrayList<>();
                for (long id = after + 1; id <= albums && rows.size() < limit; id++) {
                    rows.add(new Object[] {id, "album " + id, null});
                }
                return rows(rows, mapper);
            }
            Long[] owners = (Long[]) b.get(0);
            statements.add("photos of " + owners[0] + ".." + owners[owners.length - 1]);
            List<Object[]> rows = new ArrayList<>();
            for (Long owner : owners) {
                rows.add(new Object[] {owner * 100, owner});
            }
            return gate(owners[0]).asMono().thenMany(rows(rows, mapper));
        }

        Sinks.Empty<Void> gate(long firstOwner) {
            return photoGates.computeIfAbsent(firstOwner, k -> Sinks.empty());
        }

        void release(long firstOwner) {
            gate(firstOwner).tryEmitEmpty();
        }

        private static <T> Flux<T> rows(List<Object[]> rows, RowMapper<T> mapper) {
            return Flux.fromIterable(rows).map(values -> mapper.map(new ArrayRow(values)));
        }
    }

    private static Flux<Album> albums(FakeExecutor executor, int windowSize) {
        RepoSettings settings = RepoSettings.DEFAULTS.withPageSizes(windowSize, windowSize)
                .withRelationBatchSize(windowSize);
        Fetcher fetcher = new Fetcher(RepoContext.of(executor, settings));
        EntityModel<Album> model = EntityModel.of(Album.class);
        LoadPlan<Album> plan = LoadPlan.root(model, model.defaultColumns(), List.of(),
                LoadPlan.paths(model, List.of("photos")));
        SelectSql sql = SelectSql.of(PostgresDialect.INSTANCE, plan, List.of(), OrderBy.byKey(model));
        return KeysetPages.stream(fetcher, new EntityFetch<>(plan, sql, plan::construct, Long.MAX_VALUE,
                FetchStrategy.KEYSET), Map.of());
    }

    @Test
    void theNextWindowLoadsWhileThisWindowsRelationsLoadWhenItIsAlreadyAskedFor() {
        FakeExecutor executor = new FakeExecutor(25);
        StepVerifier.create(albums(executor, 10), 20)
                .then(() -> assertThat(executor.statements).as("once window 1's rows are read, window 2 (rows, "
                        + "then relations) starts, and then window 1's relations").containsExactly(
                        "albums after 0 limit 10", "albums after 10 limit 10", "photos of 11..20", "photos of 1..10"))
                .then(() -> executor.release(1))
                .expectNextCount(10)
                .then(() -> executor.release(11))
                .expectNextCount(10)
                .then(() -> assertThat(executor.statements).as("window 3 is not asked for yet: nothing ahead")
                        .hasSize(4))
                .thenRequest(10)
                .then(() -> executor.release(21))
                .expectNextMatches(album -> album.id() == 21 && album.photos().get(0).id() == 2100)
                .expectNextCount(4)
                .verifyComplete();
        assertThat(executor.statements).endsWith("albums after 20 limit 10", "photos of 21..25");
    }

    @Test
    void aWindowNotYetAskedForIsNotLoadedAhead() {
        FakeExecutor executor = new FakeExecutor(25);
        StepVerifier.create(albums(executor, 10), 10)
                .then(() -> executor.release(1))
                .expectNextCount(10)
                .then(() -> assertThat(executor.statements).containsExactly("albums after 0 limit 10",
                        "photos of 1..10"))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void eachPageStartsAfterTheLastKeyOfThePageBefore() {
        FakeExecutor executor = new FakeExecutor(7);
        executor.release(1);
        executor.release(4);
        executor.release(7);
        StepVerifier.create(albums(executor, 3).map(Album::id))
                .expectNext(1L, 2L, 3L, 4L, 5L, 6L, 7L)
                .verifyComplete();
        assertThat(executor.statements).filteredOn(s -> s.startsWith("albums")).containsExactly(
                "albums after 0 limit 3", "albums after 3 limit 3", "albums after 6 limit 3");
        assertThat(executor.statements).filteredOn(s -> s.startsWith("photos")).containsExactlyInAnyOrder(
                "photos of 1..3", "photos of 4..6", "photos of 7..7");
    }
}
