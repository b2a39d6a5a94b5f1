package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.sluice.Query;
import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The one implementation of {@link Query}: immutable, every refinement a new instance. */
final class DefaultQuery<T> implements Query<T> {

    private final CoreRepo repo;
    private final EntityModel<T> model;
    private final List<Condition> conditions;
    private final @Nullable OrderBy order;
    private final long limit;

    DefaultQuery(CoreRepo repo, EntityModel<T> model, List<Condition> conditions, @Nullable OrderBy order,
                 long limit) {
        this.repo = repo;
        this.model = model;
        this.conditions = List.copyOf(conditions);
        this.order = order;
        this.limit = limit;
    }

    @Override
    public Query<T> where(String condition, Object... args) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(args, "args");
        List<Condition> more = new ArrayList<>(conditions);
        more.add(Condition.of(condition, args));
        return new DefaultQuery<>(repo, model, more, order, limit);
    }

    @Override
    public Query<T> orderBy(String order) {
        Objects.requireNonNull(order, "order");
        return new DefaultQuery<>(repo, model, conditions, OrderBy.parse(model, order), limit);
    }

    @Override
    public Query<T> limit(long maxRows) {
        if (maxRows < 0) {
            throw new QueryException("limit(" + maxRows + "): the limit must be zero or more");
        }
        return new DefaultQuery<>(repo, model, conditions, order, maxRows);
    }

    private OrderBy order() {
        return order != null ? order : OrderBy.byKey(model);
    }

    private SelectSql sql() {
        return new SelectSql(repo.dialect(), model, model.properties(), conditions, order());
    }

    @Override
    public Flux<T> flux() {
        if (limit == 0) {
            return Flux.empty();
        }
        SelectSql sql = sql();
        EntityMapper<T> mapper = repo.mapper(model);
        Flux<T> rows = order().isKeyset(model)
                ? repo.keyset(model, sql, mapper, limit)
                : repo.cursor(sql, mapper, limit);
        return repo.checked(model).thenMany(rows);
    }

    @Override
    public Mono<Long> count() {
        return repo.checked(model).then(repo.count(sql().count(limit)));
    }

    @Override
    public Mono<T> one() {
        return atMostTwo().flatMap(rows -> rows.size() == 1 ? Mono.just(rows.get(0))
                : Mono.error(new RowCountException("Expected one " + model.name() + " row, but found "
                + (rows.isEmpty() ? "none" : "more than one") + describe(), 1, rows.size())));
    }

    @Override
    public Mono<T> findOne() {
        return atMostTwo().flatMap(rows -> switch (rows.size()) {
            case 0 -> Mono.empty();
            case 1 -> Mono.just(rows.get(0));
            default -> Mono.error(new RowCountException("Expected at most one " + model.name()
                    + " row, but found more than one" + describe(), 1, rows.size()));
        });
    }

    private Mono<List<T>> atMostTwo() {
        return limit(Math.min(limit, 2)).flux().collectList();
    }

    private String describe() {
        return conditions.isEmpty() ? "" : " where " + conditions.stream().map(Condition::sql)
                .reduce((a, b) -> a + " and " + b).orElse("");
    }

    @Override
    public String toString() {
        return "Query<" + model.name() + ">" + sql().ordered(limit).sql();
    }
}
