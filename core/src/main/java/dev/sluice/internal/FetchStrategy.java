package dev.sluice.internal;

import reactor.core.publisher.Flux;

/**
 * How a query's rows are paged, chosen once per query from its order ({@link #forOrder}).
 */
enum FetchStrategy {

    /**
     * Keyset pages: {@code WHERE (key) > ($last) ORDER BY key LIMIT $n}, each page on a connection of its own, none
     * held between pages ({@link KeysetPages}). For an order by the entity's unique key.
     */
    KEYSET {
        @Override
        <T> Flux<T> stream(Fetcher fetcher, EntityFetch<T> fetch) {
            return KeysetPages.stream(fetcher, fetch);
        }
    },

    /**
     * A server-side cursor in a read-only transaction, one {@code FETCH} per page, holding one connection until the
     * stream ends; or, when the subscriber asks for every row at once, the query as one statement
     * ({@link CursorPages}). For any other order.
     */
    CURSOR {
        @Override
        <T> Flux<T> stream(Fetcher fetcher, EntityFetch<T> fetch) {
            return CursorPages.entities(fetcher, fetch);
        }
    };

    /** Streams the rows of {@code fetch}, whose entities are already checked against their tables. */
    abstract <T> Flux<T> stream(Fetcher fetcher, EntityFetch<T> fetch);

    /** Keyset when the order is the entity's key (either direction), else a cursor. */
    static FetchStrategy forOrder(OrderBy order, EntityModel<?> model) {
        return order.isKeyset(model) ? KEYSET : CURSOR;
    }
}
