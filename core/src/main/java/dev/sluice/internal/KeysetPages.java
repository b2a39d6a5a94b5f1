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
 * already asked for the whole next window, that window is loaded, its rows and then its relations, as soon as this
 * window's rows are known: while this window's relations load and while its rows are delivered. So two windows are
 * in flight at most, on their own connections, and only what was asked for; the server's work on one window (the
 * child query's sort, say) overlaps the client's work on the other. The next window loads in the subscriber's
 * Reactor context, as this one does, so inside a transaction found there both read in that transaction.
 */
final class KeysetPages<T> implements DemandPager.Pages<T> {

    /** One window: its rows, and the same rows once their relations are loaded. */
    private record Window(int size, Mono<List<Object[]>> rows, Mono<List<Object[]>> loaded) {
    }

    private final CoreRepo repo;
    private final LoadPlan<?> plan;
    private final SelectSql sql;
    private final Function<Object[], T> finish;
    private final int[] keySlots;
    private Object @Nullable [] last;
    private @Nullable Window ahead;

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
        return next(size, 0, null);
    }

    @Override
    public Publisher<T> next(int size, long wantedAfter, @Nullable Mono<Void> stop) {
        if (plan.branches().isEmpty()) {
            return repo.window(plan, repo.executor(), sql.keysetPage(after(last), size), finish, row -> last = row,
                    stop);
        }
        Window early = ahead;
        ahead = null;
        Window window = early != null && early.size() == size ? early : window(after(last), size);
        return window.rows().flatMapMany(rows -> Flux.deferContextual(context -> {
            if (!rows.isEmpty()) {
                last = rows.get(rows.size() - 1);
            }
            if (rows.size() == size && wantedAfter >= size) {
                Window next = window(after(last), size);
                // in the subscriber's context, where a connection provider finds its transaction (Spring's)
                next.loaded().contextWrite(context)
                        .subscribe(loaded -> { }, failed -> { }); // its error, if any, comes with that page
                ahead = next;
            }
            return window.loaded().flatMapIterable(Function.identity()).map(finish);
        }));
    }

    /** A window after {@code after}, not started; both of its steps run once however often they are subscribed. */
    private Window window(Object @Nullable [] after, int size) {
        Mono<List<Object[]>> rows = repo.executor().query(sql.keysetPage(after, size), plan.reader()).collectList()
                .cache();
        Mono<List<Object[]>> loaded = rows.flatMap(list -> repo.relations().load(plan, list, repo.executor())
                .thenReturn(list)).cache();
        return new Window(size, rows, loaded);
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
