package dev.sluice;

import java.util.Objects;

/**
 * One of the disjoint key ranges {@link Query#partitions(int)} splits a query into: its query, an ordinary query
 * (keyset pages, relations, its own demand), and the same range as a URL-safe token for a worker in another process,
 * which turns it back into the query with {@link Query#partition(String)}.
 *
 * @param index the partition's place in the split, from 0, in key order
 * @param count how many partitions the split has
 * @param token the partition's key range as a URL-safe string (letters, digits, {@code -} and {@code _})
 * @param query the query's rows whose key lies in this partition's range
 * @param <T>   what the rows become
 */
public record Partition<T>(int index, int count, String token, Query<T> query) {

    public Partition {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(query, "query");
    }
}
