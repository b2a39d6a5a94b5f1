package dev.sluice.internal;

import dev.sluice.spi.Session;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * Keyset ("windowed range") pages of one subscription: each page starts after the key of the previous page's
 * last row. Never OFFSET, which makes the server walk every skipped row again.
 */
final class KeysetPages<T> implements DemandPager.Pages<T> {

    private final EntityModel<T> model;
    private final SelectSql sql;
    private final EntityMapper<T> mapper;
    private final Session session;
    private @Nullable T last;

    KeysetPages(EntityModel<T> model, SelectSql sql, EntityMapper<T> mapper, Session session) {
        this.model = model;
        this.sql = sql;
        this.mapper = mapper;
        this.session = session;
    }

    @Override
    public Publisher<T> next(int size) {
        T previous = last;
        Object[] after = previous == null ? null : model.keyOf(previous);
        return session.query(sql.keysetPage(after, size), mapper).doOnNext(row -> last = row);
    }
}
