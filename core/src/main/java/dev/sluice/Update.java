package dev.sluice;

import reactor.core.publisher.Mono;

/**
 * An immutable set-based {@code UPDATE} of one entity's table:
 *
 * <pre>{@code
 * repo.update(Picture.class).set("name = ?", "untitled").where("name is null").execute();
 * }</pre>
 *
 * <p>{@link #execute()} insists on a condition, so that no forgotten {@code where} updates every row; say
 * {@link #executeOnAllRows()} when that is meant.
 *
 * @param <T> the entity type
 */
public interface Update<T> {

    /**
     * Adds an assignment, SQL with {@code ?} placeholders: {@code set("size_bytes = size_bytes + ?", 10)}. Several
     * calls are joined with commas, and one call may hold several assignments separated by commas. Values are bound,
     * never spliced in; {@code null} is rejected: write {@code set("name = null")}.
     *
     * <p>Each assignment is {@code column = value}: the column (or component) is checked against the entity, and the
     * value sits in parentheses of its own, so nothing in it reaches beyond its assignment; it is refused, as in
     * {@link Query#where}, when it holds a comment, a {@code ;} or parentheses it does not balance.
     *
     * @throws QueryException if the placeholders and values differ in number, a value is null, a column is not the
     *                        entity's, or the assignment holds what could change the statement around it
     */
    Update<T> set(String assignment, Object... args);

    /**
     * Adds a condition, as {@link Query#where}; several are combined with {@code AND}. An empty condition is
     * refused, so {@link #execute()} never runs without one.
     *
     * @throws QueryException as {@link Query#where} does
     */
    Update<T> where(String condition, Object... args);

    /**
     * Runs the update.
     *
     * @return the number of rows updated
     * @throws QueryException if there is no {@link #set} or no {@link #where}
     */
    Mono<Long> execute();

    /**
     * Runs the update on every row the conditions match, or on every row of the table when there is none.
     *
     * @return the number of rows updated
     * @throws QueryException if there is no {@link #set}
     */
    Mono<Long> executeOnAllRows();
}
