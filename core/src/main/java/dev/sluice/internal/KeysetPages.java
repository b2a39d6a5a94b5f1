package dev.sluice.internal;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * Keyset ("windowed range") pages of one subscription: each page starts after the key of the previous page's
 * last row. Never OFFSET, which makes the server walk every skipped row again.
 */
final class KeysetPages<T> implements DemandPager.Pages<T> {

    private final CoreRepo repo;
    private final LoadPlan<?> plan;
    private final SelectSql sql;
    private final Function<Object[], T> finish;
    private final int[] keySlots;
    private Object @Nullable [] last;

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
        Object[] previous = last;
        Object[] after = null;
        if (previous != null) {
            after = new Object[keySlots.length];
            for (int i = 0; i < keySlots.length; i++) {
                after[i] = previous[keySlots[i]];
            }
        }
        return repo.window(plan, repo.executor(), sql.keysetPage(after, size), finish, row -> last = row);
    }
}
