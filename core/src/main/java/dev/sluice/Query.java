package dev.sluice;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An immutable query over one entity. Each refining method returns a new query; building a query runs nothing,
 * only subscribing to what {@link #flux()}, {@link #count()}, {@link #one()} or {@link #findOne()} return does.
 *
 * <h2>How rows are fetched</h2>
 * A query runs as keyset pages in its order, made unique with the key ({@link #orderBy}):
 * {@code WHERE (taken_at, id) > (last) ORDER BY taken_at, id LIMIT n}, where {@code n} follows the subscriber's
 * outstanding demand between the repository's minimum and maximum page sizes (beyond the maximum only for rows
 * already requested). No connection and no transaction is held between pages. {@link #inOneSnapshot()} streams
 * through a server-side cursor instead ({@code DECLARE ... CURSOR}, {@code FETCH n} per demand) in a read-only
 * transaction that holds one connection until the stream ends; a subscriber that asks for every row at once
 * ({@code request(Long.MAX_VALUE)}) gets one statement instead, without a transaction. In both modes the database
 * sends at most the rows requested plus one page, and a cancel stops database work after the page in flight (a
 * keyset page still running 100 ms after the cancel, a page beyond the maximum at once, or the one statement, is
 * cancelled on the server). For a REST API, {@link #page} hands out pages with a token for the next.
 *
 * @param <T> the entity type
 */
public interface Query<T> {

    /**
     * Adds a condition, SQL with {@code ?} placeholders: {@code where("taken_at >= ? and size_bytes > ?", since, 1024)}.
     * Values are always bound as parameters, never spliced into the SQL. Several calls are combined with
     * {@code AND}. Write {@code ??} for a literal question mark (the jsonb {@code ?} operator).
     *
     * <p>A value may be any type the driver binds; a {@link java.util.Collection} or primitive array is bound as a
     * typed array, for {@code id = any(?)}. {@code null} is rejected: SQL {@code = NULL} matches nothing; write
     * {@code column is null} instead.
     *
     * <p>The condition sits in parentheses of its own, and nothing in it can reach beyond them: a comment
     * ({@code --}, {@code /*}), a {@code ;}, a parenthesis it does not balance, an unclosed quote or a dollar-quoted
     * string outside quotes is refused, with a message that says where.
     *
     * @throws QueryException if the number of placeholders differs from the number of values, a value is null, the
     *                        condition is empty, or it holds what could change the statement around it
     */
    Query<T> where(String condition, Object... args);

    /**
     * Sets the order: comma-separated column (or component) names, each optionally followed by {@code asc} or
     * {@code desc}, e.g. {@code "taken_at desc, id"}. Names are checked against the entity, so no SQL can be
     * injected here. Defaults to the primary key, ascending.
     *
     * <p>Any order pages by keyset: Sluice appends the key's columns (those not named) as a tie-breaker, in the
     * direction of the last term, and each page starts after the last row's values, so no connection is held between
     * pages. An index on the order's columns (e.g. {@code (taken_at)} or {@code (taken_at, id)}) lets each page start
     * where the last ended; without one every page sorts. NULLs sort as PostgreSQL sorts them (last ascending, first
     * descending). For one consistent snapshot instead, see {@link #inOneSnapshot()}.
     *
     * @throws QueryException if a name is not a column of the entity or a direction is not asc/desc
     */
    Query<T> orderBy(String order);

    /**
     * Returns at most {@code maxRows} rows.
     *
     * @throws QueryException if {@code maxRows} is negative
     */
    Query<T> limit(long maxRows);

    /**
     * Reads the rows from one consistent snapshot of the database: through a server-side cursor in a read-only
     * transaction that holds one connection until the stream ends (or, when every row is asked for at once, as one
     * statement). Choose it when a stream must not see rows that other transactions commit while it runs; the
     * default, keyset pages, holds nothing between pages, and each page sees the rows committed when it starts:
     * a row inserted behind the position is not seen, one inserted ahead is, a deleted row ahead is not, and a row
     * whose order columns change may be seen twice or not at all.
     */
    Query<T> inOneSnapshot();

    /**
     * Continues the query after {@code row}, a row it returned: the rows that follow it in the query's order (made
     * unique with the key, as {@link #orderBy} says), as if the stream had gone on. Every terminal operation holds it
     * ({@link #flux}, {@link #count}, {@link #findById}, {@link #page}). Only the row's values of the order's columns
     * count, so a row read earlier (and since changed or deleted) is still a place to continue from. Call
     * {@link #orderBy} first: the position holds values of the order it was given in.
     *
     * @throws QueryException if the row is not of the query's type, or a projection lacks one of the order's
     *                        columns (then use {@link #afterValues})
     */
    Query<T> after(T row);

    /**
     * As {@link #after}, from the values of the order's columns: one per term of the order made unique, the key's
     * last, e.g. {@code orderBy("taken_at").afterValues(takenAt, id)}. An enum column takes its constant or its name.
     *
     * @throws QueryException if the number of values differs from the order's terms, a value's type is not its
     *                        column's, or a value is null where the column never holds NULL
     */
    Query<T> afterValues(Object... values);

    /**
     * One page of at most {@code size} rows, for a REST API: the rows after the position {@code token} holds (from
     * the start when null), and the token of the next page, null after the last page. The page reads
     * {@code size + 1} rows by keyset (the extra row only tells whether another page follows): one statement
     * ({@code ... LIMIT size + 1}) unless that is more than the repository's largest page, or relation windows
     * split it; nothing is held between pages. A token is bound to the query: made by this repository for a query of the same entity, with
     * the same conditions (and values) and order; with relations, projections and timeouts free to differ.
     * Tokens are signed (HMAC-SHA256) with the repository's key: a random one unless configured (the R2DBC
     * builder's {@code resumeTokenKey}, Spring Boot's {@code sluice.resume-token-key}), which instances of a service
     * share so that tokens survive restarts.
     *
     * <pre>{@code
     * KeysetPage<Picture> page = repo.select(Picture.class).orderBy("taken_at").page(100, token).block();
     * page.rows();  // 100 rows at most
     * page.next();  // the token of the next page, or null
     * }</pre>
     *
     * @throws QueryException if {@code size} is less than 1, the query has a {@link #limit} or starts
     *                        {@link #after} a row while a token is given, or the token was refused: made by another
     *                        query or repository, or altered (never SQL: nothing runs)
     */
    Mono<KeysetPage<T>> page(int size, @Nullable String token);

    /**
     * Reads on the primary server even when the repository has read replicas: to read your own writes, which a
     * replica may not have replayed yet. Without replicas it changes nothing. Reads inside a transaction always run
     * on the primary, in the transaction.
     */
    Query<T> onPrimary();

    /**
     * Also loads the named relations, as a second batched query per window of rows:
     * {@code with("photos", "photos.tags")}. For each window of parents (at most the repository's relation batch
     * size, default 500) one query per relation fetches all their related rows ({@code ... = ANY($1)}), which are
     * grouped by key and set onto the parents in order; nested paths repeat this one level down. No N+1 queries,
     * no JOIN row explosion, and back-pressure holds: a window's related rows are fetched when the window is.
     * Relations not named stay {@code null}.
     *
     * @throws QueryException if a path names no relation (the message lists those that exist)
     */
    Query<T> with(String... paths);

    /**
     * Also selects the named {@link dev.sluice.annotation.Deferred} components, which queries leave out otherwise.
     *
     * @throws QueryException if a name is not a deferred component
     */
    Query<T> undefer(String... components);

    /**
     * The same query, returning a smaller record: its components must be some of the entity's column components
     * (same names and types), and only their columns are selected. {@code where} and {@code orderBy} still speak of
     * the entity's columns.
     *
     * @throws MappingException if the record does not fit the entity
     * @throws QueryException if the query loads relations ({@link #with}), which a projection cannot hold
     */
    <R> Query<R> as(Class<R> projection);

    /**
     * Bounds every statement this query runs (each keyset page, cursor {@code FETCH}, the one whole statement, each
     * relation window, {@link #findById}, {@link #count}) to {@code timeout}, counted from when the statement starts
     * on its connection. A statement that runs longer is cancelled on the server (a PostgreSQL CancelRequest), and
     * once it has ended there the query fails with a {@link QueryTimeoutException} naming the statement and the
     * timeout; its connection goes back to the pool only when no cancel can reach its next statement. Inside a
     * transaction the cancel aborts that transaction, which can then only roll back; the error says so. The last
     * {@code timeout} given counts. Needs an adapter that can stop statements (the R2DBC one on r2dbc-postgresql);
     * elsewhere statements run to their end.
     *
     * @throws QueryException if {@code timeout} is zero or negative
     */
    Query<T> timeout(Duration timeout);

    /**
     * Finds the row with the given key among the rows this query matches, loading what the query loads: every
     * {@link #where} condition holds for it, and with a {@link #limit} it must be among the first rows in the
     * query's order. {@code repo.select(Item.class).where("owner = ?", "alice").findById(1L)} is empty when item 1
     * is not alice's.
     *
     * @return the row, or empty
     * @throws QueryException if the key values do not fit the entity's {@code @Id} components
     */
    Mono<T> findById(Object... key);

    /** Streams the matching rows, fetched in pages as the subscriber demands them. */
    Flux<T> flux();

    /** Counts the matching rows ({@code SELECT count(*)}), honouring {@link #limit}. */
    Mono<Long> count();

    /**
     * Emits the single matching row.
     *
     * @return a {@code Mono} that fails with {@link RowCountException} when there is no row or more than one
     */
    Mono<T> one();

    /**
     * Emits the matching row if there is one, completes empty if there is none.
     *
     * @return a {@code Mono} that fails with {@link RowCountException} when there is more than one row
     */
    Mono<T> findOne();

    /**
     * Splits this query on the entity's key into {@code n} disjoint partitions whose union is its rows, ranges of
     * about equal row counts: {@code key >= lower AND key < upper} (a row comparison for a composite key), the first
     * open below and the last above. Each partition's query is an ordinary query with this query's conditions,
     * order, relations and timeout, paged by keyset with its own demand; each has a URL-safe {@link Partition#token()}
     * that a worker in another process turns into the same query with {@link #partition(String)}.
     *
     * <p>The boundaries are computed once, here: from the histogram PostgreSQL keeps of a single-column key
     * ({@code pg_stats.histogram_bounds}, fresh after {@code ANALYZE}), else (a composite key, no statistics) from a
     * {@code TABLESAMPLE} sample of about 10,000 keys of the matching rows, never from the key's minimum and
     * maximum alone. Hand the tokens out; do not split again per worker, since statistics change (an
     * {@code ANALYZE} in between) and two splits would lose or repeat rows between them. Rows inserted after the
     * split belong to exactly one partition by their key. When the table has fewer distinct keys than partitions,
     * some partitions are empty.
     *
     * @param n how many partitions, 1 or more
     * @return the partitions, in key order
     * @throws QueryException if {@code n} is less than 1, or the query has a {@link #limit}, which each partition
     *                        would apply on its own
     */
    Mono<List<Partition<T>>> partitions(int n);

    /**
     * This query, restricted to the key range of a partition {@link #partitions(int)} made, given by its token: how a
     * worker in another process reads its share. Build the same query as the one that was split (its conditions,
     * relations, order), then call this; the token carries the key range only.
     *
     * @throws QueryException if the token was not made by {@link #partitions(int)}, was changed or cut short, or is of
     *                        another entity's table or key
     */
    Query<T> partition(String token);

    /**
     * Streams this query's rows from {@code n} partitions at once ({@link #partitions(int)}), merged as they arrive,
     * in no particular order. Each partition pages on its own connections with its own demand (a bounded prefetch
     * of rows), so give the pool at least {@code n} connections. Worth it where the database has cores to spare and
     * one stream is bound by the server's per-statement work; on a small server one scan is as fast.
     *
     * @throws QueryException as {@link #partitions(int)}
     */
    Flux<T> parallel(int n);
}
