package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.sluice.QueryException;
import dev.sluice.Update;
import reactor.core.publisher.Mono;

/** The one implementation of {@link Update}: immutable, every refinement a new instance. */
final class DefaultUpdate<T> implements Update<T> {

    private final Writes writes;
    private final EntityModel<T> model;
    private final List<Condition> assignments;
    private final List<Condition> conditions;

    DefaultUpdate(Writes writes, EntityModel<T> model, List<Condition> assignments, List<Condition> conditions) {
        this.writes = writes;
        this.model = model;
        this.assignments = List.copyOf(assignments);
        this.conditions = List.copyOf(conditions);
    }

    @Override
    public Update<T> set(String assignment, Object... args) {
        Objects.requireNonNull(assignment, "assignment");
        Objects.requireNonNull(args, "args");
        List<Condition> more = new ArrayList<>(assignments);
        more.add(assignment(assignment, args));
        return new DefaultUpdate<>(writes, model, more, conditions);
    }

    @Override
    public Update<T> where(String condition, Object... args) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(args, "args");
        List<Condition> more = new ArrayList<>(conditions);
        more.add(Condition.of(condition, args));
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

    private static Condition assignment(String sql, Object[] args) {
        String what = "set(\"" + sql + "\")";
        if (sql.isBlank()) {
            throw new QueryException(what + ": the assignment is empty; write e.g. set(\"name = ?\", value)");
        }
        Placeholders.Rewritten probe = Placeholders.rewrite(sql, 1, what);
        if (probe.count() != args.length) {
            throw new QueryException(what + ": has " + probe.count() + " placeholder" + (probe.count() == 1 ? "" : "s")
                    + " but " + args.length + " value" + (args.length == 1 ? " was" : "s were")
                    + " given; pass one value per ?");
        }
        List<Object> values = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                throw new QueryException(what + ": value " + (i + 1) + " is null, and a bare null has no SQL type; "
                        + "write the null into the SQL instead, e.g. set(\"name = null\")");
            }
            values.add(BindValues.normalize(args[i], what, i + 1));
        }
        return new Condition(sql, values);
    }
}
