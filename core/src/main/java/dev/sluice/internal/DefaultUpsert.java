package dev.sluice.internal;

import java.util.List;
import java.util.Objects;

import dev.sluice.QueryException;
import dev.sluice.Upsert;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The one implementation of {@link Upsert}: immutable, names validated as they are given. */
final class DefaultUpsert<T> implements Upsert<T> {

    private final EntityWriter writes;
    private final EntityModel<T> model;
    private final List<String> target;
    private final @Nullable Boolean update;

    DefaultUpsert(EntityWriter writes, EntityModel<T> model, List<String> target, @Nullable Boolean update) {
        this.writes = writes;
        this.model = model;
        this.target = List.copyOf(target);
        this.update = update;
    }

    @Override
    public Upsert<T> onConflict(String... columns) {
        Objects.requireNonNull(columns, "columns");
        List<String> names = List.of(columns);
        sql().conflict(names, false);
        return new DefaultUpsert<>(writes, model, names, update);
    }

    @Override
    public Upsert<T> doNothing() {
        return new DefaultUpsert<>(writes, model, target, false);
    }

    @Override
    public Upsert<T> doUpdate() {
        if (!target.isEmpty()) {
            sql().conflict(target, true);
        }
        return new DefaultUpsert<>(writes, model, target, true);
    }

    @Override
    public Mono<T> one(T entity) {
        Objects.requireNonNull(entity, "entity");
        return writes.upsertOne(model, entity, conflict("one"));
    }

    @Override
    public Flux<T> all(Publisher<T> entities) {
        Objects.requireNonNull(entities, "entities");
        return writes.batches(model, entities, conflict("all"));
    }

    private WriteSql<T> sql() {
        return writes.sql(model);
    }

    private WriteSql.Conflict conflict(String method) {
        String what = "upsert(" + model.name() + ".class)";
        if (target.isEmpty()) {
            throw new QueryException(what + "." + method + "(..): no conflict columns; add .onConflict(\"column\") "
                    + "naming a unique constraint's columns");
        }
        if (update == null) {
            throw new QueryException(what + "." + method + "(..): no conflict action; add .doNothing() or "
                    + ".doUpdate()");
        }
        return sql().conflict(target, update);
    }
}
