package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.sluice.KeysetPage;
import dev.sluice.QueryException;
import dev.sluice.SqlQuery;
import dev.sluice.spi.Executor;
import dev.sluice.spi.Observer;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.UntypedText;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The one implementation of {@link SqlQuery}: custom SQL, checked when built, streamed through a cursor, or by keyset
 * pages on the unique order {@link #keysetBy} names ({@link SelectSql#wrappedPage}), each page on a connection of
 * its own.
 */
final class DefaultSqlQuery<R> implements SqlQuery<R> {

    private final Fetcher fetcher;
    private final ResultMapper<R> mapper;
    private final RenderedSql statement;
    /** The order pages by: terms whose properties are the record's components; null for a cursor. */
    private final @Nullable OrderBy keyset;
    /** The position the rows start after ({@link #after}): the values of the keyset order's terms; or null. */
    private final Object @Nullable [] start;

    private DefaultSqlQuery(Fetcher fetcher, ResultMapper<R> mapper, RenderedSql statement, @Nullable OrderBy keyset,
                            Object @Nullable [] start) {
        this.fetcher = fetcher;
        this.mapper = mapper;
        this.statement = statement;
        this.keyset = keyset;
        this.start = start;
    }

    static <R> DefaultSqlQuery<R> of(Fetcher fetcher, Class<R> type, String sql, Object[] args) {
        Converters converters = fetcher.context().converters();
        ResultMapper<R> mapper = ResultMapper.of(type, converters);
        RenderedSql statement = Condition.renderAlone(sql, args, "sql(" + type.getSimpleName() + ".class, \"" + sql
                + "\")", converters);
        return new DefaultSqlQuery<>(fetcher, mapper, statement, null, null);
    }

    @Override
    public SqlQuery<R> keysetBy(String order) {
        Objects.requireNonNull(order, "order");
        if (start != null) {
            throw new QueryException("keysetBy(\"" + order + "\") after after(...): the position after(...) holds "
                    + "values of the order it was given in; call keysetBy before after");
        }
        return new DefaultSqlQuery<>(fetcher, mapper, statement, parse(order), null);
    }

    @Override
    public SqlQuery<R> after(R row) {
        Objects.requireNonNull(row, "row");
        String what = "after(" + mapper.type().getSimpleName() + ")";
        OrderBy order = keyset;
        if (order == null) {
            throw new QueryException(what + ": custom SQL continues after a row only in an order it is told is "
                    + "unique; call keysetBy(...) first, e.g. keysetBy(\"taken_at, id\")");
        }
        if (!mapper.type().isInstance(row)) {
            throw new QueryException(what + ": the row is a " + row.getClass().getSimpleName() + ", not a "
                    + mapper.type().getSimpleName());
        }
        return new DefaultSqlQuery<>(fetcher, mapper, statement, order, position(order, row));
    }

    /** The order's terms, each a result column the record maps. */
    private OrderBy parse(String order) {
        String what = "keysetBy(\"" + order + "\")";
        Class<R> type = mapper.type();
        List<String> columns = mapper.columns();
        List<OrderBy.Term> terms = new ArrayList<>();
        for (String raw : order.split(",", -1)) {
            String[] words = raw.trim().split("\\s+");
            if (words.length == 0 || words[0].isEmpty() || words.length > 2) {
                throw new QueryException(what + ": cannot read '" + raw.trim() + "'; write result column names "
                        + "separated by commas, each optionally followed by asc or desc, e.g. \"taken_at desc, id desc\"");
            }
            int at = -1;
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).equalsIgnoreCase(words[0])) {
                    at = i;
                }
            }
            if (at < 0) {
                throw new QueryException(what + ": " + type.getSimpleName() + " maps no result column '" + words[0]
                        + "'; page by columns of the result that the record maps: " + String.join(", ", columns));
            }
            boolean descending = OrderBy.descending(words, what);
            Property property = mapper.properties().get(at);
            if (terms.stream().anyMatch(t -> t.property().position() == property.position())) {
                throw new QueryException(what + ": column " + property.column() + " appears twice");
            }
            terms.add(new OrderBy.Term(property, descending));
        }
        return new OrderBy(terms);
    }

    @Override
    public Flux<R> flux() {
        OrderBy order = keyset;
        if (order == null) {
            return fetcher.stream(statement, mapper);
        }
        return Observed.stream(fetcher.context().settings(), mapper.type(), Observer.Strategy.KEYSET, Flux.defer(() -> {
            PageSizes sizes = PageSizes.of(fetcher.context().settings());
            return DemandPager.create(() -> new Pages(order, start), sizes.min(), sizes.max(), Long.MAX_VALUE, false,
                    fetcher.context().budget());
        }));
    }

    @Override
    public Mono<KeysetPage<R>> page(int size, @Nullable String token) {
        String what = "page(" + size + (token == null ? ", null)" : ", \"" + token + "\")");
        OrderBy order = keyset;
        if (order == null) {
            throw new QueryException(what + ": custom SQL pages only on an order it is told is unique; call "
                    + "keysetBy(...) first, e.g. keysetBy(\"taken_at, id\")");
        }
        if (size < 1) {
            throw new QueryException(what + ": the size must be at least 1");
        }
        if (token != null && start != null) {
            throw new QueryException(what + ": the query already starts after(...) a row; pass either a token or "
                    + "after(...), not both");
        }
        List<Class<?>> types = order.terms().stream().<Class<?>>map(t -> t.property().boxedType()).toList();
        for (OrderBy.Term t : order.terms()) {
            if (!ResumeToken.canHold(t.property().type())) {
                throw new QueryException(what + ": a resume token cannot hold " + mapper.type().getSimpleName() + "."
                        + t.property().name() + " (" + t.property().type().getSimpleName() + "), a term of the order");
            }
        }
        ResumeToken tokens = fetcher.context().tokens();
        String shape = shape(order);
        Object[] from = token == null ? start : tokens.decode(token, shape, types, what);
        Pages pages = new Pages(order, from);
        return Flux.from(pages.next(size + 1)).collectList().map(rows -> {
            List<R> page = rows.size() > size ? rows.subList(0, size) : rows;
            String next = rows.size() > size ? tokens.encode(shape, position(order, rows.get(size - 1))) : null;
            return new KeysetPage<>(page, next);
        });
    }

    /** What a token is bound to: the record, the SQL and its values, and the order. */
    private String shape(OrderBy order) {
        StringBuilder shape = new StringBuilder("sql:").append(mapper.type().getName()).append('|')
                .append(statement.sql().length()).append(':').append(statement.sql()).append("|order:")
                .append(order.sql(fetcher.context().dialect()));
        statement.bindings().forEach(v -> shape.append("|value:").append(ResumeToken.describe(v)));
        return shape.toString();
    }

    /** A row's values of the order's terms. */
    private static Object[] position(OrderBy order, Object row) {
        List<OrderBy.Term> terms = order.terms();
        Object[] position = new Object[terms.size()];
        for (int i = 0; i < position.length; i++) {
            position[i] = terms.get(i).property().read(row);
        }
        return position;
    }

    /** The keyset pages of one subscription, each after the last row of the one before. */
    private final class Pages implements DemandPager.Pages<R> {

        private final OrderBy order;
        private final boolean[] nullable;
        private Object @Nullable [] last;
        /** Rows passed on to the pager, which delivers every one of them before a lost connection's error. */
        private long delivered;

        Pages(OrderBy order, Object @Nullable [] start) {
            this.order = order;
            this.nullable = new boolean[order.terms().size()];
            java.lang.reflect.RecordComponent[] components = mapper.type().getRecordComponents();
            for (int i = 0; i < nullable.length; i++) {
                Property property = order.terms().get(i).property();
                nullable[i] = !Nullness.nonNull(components[property.position()]);
            }
            this.last = start;
        }

        /**
         * The next page, told to the observer as a {@code page}; when it loses its connection it goes on, on another
         * one, after the last row it received ({@link ReadRetry}).
         */
        @Override
        public Publisher<R> next(int size) {
            Executor executor = fetcher.context().executor();
            int[] received = {0}; // rows of this page, over all its runs
            Flux<R> page = fetcher.retry().run(executor, attempt -> {
                if (received[0] == size) {
                    return Flux.<R>empty();
                }
                Object[] after = last == null ? null : bound(last);
                RenderedSql sql = SelectSql.wrappedPage(fetcher.context().dialect(), statement, order, after,
                        nullable, size - received[0]);
                RowMapper<R> rows = mapper.newMapper(); // matches columns on its result's first row
                return executor.query(sql, rows).doOnNext(row -> {
                    last = checked(DefaultSqlQuery.position(order, row));
                    received[0]++;
                    delivered++;
                });
            }, null, fetcher::retried).onErrorMap(ReadRetry.GivenUp.class, given -> given.lost("the rows of custom SQL",
                    new ReadRetry.Position(delivered, order.terms().stream().map(t -> t.property().column()).toList(),
                            last == null ? List.of() : java.util.Arrays.asList(last))));
            return Observed.statement(fetcher.context().settings(), Observer.Kind.PAGE, "none", page);
        }

        /**
         * A row's position, its terms that the record says cannot be null (primitive, or {@code @NullMarked} and not
         * {@code @Nullable}) checked: the pages' predicate leaves NULLs out for them, so a NULL would lose rows.
         */
        private Object[] checked(Object[] position) {
            for (int i = 0; i < position.length; i++) {
                if (position[i] == null && !nullable[i]) {
                    Property property = order.terms().get(i).property();
                    throw new QueryException("keysetBy(\"" + order.sql(fetcher.context().dialect()) + "\"): a row of "
                            + "the custom SQL has NULL in " + property.column() + ", which "
                            + mapper.type().getSimpleName() + "." + property.name() + " says cannot be NULL (its record "
                            + "is @NullMarked and the component is not @Nullable), so pages after it would skip rows; "
                            + "declare it @Nullable (@Nullable " + property.javaType().getSimpleName() + " "
                            + property.name() + "), or leave rows with NULL in it out of the SQL");
                }
            }
            return position;
        }

        /** Rows are emitted right where {@code last} is noted, so it is always the last emitted row's position. */
        @Override
        public boolean rewinds() {
            return true;
        }

        @Override
        public Object @Nullable [] position() {
            return last;
        }

        @Override
        public void rewind(@Nullable Object position, long dropped) {
            last = (Object[]) position;
            delivered -= dropped;
        }

        /**
         * Text bound untyped, so that PostgreSQL reads it as its column's type (text, an enum, json); enums,
         * intervals, addresses and buffers as any argument is ({@link BindValues}).
         */
        private Object[] bound(Object[] position) {
            Object[] values = position.clone();
            for (int i = 0; i < values.length; i++) {
                if (values[i] instanceof String text) {
                    values[i] = new UntypedText(text);
                } else if (values[i] != null) {
                    values[i] = BindValues.normalize(values[i], "keysetBy", i + 1);
                }
            }
            return values;
        }
    }
}
