package dev.sluice;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Custom SQL whose rows map onto a record ({@link Repo#sql}), immutable. As it is, it streams through a server-side
 * cursor, as {@link Repo#query} does. Told a unique order of its result with {@link #keysetBy}, it pages by keyset
 * instead, holding no connection and no transaction between pages:
 *
 * <pre>{@code
 * repo.sql(PhotoRow.class, "SELECT p.id, p.taken_at, a.title FROM photo p JOIN album a ON a.id = p.album_id"
 *         + " WHERE a.public").keysetBy("taken_at, id").flux();
 * }</pre>
 *
 * Each page runs {@code SELECT * FROM (your SQL) AS sluice_rows WHERE (taken_at, id) > ($n, $m) ORDER BY taken_at, id
 * LIMIT $k} (PostgreSQL pushes the condition into a simple query, so an index on the order can serve it).
 *
 * @param <R> the record rows become
 */
public interface SqlQuery<R> {

    /**
     * Pages the SQL by keyset on {@code order}: comma-separated result column names, each optionally followed by
     * {@code asc} or {@code desc}, e.g. {@code "taken_at desc, id desc"}. The columns must be columns of the result
     * that the record maps (a component, by its column name), and together unique in the result: Sluice cannot
     * check that, and rows with equal values would be skipped at a page's edge. A column may hold NULL unless its
     * component is primitive; NULLs sort as PostgreSQL sorts them (last ascending, first descending). The SQL's own
     * {@code ORDER BY}, if any, is overridden by this one.
     *
     * @throws QueryException if a name is not a column the record maps, appears twice, or a direction is not
     *                        asc/desc
     */
    SqlQuery<R> keysetBy(String order);

    /**
     * Continues after {@code row}, a row of this SQL: the rows that follow it in the {@link #keysetBy} order (only
     * the row's values of the order's columns count). Call {@link #keysetBy} first.
     *
     * @throws QueryException if there is no keyset order yet
     */
    SqlQuery<R> after(R row);

    /**
     * Streams the rows, as the subscriber demands them: by keyset pages after {@link #keysetBy}, through a cursor
     * otherwise.
     */
    Flux<R> flux();

    /**
     * One page of at most {@code size} rows after the position {@code token} holds (from the start when null), and
     * the token of the next page, null after the last; as {@link Query#page}. A token is bound to the SQL, its values
     * and the keyset order.
     *
     * @throws QueryException if there is no {@link #keysetBy} order, {@code size} is less than 1, or the token was
     *                        refused (made by another query or repository, or altered)
     */
    Mono<KeysetPage<R>> page(int size, @Nullable String token);
}
