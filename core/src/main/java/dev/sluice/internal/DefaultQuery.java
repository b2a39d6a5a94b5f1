package dev.sluice.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.sluice.Partition;
import dev.sluice.Query;
import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import dev.sluice.spi.UntypedText;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.concurrent.Queues;

/**
 * The one implementation of {@link Query}: immutable, every refinement a new instance. {@code T} is what rows
 * become: the entity itself, or a projection of it.
 */
final class DefaultQuery<T> implements Query<T> {

    private final Fetcher fetcher;
    private final EntityModel<?> model;
    private final List<Condition> conditions;
    private final @Nullable OrderBy order;
    private final long limit;
    private final List<String> undeferred;
    private final List<String> with;
    private final @Nullable Projection<T> projection;
    /** Whether the rows come from one consistent snapshot (a cursor), not keyset pages. */
    private final boolean oneSnapshot;

    private DefaultQuery(Fetcher fetcher, EntityModel<?> model, List<Condition> conditions, @Nullable OrderBy order,
                         long limit, List<String> undeferred, List<String> with, @Nullable Projection<T> projection,
                         boolean oneSnapshot) {
        this.fetcher = fetcher;
        this.model = model;
        this.conditions = List.copyOf(conditions);
        this.order = order;
        this.limit = limit;
        this.undeferred = List.copyOf(undeferred);
        this.with = List.copyOf(with);
        this.projection = projection;
        this.oneSnapshot = oneSnapshot;
    }

    /** A query over all rows of an entity. */
    static <T> DefaultQuery<T> of(Fetcher fetcher, EntityModel<T> model) {
        return new DefaultQuery<>(fetcher, model, List.of(), null, Long.MAX_VALUE, List.of(), List.of(), null, false);
    }

