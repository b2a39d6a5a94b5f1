package dev.sluice.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.sluice.KeysetPage;
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
    /**
     * The position the rows start after ({@link #after}): a value per term of the unique order, an enum by name;
     * null for the first row.
     */
    private final Object @Nullable [] start;

    private DefaultQuery(Fetcher fetcher, EntityModel<?> model, List<Condition> conditions, @Nullable OrderBy order,
                         long limit, List<String> undeferred, List<String> with, @Nullable Projection<T> projection,
                         boolean oneSnapshot, Object @Nullable [] start) {
        this.fetcher = fetcher;
        this.model = model;
        this.conditions = List.copyOf(conditions);
        this.order = order;
        this.limit = limit;
        this.undeferred = List.copyOf(undeferred);
        this.with = List.copyOf(with);
        this.projection = projection;
        this.oneSnapshot = oneSnapshot;
        this.start = start;
    }

    /** A query over all rows of an entity. */
    static <T> DefaultQuery<T> of(Fetcher fetcher, EntityModel<T> model) {
        return new DefaultQuery<>(fetcher, model, List.of(), null, Long.MAX_VALUE, List.of(), List.of(), null, false, null);
    }

    @Override
    public Query<T> where(String condition, Object... args) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(args, "args");
        List<Condition> more = new ArrayList<>(conditions);
        more.add(Condition.of(condition, args, model.converters()));
        return new DefaultQuery<>(fetcher, model, more, order, limit, undeferred, with, projection, oneSnapshot, start);
    }

    @Override
    public Query<T> orderBy(String order) {
        Objects.requireNonNull(order, "order");
        if (start != null) {
            throw new QueryException("orderBy(\"" + order + "\") after after(...): the position after(...) holds "
                    + "values of the order it was given in; call orderBy before after");
        }
        return new DefaultQuery<>(fetcher, model, conditions, OrderBy.parse(model, order), limit, undeferred, with,
                projection, oneSnapshot, start);
    }

    @Override
    public Query<T> limit(long maxRows) {
        if (maxRows < 0) {
            throw new QueryException("limit(" + maxRows + "): the limit must be zero or more");
        }
        return new DefaultQuery<>(fetcher, model, conditions, order, maxRows, undeferred, with, projection, oneSnapshot, start);
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
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, undeferred, more, projection, oneSnapshot, start);
    }

    @Override
    public Query<T> timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new QueryException("timeout(" + timeout + "): the timeout must be positive");
        }
        return new DefaultQuery<>(fetcher.timed(timeout), model, conditions, order, limit, undeferred, with,
                projection, oneSnapshot, start);
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
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, more, with, projection, oneSnapshot, start);
    }

    @Override
    public <R> Query<R> as(Class<R> type) {
        Objects.requireNonNull(type, "type");
        if (!with.isEmpty()) {
            throw new QueryException("as(" + type.getSimpleName() + ".class): this query loads relations ("
                    + String.join(", ", with) + "), which a projection cannot hold; drop with(...) or map the entities");
        }
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, List.of(), List.of(),
                Projection.of(model, type), oneSnapshot, start);
    }

    /** The order asked for, made unique with the key: what pages and the whole ordered statement sort by. */
    private OrderBy order() {
        return (order != null ? order : OrderBy.byKey(model)).unique(model);
    }

    @Override
    public Query<T> onPrimary() {
        return new DefaultQuery<>(fetcher.onPrimary(), model, conditions, order, limit, undeferred, with, projection,
                oneSnapshot, start);
    }

    @Override
    public Query<T> inOneSnapshot() {
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, undeferred, with, projection, true, start);
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
        return SelectSql.of(fetcher.context().dialect(), plan, conditions, order()).startingAfter(start);
    }

    @Override
    public Query<T> after(T row) {
        Objects.requireNonNull(row, "row");
        Class<?> rowType = projection != null ? projection.type() : model.type();
        String what = "after(" + rowType.getSimpleName() + ")";
        if (!rowType.isInstance(row)) {
            throw new QueryException(what + ": the row is a " + row.getClass().getSimpleName() + ", not a "
                    + rowType.getSimpleName() + " of this query");
        }
        List<OrderBy.Term> terms = order().terms();
        Object[] values = new Object[terms.size()];
        for (int i = 0; i < values.length; i++) {
            Property p = terms.get(i).property();
            Projection<T> projected = projection;
            values[i] = projected == null ? p.read(row) : projected.read(row, p).orElseThrow(() -> new QueryException(
                    what + ": " + rowType.getSimpleName() + " has no component for the order's column " + p.column()
                    + "; call afterValues(...) with the values of the order (" + terms(terms) + ") instead"))[0];
        }
        return startingAfter(values, what);
    }

    @Override
    public Query<T> afterValues(Object... values) {
        Objects.requireNonNull(values, "values");
        return startingAfter(values.clone(), "afterValues(" + Arrays.toString(values) + ")");
    }

    private static String terms(List<OrderBy.Term> terms) {
        return terms.stream().map(t -> t.property().column() + (t.descending() ? " desc" : ""))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** This query from after {@code values}, a value per term of the unique order, each checked. */
    private DefaultQuery<T> startingAfter(Object[] values, String what) {
        List<OrderBy.Term> terms = order().terms();
        if (values.length != terms.size()) {
            throw new QueryException(what + ": the query's order (" + terms(terms) + ") has " + terms.size()
                    + " terms but " + values.length + " values were given; give one value per term, the key last");
        }
        Object[] position = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            Property p = terms.get(i).property();
            Object value = values[i];
            if (value == null) {
                if (p.primitive() || p.id()) {
                    throw new QueryException(what + ": value " + (i + 1) + " is null, but " + p.column()
                            + " never holds NULL");
                }
                continue;
            }
            Class<?> type = p.boxedType();
            if (type.isEnum() && value instanceof String name) {
                value = enumConstant(type, name, what);
            }
            if (!type.isInstance(value)) {
                throw new QueryException(what + ": value " + (i + 1) + " is a " + value.getClass().getSimpleName()
                        + ", but column " + p.column() + " is read as " + type.getSimpleName());
            }
            position[i] = value instanceof Enum<?> constant ? constant.name() : value;
        }
        return new DefaultQuery<>(fetcher, model, conditions, order, limit, undeferred, with, projection, oneSnapshot,
                position);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> type, String name, String what) {
        try {
            return Enum.valueOf((Class) type, name);
        } catch (IllegalArgumentException e) {
            throw new QueryException(what + ": " + name + " is not a constant of " + type.getSimpleName());
        }
    }

    /** What a page token is bound to: the entity, its conditions with their values, and the unique order. */
    private String shape() {
        StringBuilder shape = new StringBuilder("entity:").append(model.type().getName()).append("|order:")
                .append(order().sql(fetcher.context().dialect()));
        for (Condition c : conditions) {
            shape.append("|where:").append(c.sql().length()).append(':').append(c.sql());
            c.values().forEach(v -> shape.append("|value:").append(ResumeToken.describe(v)));
        }
        return shape.toString();
    }

    /** A row and its position in the order, which the next page starts after. */
    private record Positioned<T>(T row, Object[] position) {
    }

    @Override
    public Mono<KeysetPage<T>> page(int size, @Nullable String token) {
        String what = "page(" + size + (token == null ? ", null)" : ", \"" + token + "\")");
        if (size < 1) {
            throw new QueryException(what + ": the size must be at least 1");
        }
        if (limit != Long.MAX_VALUE) {
            throw new QueryException(what + ": the query has a limit(" + limit + "), which pages cannot honour one "
                    + "request after another; drop limit(...): each page holds at most size rows");
        }
        if (token != null && start != null) {
            throw new QueryException(what + ": the query already starts after(...) a row; pass either a token or "
                    + "after(...), not both");
        }
        List<OrderBy.Term> terms = order().terms();
        for (OrderBy.Term t : terms) {
            if (!ResumeToken.canHold(t.property().type()) && !t.property().boxedType().isEnum()) {
                throw new QueryException(what + ": a resume token cannot hold " + model.name() + "."
                        + t.property().name() + " (" + t.property().type().getSimpleName() + "), a term of the order");
            }
        }
        ResumeToken tokens = fetcher.context().tokens();
        String shape = shape();
        DefaultQuery<T> from = token == null ? this : startingAfter(tokens.decode(token, shape,
                terms.stream().<Class<?>>map(t -> t.property().boxedType()).toList(), what), what);
        LoadPlan<?> plan = from.plan();
        int[] slots = terms.stream().mapToInt(t -> plan.slot(t.property())).toArray();
        Function<Object[], T> finish = from.finisher(plan);
        Function<Object[], Positioned<T>> positioned = args -> {
            Object[] position = new Object[slots.length];
            for (int i = 0; i < slots.length; i++) {
                Object value = args[slots[i]];
                position[i] = value instanceof Enum<?> constant ? constant.name() : value;
            }
            return new Positioned<>(finish.apply(args), position);
        };
        return fetcher.stream(new EntityFetch<>(plan, from.select(plan), positioned, size + 1L, FetchStrategy.KEYSET))
                .collectList()
                .map(rows -> {
                    List<T> page = rows.stream().limit(size).map(Positioned::row).toList();
                    String next = rows.size() > size ? tokens.encode(shape, rows.get(size - 1).position()) : null;
                    return new KeysetPage<>(page, next);
                });
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
                .startingAfter(start).count(limit));
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
