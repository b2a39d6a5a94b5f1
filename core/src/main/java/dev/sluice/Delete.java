package dev.sluice;

import reactor.core.publisher.Mono;

/**
 * An immutable set-based {@code DELETE} from one entity's table:
 *
 * <pre>{@code
 * repo.delete(Picture.class).where("taken_at < ?", cutoff).execute();
 * }</pre>
 *
 * <p>{@link #execute()} insists on a condition, so that no forgotten {@code where} empties the table; say
 * {@link #executeOnAllRows()} when that is meant.
 *
 * @param <T> the entity type
 */
public interface Delete<T> {

    /**
     * Adds a condition, as {@link Query#where}; several are combined with {@code AND}. An empty condition is
     * refused, so {@link #execute()} never runs without one.
     *
     * @throws QueryException as {@link Query#where} does
     */
    Delete<T> where(String condition, Object... args);

    /**
     * Runs the delete.
     *
     * @return the number of rows deleted
     * @throws QueryException if there is no {@link #where}
     */
    Mono<Long> execute();

    /**
     * Deletes every row the conditions match, or every row of the table when there is none.
     *
     * @return the number of rows deleted
     */
    Mono<Long> executeOnAllRows();
}
