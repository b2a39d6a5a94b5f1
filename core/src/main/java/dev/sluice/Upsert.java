package dev.sluice;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An immutable {@code INSERT ... ON CONFLICT} of one entity type. Name the conflict columns and the action, then
 * write:
 *
 * <pre>{@code
 * repo.upsert(Picture.class).onConflict("sha1").doNothing().all(pictures);   // skip pictures already stored
 * repo.upsert(Picture.class).onConflict("sha1").doUpdate().one(picture);     // or overwrite them
 * }</pre>
 *
 * <p>Rows are written in batches exactly as {@link Repo#insertAll} writes them; each batch is one statement and
 * atomic by itself. Two rows of one batch that conflict with each other fail the batch under {@code doUpdate()}
 * (PostgreSQL: "ON CONFLICT DO UPDATE command cannot affect row a second time").
 *
 * @param <T> the entity type
 */
public interface Upsert<T> {

    /**
     * The columns (or component names) of the unique constraint or index that decides a conflict:
     * {@code ON CONFLICT (sha1)}. Required.
     *
     * @throws QueryException if a name is not a column of the entity, or none is given
     */
    Upsert<T> onConflict(String... columns);

    /** On conflict, keep the stored row: {@code DO NOTHING}. Skipped rows are not emitted. */
    Upsert<T> doNothing();

    /**
     * On conflict, overwrite the stored row: {@code DO UPDATE SET c = EXCLUDED.c} for every column that is neither
     * part of the key nor a conflict column. The stored row is emitted.
     *
     * <p>For an entity with a {@code @Version}, the version is checked as {@link Repo#update} checks it: a new row is
     * inserted with the version given (give a new entity 0); a stored row is updated only when it holds the version
     * given, and its version becomes that plus one. A stored row holding another version is left as it is, and the
     * write fails with an {@link OptimisticLockException} naming the entity and its conflict columns' values (in
     * {@link #all}, after the rows of the statements before, as {@link Repo#updateAll} does). A null version is
     * refused.
     *
     * @throws QueryException if there is no such column
     */
    Upsert<T> doUpdate();

    /**
     * Writes one entity.
     *
     * @return the row as stored (generated key filled); empty under {@link #doNothing()} when the row conflicted
     * @throws QueryException if {@link #onConflict} or the action ({@link #doNothing()}/{@link #doUpdate()}) is
     *                        missing
     */
    Mono<T> one(T entity);

    /**
     * Writes entities in batches, requesting only what it can write. What is emitted when the input fails or the
     * subscriber cancels is as for {@link Repo#insertAll}: after a failing input, the rows emitted are exactly the
     * rows written; after a cancel, the batch in flight may still be written, which an upsert retried over the same
     * input absorbs.
     *
     * @return the rows as stored, in input order within each batch; under {@link #doNothing()} only the rows
     *         actually inserted, so fewer rows than given when some conflicted
     * @throws QueryException if {@link #onConflict} or the action is missing
     */
    Flux<T> all(Publisher<T> entities);
}
