package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import dev.sluice.annotation.Id;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keyset pages started ahead, against a fake executor over an in-memory table whose rows a test can delete between
 * statements: a page's boundary is found by a statement of its own, and a page started ahead is used only when the
 * page before it ended exactly there.
 */
class KeysetPagesAheadTest {

    record Item(@Id Long id, String name) {
    }

    /** Answers pages and boundaries from {@code ids}, each statement from the rows present when it runs. */
    static final class FakeExecutor extends ReadOnlyExecutor {
        final NavigableSet<Long> ids = new ConcurrentSkipListSet<>();
        final List<String> statements = new CopyOnWriteArrayList<>();
        final AtomicInteger boundaries = new AtomicInteger();
        /** Runs before the boundary statement of this number (1 for the first), then never again. */
        volatile int changeBeforeBoundary;
        volatile Runnable change = () -> { };

        FakeExecutor(long rows) {
            LongStream.rangeClosed(1, rows).forEach(ids::add);
        }

        @Override
        public Mono<Boolean> canStopStatements() {
            return Mono.just(true);
        }

        @Override
        public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
            return query(sql, mapper);
        }

        @Override
        public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
            List<Object> b = sql.bindings();
            long after = b.size() == 2 ? (Long) b.get(0) : 0L;
            List<Object[]> rows = new ArrayList<>();
            if (sql.sql().startsWith("SELECT id FROM item")) {
                if (boundaries.incrementAndGet() == changeBeforeBoundary) {
                    change.run();
                }
                long offset = (Long) b.get(b.size() - 1);
                statements.add("boundary after " + after + " offset " + offset);
                ids.tailSet(after, false).stream().skip(offset).findFirst().ifPresent(id -> rows.add(new Object[] {id}));
            } else {
                int limit = (Integer) b.get(b.size() - 1);
                statements.add("items after " + after + " limit " + limit);
                ids.tailSet(after, false).stream().limit(limit).forEach(id -> rows.add(new Object[] {id, "item " + id}));
            }
            return Flux.fromIterable(rows).map(values -> mapper.map(new ArrayRow(values)));
        }
    }

    private static Flux<Item> items(FakeExecutor executor) {
        Fetcher fetcher = new Fetcher(RepoContext.of(executor, RepoSettings.DEFAULTS.withPageSizes(100, 2000)));
        EntityModel<Item> model = EntityModel.of(Item.class);
        LoadPlan<Item> plan = LoadPlan.root(model, model.defaultColumns(), List.of(), List.of());
        SelectSql sql = SelectSql.of(PostgresDialect.INSTANCE, plan, List.of(), OrderBy.byKey(model));
        return KeysetPages.stream(fetcher, new EntityFetch<>(plan, sql, plan::construct, Long.MAX_VALUE,
                FetchStrategy.KEYSET), Map.of());
    }

    @Test
    void underSmallDemandEachPageStartsAheadAfterTheBoundaryOfThePageBefore() {
        FakeExecutor executor = new FakeExecutor(20_000);
        List<Long> ids = items(executor).limitRate(100).map(Item::id).collectList().block(Duration.ofSeconds(30));
        assertThat(ids).containsExactlyElementsOf(LongStream.rangeClosed(1, 20_000).boxed().toList());
        assertThat(executor.boundaries).as("pages started ahead: %s", executor.statements).hasPositiveValue();
        // a boundary names the last key of the page before, and the page after it starts there
        for (int i = 0; i < executor.statements.size() - 1; i++) {
            String statement = executor.statements.get(i);
            if (statement.startsWith("boundary")) {
                String[] words = statement.split(" ");
                long boundary = Long.parseLong(words[2]) + Long.parseLong(words[4]) + 1;
                assertThat(executor.statements.get(i + 1)).as("after %s", statement)
                        .startsWith("items after " + boundary + " ");
            }
        }
    }

    @Test
    void aPageStartedAheadIsDroppedWhenARowWentBetweenItsBoundaryAndThePageBefore() {
        FakeExecutor executor = new FakeExecutor(20_000);
        AtomicInteger deleted = new AtomicInteger();
        AtomicInteger pageEnd = new AtomicInteger();
        executor.changeBeforeBoundary = 2;
        // the page in flight has read its rows; one of them goes before the boundary is found, which then lies a
        // row further on than where that page ends
        executor.change = () -> {
            String lastPage = executor.statements.get(executor.statements.size() - 1);
            long after = Long.parseLong(lastPage.split(" ")[2]);
            deleted.set((int) after + 1);
            pageEnd.set((int) after + Integer.parseInt(lastPage.split(" ")[4]));
            executor.ids.remove(after + 1);
        };
        List<Long> ids = items(executor).limitRate(100).map(Item::id).collectList().block(Duration.ofSeconds(30));
        assertThat(deleted).hasPositiveValue();
        assertThat(ids).as("every row once, in order: the row deleted after its page read it too")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 20_000).boxed().toList());
        assertThat(executor.statements).as("the page started ahead, after the boundary, and the page run instead, "
                + "after the last row delivered")
                .anyMatch(s -> s.startsWith("items after " + (pageEnd.get() + 1) + " limit"))
                .anyMatch(s -> s.startsWith("items after " + pageEnd.get() + " limit"));
    }
}
