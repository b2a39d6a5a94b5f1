package dev.sluice.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

import dev.sluice.spi.Executor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a repository knows of its entities' tables, learnt once per entity and shared by its transactions: each
 * entity's table as the database describes it, checked against the entity at first use ({@link TableCheck}), and
 * each entity's row mapper. Thread-safe.
 */
final class EntityCatalog {

    private final PostgresDialect dialect;
    private final ConcurrentMap<Class<?>, Mono<Map<String, TableCheck.ColumnInfo>>> columns = new ConcurrentHashMap<>();
    private final ConcurrentMap<Class<?>, EntityMapper<?>> mappers = new ConcurrentHashMap<>();

    EntityCatalog(PostgresDialect dialect) {
        this.dialect = dialect;
    }

    /**
     * The entity's table's columns by name, once checked against the entity: its columns, and that its key is unique
     * and never NULL (unless the entity declares it so). Described once, through {@code executor} (a transaction's,
     * when first used in one); a failed description or check is tried again on next use.
     */
    Mono<Map<String, TableCheck.ColumnInfo>> columns(EntityModel<?> model, Executor executor) {
        return columns.computeIfAbsent(model.type(), type -> executor
                .query(CatalogSql.describeTable(dialect, model.table()), TableCheck.ColumnInfo::read)
                .collectList()
                .doOnNext(described -> {
                    TableCheck.check(model, described);
                    if (!model.keyDeclaredUnique()) {
                        TableCheck.checkKey(model, described);
                    }
                })
                .doOnError(e -> columns.remove(type))
                .map(described -> described.stream().collect(Collectors.toUnmodifiableMap(
                        TableCheck.ColumnInfo::name, c -> c, (a, b) -> a)))
                .cache());
    }

    /** Checks every entity a plan reads, each once. */
    Mono<Void> checked(LoadPlan<?> plan, Executor executor) {
        return Flux.fromIterable(plan.models()).concatMap(model -> columns(model, executor)).then();
    }

    /** The mapper of the entity's whole rows, as {@code INSERT ... RETURNING} gives them. */
    @SuppressWarnings("unchecked")
    <T> EntityMapper<T> mapper(EntityModel<T> model) {
        return (EntityMapper<T>) mappers.computeIfAbsent(model.type(),
                t -> new EntityMapper<>(model, model.properties()));
    }
}
