package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.sluice.Delete;
import dev.sluice.QueryException;
import reactor.core.publisher.Mono;

/** The one implementation of {@link Delete}: immutable, every refinement a new instance. */
final class DefaultDelete<T> implements Delete<T> {

    private final EntityWriter writes;
    private final EntityModel<T> model;
    private final List<Condition> conditions;

    DefaultDelete(EntityWriter writes, EntityModel<T> model, List<Condition> conditions) {
        this.writes = writes;
        this.model = model;
        this.conditions = List.copyOf(conditions);
    }

    @Override
    public Delete<T> where(String condition, Object... args) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(args, "args");
        List<Condition> more = new ArrayList<>(conditions);
        more.add(Condition.ofWrite(condition, args, model.converters()));
        return new DefaultDelete<>(writes, model, more);
    }

    @Override
    public Mono<Long> execute() {
        if (conditions.isEmpty()) {
            throw new QueryException("delete(" + model.name() + ".class).execute(): no where(..), so it would delete "
                    + "every row; add a where(..), or call executeOnAllRows() if every row is meant");
        }
        return executeOnAllRows();
    }

    @Override
    public Mono<Long> executeOnAllRows() {
        return writes.execute(model, writes.sql(model).deleteWhere(conditions));
    }
}
