package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.sluice.QueryException;
import dev.sluice.Update;
import reactor.core.publisher.Mono;

/** The one implementation of {@link Update}: immutable, every refinement a new instance. */
final class DefaultUpdate<T> implements Update<T> {

    private final EntityWriter writes;
    private final EntityModel<T> model;
    private final List<WriteSql.Assignment> assignments;
    private final List<Condition> conditions;

    DefaultUpdate(EntityWriter writes, EntityModel<T> model, List<WriteSql.Assignment> assignments,
                  List<Condition> conditions) {
        this.writes = writes;
        this.model = model;
        this.assignments = List.copyOf(assignments);
        this.conditions = List.copyOf(conditions);
    }

    @Override
    public Update<T> set(String assignment, Object... args) {
        Objects.requireNonNull(assignment, "assignment");
        Objects.requireNonNull(args, "args");
        List<WriteSql.Assignment> more = new ArrayList<>(assignments);
        more.addAll(writes.sql(model).assignments(assignment, args));
        return new DefaultUpdate<>(writes, model, more, conditions);
    }

    @Override
    public Update<T> where(String condition, Object... args) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(args, "args");
        List<Condition> more = new ArrayList<>(conditions);
        more.add(Condition.ofWrite(condition, args, model.converters()));
        return new DefaultUpdate<>(writes, model, assignments, more);
    }

    @Override
    public Mono<Long> execute() {
        if (conditions.isEmpty()) {
            throw new QueryException(what() + ".execute(): no where(..), so it would update every row; add a "
                    + "where(..), or call executeOnAllRows() if every row is meant");
        }
        return executeOnAllRows();
    }

    @Override
    public Mono<Long> executeOnAllRows() {
        if (assignments.isEmpty()) {
            throw new QueryException(what() + ": nothing to set; add set(\"column = ?\", value)");
        }
        return writes.updateWhere(model, assignments, conditions);
    }

    private String what() {
        return "update(" + model.name() + ".class)";
    }
}
