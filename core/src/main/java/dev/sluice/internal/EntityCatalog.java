package dev.sluice.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

import dev.sluice.spi.Executor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Loggers;

/**
 * What a repository knows of its entities' tables, learnt once per entity and shared by its transactions: each
 * entity's table as the database describes it, checked against the entity at first use ({@link TableCheck}), and
 * each entity's row mapper. Thread-safe.
 */
final class EntityCatalog {

    private final PostgresDialect dialect;
    private final ConcurrentMap<Class<?>, Mono<Map<String, TableCheck.ColumnInfo>>> columns = new ConcurrentHashMap<>();
    private final ConcurrentMap<Class<?>, Map<String, TableCheck.ColumnInfo>> known = new ConcurrentHashMap<>();
    private final ConcurrentMap<Class<?>, EntityMapper<?>> mappers = new ConcurrentHashMap<>();
    /** The keyset orders of each entity already looked at for an index: each is advised on once. */
    private final Set<String> advisedOrders = ConcurrentHashMap.newKeySet();

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
                .doOnNext(byName -> known.put(type, byName))
                .cache());
    }

    /** The entity's table's columns by name once {@link #columns} has described them; empty before. */
    Map<String, TableCheck.ColumnInfo> known(EntityModel<?> model) {
        return known.getOrDefault(model.type(), Map.of());
    }

    /**
     * At the first keyset stream of an entity in {@code order}, warns when no index serves that order: when its
     * first column leads no valid, non-partial btree index of the table. Without one every page sorts all the rows
     * that match, so a scan does quadratic work. Once per entity and order; never for a view, which has no indexes.
     */
    void adviseOnIndex(EntityModel<?> model, OrderBy order, Map<String, TableCheck.ColumnInfo> columns) {
        if (columns.isEmpty() || !advisedOrders.add(model.type().getName() + "|" + order.sql(dialect))) {
            return;
        }
        TableCheck.ColumnInfo first = columns.get(order.terms().get(0).property().column());
        if (first == null || first.leadsIndex() || !List.of("r", "p", "m").contains(first.kind())) {
            return;
        }
        Loggers.getLogger(EntityCatalog.class).warn("No index serves the keyset order of " + model.name() + " ("
                + order.sql(dialect) + "): no index of " + model.table() + " starts with " + first.name()
                + ", so every page sorts all the rows that match and a scan does quadratic work. Create one: "
                + CatalogSql.suggestedIndex(dialect, model.table(), order));
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
