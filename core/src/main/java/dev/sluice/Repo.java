package dev.sluice;

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
}
