package dev.sluice.internal;

import dev.sluice.spi.Observer;
import reactor.core.publisher.Flux;

/**
 * How a query's rows are paged, chosen once per query ({@link #of}).
 */
enum FetchStrategy {

    /**
     * Keyset pages: {@code WHERE (taken_at, id) > ($1, $2) ORDER BY taken_at, id LIMIT $3}, each page on a
     * connection of its own, none held between pages ({@link KeysetPages}). For any order of an entity's columns,
     * made unique with its key ({@link OrderBy#unique}). Each page sees the rows committed when it starts.
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
     * ({@link CursorPages}). For a query that asks for one consistent snapshot ({@code inOneSnapshot()}).
     */
    CURSOR {
        @Override
        <T> Flux<T> stream(Fetcher fetcher, EntityFetch<T> fetch) {
            return CursorPages.entities(fetcher, fetch);
        }
    };

    /** The strategy as an {@link Observer} is told of it. */
    Observer.Strategy observed() {
        return this == KEYSET ? Observer.Strategy.KEYSET : Observer.Strategy.CURSOR;
    }

    /** Streams the rows of {@code fetch}, whose entities are already checked against their tables. */
    abstract <T> Flux<T> stream(Fetcher fetcher, EntityFetch<T> fetch);

    /** Keyset pages, unless the query asks for one consistent snapshot, which a cursor gives. */
    static FetchStrategy of(boolean oneSnapshot) {
        return oneSnapshot ? CURSOR : KEYSET;
    }
}
