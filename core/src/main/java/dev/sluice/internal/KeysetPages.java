package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.sluice.spi.Executor;
import dev.sluice.spi.Observer;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.UntypedText;
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

    private final Fetcher fetcher;
    private final Executor executor;
    private final LoadPlan<?> plan;
    private final SelectSql sql;
    private final Function<Object[], T> finish;
    /** Where a row's arguments hold the value of each term of the (unique) order. */
    private final int[] orderSlots;
    /** Which terms' columns may hold NULL. */
    private final boolean[] nullable;
    /** Which terms' values are bound without a type, so PostgreSQL takes the column's (enum, json). */
    private final boolean[] untyped;
    /** The order's columns, for errors that say where to resume. */
    private final List<String> orderColumns;
    private Object @Nullable [] last;
    /** Rows passed on to the pager, which delivers every one of them before a lost connection's error. */
    private long delivered;
    /** Where the first page starts after ({@code query.after(row)}), or null. */
    private final Object @Nullable [] start;
    /** The next window, started early; its size says whether the pager's next page can use it. */
    private @Nullable Ahead ahead;

    private record Ahead(int size, Fetcher.Window window) {
    }

    /** The order's components, whose codecs turn the values of the last row into bindable ones. */
    private final Property[] orderProperties;

    private KeysetPages(Fetcher fetcher, EntityFetch<T> fetch, Map<String, TableCheck.ColumnInfo> columns) {
        this.fetcher = fetcher;
        this.executor = fetcher.context().executor();
        this.plan = fetch.plan();
        this.sql = fetch.sql();
        this.finish = fetch.finish();
        List<OrderBy.Term> terms = sql.order().terms();
        this.orderSlots = new int[terms.size()];
        this.orderProperties = new Property[terms.size()];
        this.nullable = new boolean[terms.size()];
        this.untyped = new boolean[terms.size()];
        this.orderColumns = terms.stream().map(term -> term.property().column()).toList();
        for (int i = 0; i < terms.size(); i++) {
            Property p = terms.get(i).property();
            orderSlots[i] = plan.slot(p);
            orderProperties[i] = p;
            TableCheck.ColumnInfo column = columns.get(p.column());
            nullable[i] = !p.primitive() && (column == null || !column.notNull()) && !p.id();
            untyped[i] = column != null && ColumnFit.of(column).untyped();
        }
        Object[] from = sql.start();
        if (from != null) {
            for (int i = 0; i < from.length; i++) {
                from[i] = position(from[i], i);
            }
        }
        this.start = from;
    }

    /**
     * The rows of {@code fetch} in keyset pages sized by demand. Without relations, and when the executor can stop
     * a statement on the server, pages grow beyond the largest page size as far as the subscriber has asked: a cancel
     * then stops the page in flight on the server instead of reading it to its end.
     */
    static <T> Flux<T> stream(Fetcher fetcher, EntityFetch<T> fetch) {
        return Flux.defer(() -> stream(fetcher, fetch, fetcher.context().catalog().known(fetch.plan().model())));
    }

    /**
     * As {@link #stream(Fetcher, EntityFetch)}, knowing the entity's table's columns (which of the order's columns
     * may hold NULL, which take untyped values), as the check before every stream has described them.
     */
    static <T> Flux<T> stream(Fetcher fetcher, EntityFetch<T> fetch, Map<String, TableCheck.ColumnInfo> columns) {
        LoadPlan<?> plan = fetch.plan();
        fetcher.context().catalog().adviseOnIndex(plan.model(), fetch.sql().order(), columns);
        PageSizes sizes = fetcher.pageSizes(plan);
        Mono<Boolean> stoppable = plan.branches().isEmpty() ? fetcher.context().executor().canStopStatements()
                : Mono.just(false);
        return stoppable.flatMapMany(canStop -> DemandPager.create(() -> new KeysetPages<>(fetcher, fetch, columns),
                sizes.min(), sizes.max(), fetch.limit(), canStop, fetcher.context().budget()));
    }

    @Override
    public Publisher<T> next(int size) {
        return next(size, 0, null);
    }

    /**
     * The next page, its statements (the window's relations too) told to the observer as {@code page}s. A page or
     * window that loses its connection runs again on another one ({@link ReadRetry}): a page goes on after the last
     * row it received, for the rows it still owes; a window, whose rows are delivered only once its relations are
     * loaded, runs again whole.
     */
    @Override
    public Publisher<T> next(int size, long wantedAfter, @Nullable Mono<Void> stop) {
        return Observed.statement(fetcher.context().settings(), Observer.Kind.PAGE, plan.model().table(),
                page(size, wantedAfter, stop));
    }

    private Publisher<T> page(int size, long wantedAfter, @Nullable Mono<Void> stop) {
        if (plan.branches().isEmpty()) {
            int[] received = {0}; // rows of this page, over all its runs
            return fetcher.retry().run(executor, attempt -> received[0] == size ? Flux.<T>empty()
                    : fetcher.rows(executor, page(size - received[0]), plan, stop).map(row -> {
                        last = row;
                        received[0]++;
                        delivered++;
                        return finish.apply(row);
                    }), stop, fetcher::retried).onErrorMap(ReadRetry.GivenUp.class, given -> lost(given, last));
        }
        Object @Nullable [] from = last;
        Ahead early = ahead;
        ahead = null;
        Fetcher.Window window = early != null && early.size() == size ? early.window()
                : fetcher.retriedWindow(page(size), plan);
        return window.rows().flatMapMany(rows -> Flux.deferContextual(context -> {
            if (!rows.isEmpty()) {
                last = rows.get(rows.size() - 1);
            }
            if (rows.size() == size && wantedAfter >= size) {
                Fetcher.Window next = fetcher.retriedWindow(page(size), plan);
                // in the subscriber's context, where a connection provider finds its transaction (Spring's)
                next.loaded().contextWrite(context)
                        .subscribe(loaded -> { }, failed -> { }); // its error, if any, comes with that page
                ahead = new Ahead(size, next);
            }
            return window.loaded().flatMapIterable(loaded -> {
                if (loaded != rows) {
                    // run again after a lost connection, maybe with other rows: go on after these, not after the
                    // first run's, and drop the window started after the first run's
                    last = loaded.isEmpty() ? from : loaded.get(loaded.size() - 1);
                    ahead = null;
                }
                delivered += loaded.size();
                return loaded;
            }).map(finish);
        })).onErrorMap(ReadRetry.GivenUp.class, given -> lost(given, from));
    }

    /**
     * Without relations, a page emits each row right where {@code last} is noted, so it is always the last emitted
     * row; a window's rows are delivered after its relations load, and it does not go back.
     */
    @Override
    public boolean rewinds() {
        return plan.branches().isEmpty();
    }

    /** The last row received (its values, in the plan's slots), null before the first: the start. */
    @Override
    public Object @Nullable [] position() {
        return last;
    }

    @Override
    public void rewind(@Nullable Object position, long dropped) {
        if (!rewinds()) {
            throw new UnsupportedOperationException("windows with relations do not go back");
        }
        last = (Object[]) position;
        delivered -= dropped;
    }

    /** The error of a page given up after a lost connection, {@code lastDelivered} the last row delivered. */
    private RuntimeException lost(ReadRetry.GivenUp given, Object @Nullable [] lastDelivered) {
        List<@Nullable Object> key = new ArrayList<>();
        if (lastDelivered != null) {
            for (int slot : orderSlots) {
                key.add(lastDelivered[slot]);
            }
        }
        return given.lost(plan.model().table(), new ReadRetry.Position(delivered, orderColumns, key));
    }

    /** The next page of {@code size} rows, after the last row read. */
    private RenderedSql page(int size) {
        return sql.keysetPage(last == null ? start : after(last), size, nullable);
    }

    /** The order's values in {@code row}, which the next page starts after; null for the first page. */
    private Object @Nullable [] after(Object @Nullable [] row) {
        if (row == null) {
            return null;
        }
        Object[] position = new Object[orderSlots.length];
        for (int i = 0; i < orderSlots.length; i++) {
            position[i] = position(row[orderSlots[i]], i);
        }
        return position;
    }

    /**
     * A value of term {@code i} as it is bound: converted to its stored type by the property's converter, an enum by
     * name, a value of an untyped column as untyped text (an interval in the text PostgreSQL reads exactly).
     */
    private @Nullable Object position(@Nullable Object value, int i) {
        Object bound = value;
        if (bound != null && !(bound instanceof UntypedText) && !orderProperties[i].codec().isIdentity()) {
            bound = orderProperties[i].codec().toStored().apply(bound);
        }
        if (bound instanceof Enum<?> constant) {
            bound = constant.name();
        }
        if (bound == null || !untyped[i] || bound instanceof UntypedText) {
            return bound;
        }
        return new UntypedText(bound instanceof java.time.Duration || bound instanceof dev.sluice.Interval
                ? ColumnFit.intervalText(bound) : bound instanceof java.net.InetAddress address
                ? InetValue.text(address) : bound.toString());
    }
}
