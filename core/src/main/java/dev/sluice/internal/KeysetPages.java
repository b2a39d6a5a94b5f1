package dev.sluice.internal;

import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keyset ("windowed range") pages of one subscription: each page starts after the key of the previous page's
 * last row. Never OFFSET, which makes the server walk every skipped row again.
 *
 * <p>With relations to load, a page is a window: its rows, then one query per relation. When the subscriber has
 * already asked for the whole next window, that window's rows are fetched while this window's relations load (one
 * page ahead at most, and only what was asked for), so the parents' round trips leave the critical path.
 */
final class KeysetPages<T> implements DemandPager.Pages<T> {

    /** The next window's rows, fetched early, for a page of {@code size}. */
    private record Ahead(int size, Mono<List<Object[]>> rows) {
    }

    private final CoreRepo repo;
    private final LoadPlan<?> plan;
    private final SelectSql sql;
    private final Function<Object[], T> finish;
    private final int[] keySlots;
    private Object @Nullable [] last;
    private @Nullable Ahead ahead;

    KeysetPages(CoreRepo repo, LoadPlan<?> plan, SelectSql sql, Function<Object[], T> finish) {
        this.repo = repo;
        this.plan = plan;
        this.sql = sql;
        this.finish = finish;
        this.keySlots = new int[plan.model().key().size()];
        for (int i = 0; i < keySlots.length; i++) {
            keySlots[i] = plan.keySlot(i);
        }
    }

    @Override
    public Publisher<T> next(int size) {
        return next(size, 0);
    }

    @Override
    public Publisher<T> next(int size, long wantedAfter) {
        if (plan.branches().isEmpty()) {
            return repo.window(plan, repo.executor(), sql.keysetPage(after(last), size), finish, row -> last = row);
        }
        Ahead early = ahead;
        ahead = null;
        Mono<List<Object[]>> rows = early != null && early.size() == size ? early.rows() : rows(after(last), size);
        return rows.flatMapMany(window -> {
            if (!window.isEmpty()) {
                last = window.get(window.size() - 1);
            }
            if (window.size() == size && wantedAfter >= size) {
                Mono<List<Object[]>> next = rows(after(last), size).cache();
                next.subscribe(started -> { }, failed -> { }); // its error, if any, comes with the next page
                ahead = new Ahead(size, next);
            }
            return repo.relations().load(plan, window, repo.executor())
                    .thenMany(Flux.defer(() -> Flux.fromIterable(window)))
                    .map(finish);
        });
    }

    private Mono<List<Object[]>> rows(Object @Nullable [] after, int size) {
        return repo.executor().query(sql.keysetPage(after, size), plan.reader()).collectList();
    }

    private Object @Nullable [] after(Object @Nullable [] row) {
        if (row == null) {
            return null;
        }
        Object[] key = new Object[keySlots.length];
        for (int i = 0; i < keySlots.length; i++) {
            key[i] = row[keySlots[i]];
        }
        return key;
    }
}
