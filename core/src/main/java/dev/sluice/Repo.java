package dev.sluice;

import java.util.function.Function;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The entry point: queries over entities (Java records mapped to tables) that stream as {@link Flux}es whose
 * demand drives row fetching.
 *
 * <pre>{@code
 * Repo repo = R2dbcRepo.create("r2dbc:postgresql://localhost/test");
 * repo.scan(Picture.class).limitRate(500).subscribe(System.out::println);
 * }</pre>
 *
 * <p>A subscriber that asks for 500 rows makes the database send about 500 rows (plus at most one page ahead),
 * never the whole table. Nothing runs until a returned publisher is subscribed to. Implementations are thread-safe
 * and meant to be shared.
 */
public interface Repo {

    /**
     * Starts a query over all rows of an entity; refine it with {@link Query#where}, {@link Query#orderBy} and
     * {@link Query#limit}, then run it with {@link Query#flux()}, {@link Query#count()} and the like.
     *
     * @throws MappingException if the type is not a mappable record (no {@code @Id}, unsupported component type)
     */
    <T> Query<T> select(Class<T> type);

    /**
     * Streams every row of an entity's table in primary-key order, in keyset pages sized by demand. The same as
     * {@code select(type).flux()}.
     */
    default <T> Flux<T> scan(Class<T> type) {
        return select(type).flux();
    }

    /**
     * Finds one entity by its primary key.
     *
     * @param key the key value; for a composite key, one value per {@code @Id} component in declaration order
     * @return the entity, or an empty {@code Mono} when no row has that key
     * @throws QueryException if the number or types of key values do not fit the entity's {@code @Id} components
     */
    <T> Mono<T> findById(Class<T> type, Object... key);

    /**
     * Loads what a query left out of an entity: deferred columns ({@code "data"}) and relations ({@code "photos"},
     * {@code "photos.tags"}), and returns a new entity with them set; its other components are kept as they are.
     * The entity type needs a single-column key.
     *
     * @return the entity with the named parts loaded; fails with {@link RowCountException} if its row is gone
     * @throws QueryException if a name is neither a deferred component nor a relation path
     */
    <T> Mono<T> load(T entity, String... names);

    /**
     * As {@link #load(Object, String...)} for a stream, in windows of the relation batch size: per window one query
     * for the deferred columns and the keys the relations need, plus one per relation; never one per entity. Order
     * is kept. The names are checked against the first entity's type, so a bad name fails the flux.
     */
    <T> Flux<T> loadAll(Publisher<T> entities, String... names);

    /**
     * Runs any SQL that returns rows ({@code SELECT} or {@code VALUES}, with {@code ?} placeholders) and maps each
     * row onto a record by column name: component {@code takenAt} reads column {@code taken_at} (or its
     * {@code @Column} name). Streams through a server-side cursor in a read-only transaction, with the same demand
     * rules as any query: rows fetched stay within what was requested plus one page. A subscriber that asks for every
     * row at once gets one statement instead, without a transaction, which a cancel stops on the server.
     *
     * <p>The SQL is one statement, run as written: a {@code ;}, a comment ({@code --}, {@code /*}), a parenthesis it
     * does not balance or an unclosed quote is refused, as in {@link Query#where}.
     *
     * @throws QueryException if the placeholders and values do not match, or the SQL holds what is refused above
     * @throws MappingException if the type is not a record of supported component types
     */
    <R> Flux<R> query(Class<R> type, String sql, Object... args);

    /**
     * As {@link #query}, as an immutable {@link SqlQuery}: told a unique order of its result
     * ({@code sql(type, sql, args).keysetBy("taken_at, id")}), the SQL pages by keyset, holding no connection between
     * pages, and gives pages with resume tokens for a REST API; otherwise it streams through a cursor as
     * {@link #query} does. The same checks as {@link #query}, now.
     *
     * @throws QueryException if the placeholders and values do not match, or the SQL holds what {@link #query}
     *                        refuses
     * @throws MappingException if the type is not a record of supported component types
     */
    <R> SqlQuery<R> sql(Class<R> type, String sql, Object... args);

    /**
     * Inserts one entity and returns it as stored: {@code INSERT ... RETURNING} every column, so generated keys and
     * column defaults are filled in. A key component that is null is left to the column's default (its sequence or
     * identity); any other null is written as SQL NULL.
     *
     * @throws MappingException if the entity's type is not a mappable record
     */
    <T> Mono<T> insert(T entity);

    /**
     * Inserts entities in batches, one {@code INSERT ... RETURNING} statement each, and emits them as stored. At most
     * the repository's write batch size (default 500) goes into one statement. A batch goes as
     * {@code INSERT ... SELECT ... FROM unnest($1::text[], $2::bytea[], ...)}, each column's values one array in
     * binary, so one statement of any size is one parse and as many parameters as columns; it goes as a multi-row
     * {@code VALUES (..), (..)} (fewer rows when PostgreSQL's limit of 65535 bind parameters needs it) when a key is
     * null in some of its rows only, when the entity has an array column or a column of a type Sluice does not
     * encode in binary, or on a connection without Sluice's driver extension. The same values are stored either way.
     *
     * <p>The input is requested a batch at a time: at most about two batches are held (one being written, one
     * being gathered), so an endless input is written at the database's pace in bounded memory. Each batch is one
     * statement, atomic by itself; batches are not one transaction: when a batch fails (say on a unique
     * violation), the batches before it stay written, none of the failed batch is, and a {@link WriteException}
     * naming the input rows and the constraint ends the flux. When the input itself fails, the batch already being
     * written is finished and its rows are emitted first (or its own error ends the flux, with the input's attached
     * as suppressed); the rows gathered after it are dropped, unwritten. Either way the rows emitted before the
     * error are exactly the rows written.
     *
     * <p>A cancel (or a {@code timeout}, which cancels) is different: nothing more is emitted, but the statement
     * already sent still runs and commits, so up to one batch may be written without being emitted. For
     * exactly-once, retry with {@link #upsert} (rows written twice are skipped or overwritten), or write inside
     * {@link #inTransaction}, which a cancel rolls back whole. All elements must be of one record type.
     */
    <T> Flux<T> insertAll(Publisher<T> entities);