    @Override
    public Query<T> where(String condition, Object... args) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(args, "args");
        List<Condition> more = new ArrayList<>(conditions);
        more.add(Condition.of(condition, args));
        return new DefaultQuery<>(fetcher, model, more, order, limit, undeferred, with, projection, oneSnapshot);
    }

    @Override
    public Query<T> orderBy(String order) {
        Objects.requireNonNull(order, "order");
        return new DefaultQuery<>(fetcher, model, conditions, OrderBy.parse(model, order), limit, undeferred, with,
                projection, oneSnapshot);
    }

    @Override
    public Query<T> limit(long maxRows) {
        if (maxRows < 0) {
            throw new QueryException("limit(" + maxRows + "): the limit must be zero or more");
        }
        return new DefaultQuery<>(fetcher, model, conditions, order, maxRows, undeferred, with, projection, oneSnapshot);
    }

    @Override
    public Query<T> with(String... paths) {
        Objects.requireNonNull(paths, "paths");
        if (projection != null) {
            throw new QueryException("with(" + String.join(", ", paths) + "): a projection ("
                    + projection.getClass().getSimpleName() + ") cannot hold relations; call with(...) on the entity "
                    + "query instead");
        }
        List<String> more = new ArrayList<>(with);
        more.addAll(Arrays.asList(paths));
        LoadPlan.paths(model, more); // checks every step now, not when it runs
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, undeferred, more, projection, oneSnapshot);
    }

    @Override
    public Query<T> timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new QueryException("timeout(" + timeout + "): the timeout must be positive");
        }
        return new DefaultQuery<>(fetcher.timed(timeout), model, conditions, order, limit, undeferred, with,
                projection, oneSnapshot);
    }

    @Override
    public Query<T> undefer(String... components) {
        Objects.requireNonNull(components, "components");
        List<String> more = new ArrayList<>(undeferred);
        for (String name : components) {
            Property p = model.property(name).orElseThrow(() -> new QueryException("undefer(\"" + name + "\"): "
                    + model.name() + " has no column component '" + name + "'"));
            if (!p.deferred()) {
                throw new QueryException("undefer(\"" + name + "\"): " + model.name() + "." + p.name()
                        + " is not @Deferred, so it is always loaded");
            }
            more.add(p.name());
        }
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, more, with, projection, oneSnapshot);
    }

    @Override
    public <R> Query<R> as(Class<R> type) {
        Objects.requireNonNull(type, "type");
        if (!with.isEmpty()) {
            throw new QueryException("as(" + type.getSimpleName() + ".class): this query loads relations ("
                    + String.join(", ", with) + "), which a projection cannot hold; drop with(...) or map the entities");
        }
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, List.of(), List.of(),
                Projection.of(model, type), oneSnapshot);
    }

    /** The order asked for, made unique with the key: what pages and the whole ordered statement sort by. */
    private OrderBy order() {
        return (order != null ? order : OrderBy.byKey(model)).unique(model);
    }

    @Override
    public Query<T> onPrimary() {
        return new DefaultQuery<>(fetcher.onPrimary(), model, conditions, order, limit, undeferred, with, projection,
                oneSnapshot);
    }

    @Override
    public Query<T> inOneSnapshot() {
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, undeferred, with, projection, true);
    }

    private LoadPlan<?> plan() {
        List<Property> columns = projection != null ? projection.columns()
                : model.properties().stream().filter(p -> !p.deferred() || undeferred.contains(p.name())).toList();
        // the order's columns (the key among them) locate a keyset position even when not mapped to a result
        List<LoadPlan.Hidden> positions = order().terms().stream().map(OrderBy.Term::property)
                .filter(p -> !columns.contains(p)).distinct()
                .map(p -> new LoadPlan.Hidden(p.column(), ValueType.wireType(p.type()), null)).toList();
        return LoadPlan.root(model, columns, positions, LoadPlan.paths(model, with));
    }

    private SelectSql select(LoadPlan<?> plan) {
        return SelectSql.of(fetcher.context().dialect(), plan, conditions, order());
    }

    @SuppressWarnings("unchecked")
    private Function<Object[], T> finisher(LoadPlan<?> plan) {
        Projection<T> p = projection;
        return p != null ? p::construct : args -> (T) plan.construct(args);
    }

    @Override
    public Flux<T> flux() {
        if (limit == 0) {
            return Flux.empty();
        }
        LoadPlan<?> plan = plan();
        return fetcher.stream(new EntityFetch<>(plan, select(plan), finisher(plan), limit,
                FetchStrategy.of(oneSnapshot)));
    }

    @Override
    public Mono<T> findById(Object... key) {
        Objects.requireNonNull(key, "key");
        List<Object> values = KeyValues.of(model, key);
        if (limit == 0) {
            return Mono.empty();
        }
        LoadPlan<?> plan = plan();
        return fetcher.first(plan, select(plan).byKey(values, limit), finisher(plan));
    }

    @Override
    public Mono<Long> count() {
        return fetcher.count(model, new SelectSql(fetcher.context().dialect(), model, "1", conditions, order())
                .count(limit));
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

    @Override
    public Mono<List<Partition<T>>> partitions(int n) {
        checkSplit("partitions", n);
        return Partitioner.split(fetcher.context(), model, conditions, n).map(tokens -> tokens.stream()
                .map(t -> new Partition<>(t.index(), t.count(), t.encode(), within(t))).toList());
    }

    @Override
    public Query<T> partition(String token) {
        Objects.requireNonNull(token, "token");
        PartitionToken decoded = PartitionToken.decode(token);
        List<String> key = model.key().stream().map(Property::column).toList();
        if (!decoded.table().equals(model.table()) || !decoded.key().equals(key)) {
            throw new QueryException("partition(token): the token is partition " + decoded.index() + " of "
                    + decoded.count() + " of table " + decoded.table() + " keyed by (" + String.join(", ",
                    decoded.key()) + "), but this query reads " + model.name() + " (table " + model.table()
                    + ", key (" + String.join(", ", key) + ")); use it with a query of the entity that was split");
        }
        return within(decoded);
    }

    /** This query within a partition's key range: one more condition, on every terminal operation. */
    private Query<T> within(PartitionToken token) {
        if (token.empty()) {
            return where(PartitionSql.nothing());
        }
        if (token.lower().isEmpty() && token.upper().isEmpty()) {
            return this;
        }
        List<Object> bounds = new ArrayList<>();
        token.lower().forEach(v -> bounds.add(new UntypedText(v)));
        token.upper().forEach(v -> bounds.add(new UntypedText(v)));
        return where(PartitionSql.range(fetcher.context().dialect(), model, !token.lower().isEmpty(),
                !token.upper().isEmpty()), bounds.toArray());
    }

    @Override
    public Flux<T> parallel(int n) {
        checkSplit("parallel", n);
        return partitions(n).flatMapMany(partitions -> Flux.merge(Flux.fromIterable(partitions)
                .map(p -> p.query().flux()), n, Queues.SMALL_BUFFER_SIZE));
    }

    private void checkSplit(String method, int n) {
        if (n < 1) {
            throw new QueryException(method + "(" + n + "): the number of partitions must be 1 or more");
        }
        if (limit != Long.MAX_VALUE) {
            throw new QueryException(method + "(" + n + "): this query has limit(" + limit + "), which each "
                    + "partition would apply on its own; split the query without a limit, and limit the merged rows "
                    + "(take(n)) or each partition's query instead");
        }
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
        LoadPlan<?> plan = plan();
        return "Query<" + model.name() + "> " + select(plan).ordered(limit).sql()
                + (with.isEmpty() ? "" : " with " + with);
    }
}
