package dev.sluice.internal;

import java.util.function.Function;

/**
 * What one query of entities fetches, and how: a plan (columns and relations), its statements, how a read row
 * becomes a result, the row limit, and the strategy that pages it.
 *
 * @param plan     the columns and relations to read
 * @param sql      the query's statements (pages, the whole ordered query)
 * @param finish   builds a result (the entity or a projection) from a row's arguments, relations set
 * @param limit    the most rows, {@code Long.MAX_VALUE} for no limit
 * @param strategy how the rows are paged
 */
record EntityFetch<T>(LoadPlan<?> plan, SelectSql sql, Function<Object[], T> finish, long limit,
                      FetchStrategy strategy) {
}