    /**
     * Starts an {@code INSERT ... ON CONFLICT}: {@code repo.upsert(Picture.class).onConflict("sha1").doNothing()
     * .all(pictures)}.
     *
     * @throws MappingException if the type is not a mappable record
     */
    <T> Upsert<T> upsert(Class<T> type);

    /**
     * Updates every non-key column of the row with the entity's key, and returns the row as stored. A
     * {@link dev.sluice.annotation.Deferred} component that is null is left as stored (it may not have been loaded);
     * to clear such a column, use the set-based {@link #update(Class)}.
     *
     * @return the updated row; fails with {@link RowCountException} ("Expected to update one Picture row with
     *         id=42, but found none") when no row has that key, and with {@link QueryException} when the key is null
     */
    <T> Mono<T> update(T entity);

    /**
     * Deletes the row with the entity's key.
     *
     * @return completes when deleted; fails with {@link RowCountException} when no row has that key, and with
     *         {@link QueryException} when the key is null
     */
    <T> Mono<Void> delete(T entity);

    /**
     * Updates many entities by key, in batches of {@code writeBatchSize} rows, one statement each
     * ({@code UPDATE ... FROM (VALUES ...)}), and emits the rows as updated. Every non-key column is set, but a
     * {@link dev.sluice.annotation.Deferred} component that is null keeps its stored value; a
     * {@link dev.sluice.annotation.Version} must match and is incremented. Input is requested a batch at a time.
     * Each batch's statement is atomic as to database errors ({@link WriteException}, naming the input rows of the
     * refused statement); the whole stream is atomic only inside {@link #inTransaction}.
     *
     * @return the updated rows; after a batch's rows, fails with {@link RowCountException} naming the first input
     *         row whose row was not found (its batch's other rows were updated), or {@link OptimisticLockException}
     *         when that row holds another version
     */
    <T> Flux<T> updateAll(Publisher<T> entities);

    /**
     * Deletes many entities by key (and {@link dev.sluice.annotation.Version}), in batches of {@code writeBatchSize}
     * rows, one statement each ({@code DELETE ... USING (VALUES ...)}).
     *
     * @return the number of rows deleted; fails as {@link #updateAll} does when an input row's row is not found
     */
    <T> Mono<Long> deleteAll(Publisher<T> entities);

    /**
     * Starts a set-based update: {@code repo.update(Picture.class).set("name = ?", x).where("id < ?", 5).execute()}.
     *
     * @throws MappingException if the type is not a mappable record
     */
    <T> Update<T> update(Class<T> type);

    /**
     * Starts a set-based delete: {@code repo.delete(Picture.class).where("id < ?", 5).execute()}.
     *
     * @throws MappingException if the type is not a mappable record
     */
    <T> Delete<T> delete(Class<T> type);

    /**
     * Copies entities into their table with PostgreSQL's binary {@code COPY ... FROM STDIN}: the fastest way to load
     * many rows. Nothing is returned but the count: no generated keys, no {@code ON CONFLICT}. Key components are
     * copied when the first entity's key is set and left to their defaults (sequence, identity) when it is null;
     * every entity must then follow the first. One statement: all rows or none. A cancel before the input has ended
     * aborts it and writes nothing; a cancel that comes after the driver has taken the last row cannot stop it: the
     * COPY ends on the server as if not cancelled (all rows written, or none if it fails), and the cancelled
     * {@code Mono} reports neither. The input is requested in batches of the write batch size as the driver sends
     * them; the driver keeps a bounded number of batches ahead (r2dbc-postgresql: up to 32).
     *
     * @return the number of rows copied
     * @throws MappingException if the type is not a mappable record
     */
    <T> Mono<Long> copyIn(Class<T> type, Publisher<T> rows);

    /**
     * Runs {@code work} in one transaction on one connection, at the database's default isolation. The repository
     * handed to {@code work} runs all its statements on that connection, so its queries see the transaction's own
     * writes, and keyset scans page on it one page after another. Commits when the publisher {@code work} returns
     * completes; rolls back when it fails or when the returned flux is cancelled. Nothing runs until the returned
     * flux is subscribed to.
     *
     * <p>Run the statements of one transaction one after another ({@code then}, {@code concatMap}), not in parallel
     * ({@code flatMap}, {@code zip}): they share one connection. Inside, {@code inTransaction} joins the
     * transaction that is already open.
     */
    <R> Flux<R> inTransaction(Function<Repo, ? extends Publisher<R>> work);

    /** As {@link #inTransaction(Function)}, at the given isolation level. */
    <R> Flux<R> inTransaction(Isolation isolation, Function<Repo, ? extends Publisher<R>> work);
}
