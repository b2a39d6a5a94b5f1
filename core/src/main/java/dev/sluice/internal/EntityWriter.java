package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.OptimisticLockException;
import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import dev.sluice.WriteException;
import dev.sluice.spi.DatabaseError;
import dev.sluice.spi.Observer;
import dev.sluice.spi.RenderedSql;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a repository's writes: single and batched inserts (optionally upserts), update and delete by key, and
 * set-based statements. SQL comes from {@link WriteSql}; this class only sequences statements and checks counts.
 */
final class EntityWriter {

    /**
     * Batches requested ahead of the one being written: {@code concatMap} asks for the next batch while the
     * current one runs, so at most about two batches of input are held.
     */
    private static final int BATCHES_AHEAD = 1;

    private final RepoContext repo;

    EntityWriter(RepoContext repo) {
        this.repo = repo;
    }

    @SuppressWarnings("unchecked")
    private <T> EntityModel<T> modelOf(T entity) {
        return repo.model((Class<T>) entity.getClass());
    }

    /** {@code writes}, their statements told to the repository's observer as {@code kind} on the model's table. */
    private <R> Mono<R> observed(Observer.Kind kind, EntityModel<?> model, Mono<R> writes) {
        return Observed.statement(repo.settings(), kind, model.table(), writes);
    }

    private <R> Flux<R> observed(Observer.Kind kind, EntityModel<?> model, Flux<R> writes) {
        return Observed.statement(repo.settings(), kind, model.table(), writes);
    }

    /** The repository's statements for {@code model}: the one way writers reach the dialect. */
    <T> WriteSql<T> sql(EntityModel<T> model) {
        return new WriteSql<>(repo.dialect(), model);
    }

    /** Statements that check every stored value against its column first ({@link ColumnFit}). */
    private <T> WriteSql<T> sql(EntityModel<T> model, Map<String, TableCheck.ColumnInfo> columns) {
        return new WriteSql<>(repo.dialect(), model, columns);
    }

    <T> Mono<T> insert(T entity) {
        EntityModel<T> model = modelOf(entity);
        return observed(Observer.Kind.WRITE, model, repo.columns(model).flatMap(columns -> repo.executor()
                        .query(sql(model, columns).insert(List.of(entity), null), repo.mapper(model)).single())
                .onErrorMap(e -> refused(e, "insert", model, 1, List.of(entity), true)));
    }

    <T> Flux<T> insertAll(Publisher<T> entities) {
        return Flux.from(entities).switchOnFirst((first, all) -> {
            T entity = first.get();
            return entity == null ? all : batches(modelOf(entity), all, null);
        });
    }

    /** EntityWriter {@code entities} as multi-row inserts of the model's type, one statement per batch. */
    <T> Flux<T> batches(EntityModel<T> model, Publisher<T> entities, WriteSql.@Nullable Conflict conflict) {
        int rows = sql(model).rowsPerStatement(repo.settings().writeBatchSize());
        EntityMapper<T> mapper = repo.mapper(model);
        String operation = conflict == null ? "insertAll" : "upsert";
        // each column's values as one binary array where the connections can bind it, else multi-row VALUES
        Mono<Boolean> binary = repo.executor().bindsBinary().cache();
        // an input that fails lets the batch in flight end first (emitted, or failed), then its error ends the
        // flux: so the rows emitted are exactly the rows written; the rows gathered after that batch are dropped
        return observed(Observer.Kind.WRITE_BATCH, model, Flux.from(entities)
                .buffer(rows)
                .index()
                .concatMapDelayError(numbered -> {
                    List<T> batch = numbered.getT2();
                    long firstRow = numbered.getT1() * rows + 1;
                    Flux<T> written = repo.columns(model).zipWith(binary).flatMapMany(known -> {
                        checkTypes(model, batch);
                        WriteSql<T> sql = sql(model, known.getT1());
                        RenderedSql arrays = known.getT2() ? sql.insertArrays(batch, conflict) : null;
                        return repo.executor().query(arrays != null ? arrays : sql.insert(batch, conflict), mapper);
                    }).onErrorMap(e -> refused(e, operation, model, firstRow, batch, false));
                    if (!versionChecked(model, conflict)) {
                        return written;
                    }
                    List<Property> target = java.util.Objects.requireNonNull(conflict).target();
                    return written.collectList().flatMapMany(rowsWritten -> Flux.fromIterable(rowsWritten)
                            .concatWith(missing(model, batch, rowsWritten.stream().map(r -> valuesOf(target, r))
                                    .toList(), firstRow, "upsert", target)));
                }, false, BATCHES_AHEAD)
                .onErrorMap(Exceptions::isMultiple, EntityWriter::batchErrorFirst));
    }

    /**
     * The input failed while a batch was written, and that batch failed too: both errors arrive together, the
     * input's first. The batch's error, which says what was written, ends the flux, with the input's attached.
     */
    private static Throwable batchErrorFirst(Throwable multiple) {
        List<Throwable> errors = Exceptions.unwrapMultiple(multiple);
        Throwable batch = errors.get(errors.size() - 1);
        for (Throwable other : errors) {
            if (other != batch) {
                batch.addSuppressed(other);
            }
        }
        return batch;
    }

    <T> Mono<T> upsertOne(EntityModel<T> model, T entity, WriteSql.Conflict conflict) {
        return observed(Observer.Kind.WRITE, model, repo.columns(model).flatMap(columns -> {
            checkTypes(model, List.of(entity));
            return repo.executor().query(sql(model, columns).insert(List.of(entity), conflict), repo.mapper(model))
                    .next();
        }).onErrorMap(e -> refused(e, "upsert", model, 1, List.of(entity), true))
                .switchIfEmpty(Mono.defer(() -> versionChecked(model, conflict)
                        ? Mono.error(staleUpsert(model, entity, conflict.target())) : Mono.empty())));
    }

    /** Whether an upsert updates only a row holding the entity's version: {@code DO UPDATE} of a versioned one. */
    private static boolean versionChecked(EntityModel<?> model, WriteSql.@Nullable Conflict conflict) {
        return conflict != null && conflict.update() && model.version() != null;
    }

    private <T> OptimisticLockException staleUpsert(EntityModel<T> model, T entity, List<Property> target) {
        Property version = java.util.Objects.requireNonNull(model.version());
        return new OptimisticLockException("upsert of " + model.name() + " with " + sql(model).describe(target, entity)
                + " found that row with another version than " + version.read(entity) + ": it was changed since "
                + "it was read; nothing was written. Reload it and apply the change again", 1, 0);
    }

    /**
     * A database error refusing a statement that held {@code batch}, the input rows from {@code firstRow} on, or a
     * value of it that does not fit its column, as a {@link WriteException} that says where in the input it
     * happened; any other error as it is.
     *
     * @param single whether the operation writes one entity, not a stream of them
     */
    private <T> Throwable refused(Throwable error, String operation, EntityModel<T> model, long firstRow,
                                  List<T> batch, boolean single) {
        if (error instanceof ColumnFit.Misfit misfit) {
            return new WriteException(misfit(misfit, operation, model, firstRow, batch, single ? "nothing was written"
                    : "nothing of the statement of input " + (batch.size() == 1 ? "row " + firstRow
                    : "rows " + firstRow + " to " + (firstRow + batch.size() - 1)) + " was written"),
                    firstRow, batch.size());
        }
        if (repo.executor().retryableRead(error)) {
            return ReadRetry.lostWrite(error, operation + " of " + model.name());
        }
        DatabaseError database = repo.executor().databaseError(error);
        if (database == null) {
            return error;
        }
        String rows = batch.size() == 1
                ? "input row " + firstRow + describeKey(model, batch.get(0))
                : "the statement of input rows " + firstRow + " to " + (firstRow + batch.size() - 1);
        return new WriteException(operation + " of " + model.name() + " into " + model.table() + " was refused in "
                + rows + "; nothing of that statement was written: " + database.message(), error, firstRow,
                batch.size(), database.sqlState());
    }

    /**
     * The message for a value Sluice refused before sending it, since it does not fit its column exactly: names the
     * input row, its key, the component and the column, and what was not written.
     *
     * @param firstRow the input position of the first row of {@code batch}, the rows the misfit's row index counts in
     */
    private <T> String misfit(ColumnFit.Misfit misfit, String operation, EntityModel<T> model, long firstRow,
                              List<T> batch, String written) {
        T row = batch.get(misfit.row());
        Property property = Objects.requireNonNull(misfit.property());
        return operation + " of " + model.name() + (operation.equals("update") ? " in " : " into ") + model.table()
                + " was refused at input row " + (firstRow + misfit.row()) + describeKey(model, row) + ", component "
                + property.name() + ": " + misfit.getMessage() + "; " + written;
    }

    /** The row's key for a message, e.g. {@code " (id=99)"}, or nothing when it has none yet (a generated key). */
    private <T> String describeKey(EntityModel<T> model, T entity) {
        for (Object k : model.keyOf(entity)) {
            if (k == null) {
                return "";
            }
        }
        return " (" + sql(model).describeKey(entity) + ")";
    }

    <T> Mono<T> update(T entity) {
        EntityModel<T> model = modelOf(entity);
        return observed(Observer.Kind.WRITE, model, repo.columns(model).flatMap(columns -> {
            WriteSql<T> sql = sql(model, columns);
            return repo.executor().query(sql.update(entity), repo.mapper(model))
                    .next()
                    .switchIfEmpty(Mono.error(() -> notFound(model, sql, entity, "update")));
        }).onErrorMap(ColumnFit.Misfit.class, m -> new WriteException(misfit(m, "update", model, 1, List.of(entity),
                "nothing was written"), 1, 1)).onErrorMap(e -> lost(e, "update", model)));
    }

    /** A write's error; a lost connection's says that the write was not retried. */
    private Throwable lost(Throwable error, String operation, EntityModel<?> model) {
        return repo.executor().retryableRead(error) ? ReadRetry.lostWrite(error, operation + " of " + model.name())
                : error;
    }

    <T> Mono<Void> delete(T entity) {
        EntityModel<T> model = modelOf(entity);
        WriteSql<T> sql = sql(model);
        return observed(Observer.Kind.WRITE, model, repo.checked(model).then(Mono.defer(() -> repo.executor()
                .update(sql.delete(entity))
                .onErrorMap(e -> lost(e, "delete", model))
                .flatMap(n -> n == 0 ? Mono.<Void>error(notFound(model, sql, entity, "delete")) : Mono.empty()))));
    }

    <T> Mono<Long> execute(EntityModel<T> model, RenderedSql statement) {
        return observed(Observer.Kind.WRITE, model, repo.checked(model).then(repo.executor().update(statement))
                .onErrorMap(e -> lost(e, "execute", model)));
    }

    /**
     * A set-based {@code UPDATE}. The value of an assignment of the form {@code column = ?} is checked to fit that
     * column exactly and bound as {@link ColumnFit} says, as on the other write paths; values in other assignments
     * (expressions) are bound as they are, and PostgreSQL converts them as it converts any parameter.
     */
    <T> Mono<Long> updateWhere(EntityModel<T> model, List<WriteSql.Assignment> assignments,
                               List<Condition> conditions) {
        return observed(Observer.Kind.WRITE, model, repo.columns(model).flatMap(columns -> {
            List<WriteSql.Assignment> fitted = new ArrayList<>(assignments.size());
            for (WriteSql.Assignment assignment : assignments) {
                fitted.add(fitted(model, columns, assignment));
            }
            return repo.executor().update(sql(model).updateWhere(fitted, conditions));
        }).onErrorMap(e -> lost(e, "update", model)));
    }

    private static WriteSql.Assignment fitted(EntityModel<?> model, Map<String, TableCheck.ColumnInfo> columns,
                                              WriteSql.Assignment assignment) {
        TableCheck.ColumnInfo column = columns.get(assignment.column().column());
        if (!assignment.isOneValue() || column == null) {
            return assignment;
        }
        ColumnFit fit = ColumnFit.of(column);
        try {
            Object value = assignment.values().get(0);
            if (value instanceof dev.sluice.spi.UntypedText untyped) { // an enum, or a Jackson tree
                value = untyped.text();
            }
            return assignment.withValues(List.of(fit.bindable(fit.fit(value))));
        } catch (ColumnFit.Misfit misfit) {
            throw new WriteException("update(" + model.name() + ".class).set(\"" + assignment.fragment() + "\") was "
                    + "refused: " + misfit.getMessage() + "; nothing was written", 0, 0);
        }
    }

    /**
     * Copies entities with binary {@code COPY ... FROM STDIN}, in chunks of the write batch size. The key columns are
     * copied when the first entity's key is set, and left to their defaults when it is null. When the input fails
     * (the caller's publisher, or a row that breaks that key rule), the COPY is aborted and that error, not the
     * driver's "COPY from stdin failed", ends the {@code Mono}.
     */
    <T> Mono<Long> copyIn(EntityModel<T> model, Publisher<T> rows) {
        return observed(Observer.Kind.COPY, model, repo.columns(model).flatMap(types -> Flux.from(rows)
                .switchOnFirst((first, all) -> {
                    T entity = first.get();
                    if (entity == null) {
                        return all.then(Mono.just(0L));
                    }
                    boolean withKey = model.key().stream().allMatch(p -> p.read(entity) != null && !model.generated(p));
                    List<Property> columns = model.properties().stream()
                            .filter(p -> (withKey || !p.id()) && !model.generated(p)).toList();
                    BinaryCopy<T> copy = BinaryCopy.of(repo.dialect(), model, columns, types);
                    // the driver reports a failed input as its own "COPY from stdin failed" error: keep the
                    // input's error (the caller's, or ours for a bad row) to hand it on as it was
                    AtomicReference<@Nullable Throwable> inputError = new AtomicReference<>();
                    int chunk = repo.settings().writeBatchSize();
                    Flux<byte[]> tuples = all.buffer(chunk).index().map(numbered -> {
                        List<T> batch = numbered.getT2();
                        if (!withKey) {
                            checkNoKeys(model, batch);
                        }
                        try {
                            return copy.encode(batch);
                        } catch (ColumnFit.Misfit m) {
                            throw new WriteException(misfit(m, "copyIn", model, numbered.getT1() * chunk + 1, batch,
                                    "nothing was written"), 0, 0);
                        }
                    }).doOnError(e -> inputError.compareAndSet(null, e));
                    return repo.executor().copyIn(copy.sql(),
                                    Flux.concat(Mono.just(BinaryCopy.HEADER), tuples, Mono.just(BinaryCopy.TRAILER)))
                            .onErrorMap(e -> {
                                Throwable input = inputError.get();
                                if (input == null || input == e) {
                                    return copyRefused(e, model);
                                }
                                input.addSuppressed(e);
                                return input;
                            });
                })
                .single()));
    }

    /** A database error refusing a COPY, whose context names the input line, e.g. "COPY picture, line 5". */
    private Throwable copyRefused(Throwable error, EntityModel<?> model) {
        if (repo.executor().retryableRead(error)) {
            return ReadRetry.lostWrite(error, "copyIn of " + model.name());
        }
        DatabaseError database = repo.executor().databaseError(error);
        if (database == null) {
            return error;
        }
        return new WriteException("copyIn of " + model.name() + " into " + model.table() + " was refused; nothing was "
                + "written: " + database.message(), error, 0, 0, database.sqlState());
    }

    private static <T> void checkNoKeys(EntityModel<T> model, List<T> batch) {
        for (T row : batch) {
            for (Property p : model.key()) {
                if (!model.generated(p) && p.read(row) != null) {
                    throw new QueryException("copyIn(" + model.name() + ".class): the first row's key was null, so "
                            + "keys are generated, but a later row has " + p.name() + "=" + p.read(row) + "; give "
                            + "every row a key or none");
                }
            }
        }
    }

    private static <T> RowCountException notFound(EntityModel<T> model, WriteSql<T> sql, T entity, String verb) {
        Property version = model.version();
        if (version != null) {
            return new OptimisticLockException(verb + " of " + model.name() + " with " + sql.describeKey(entity)
                    + " found no row with version " + version.read(entity) + ": it was changed or deleted since it "
                    + "was read; nothing was written. Reload it and apply the change again", 1, 0);
        }
        return new RowCountException("Expected to " + verb + " one " + model.name() + " row with "
                + sql.describeKey(entity) + ", but found none", 1, 0);
    }

    /**
     * Updates entities by key (and {@code @Version}) in batches of the write batch size, one statement each
     * ({@link WriteSql#updateAll}); emits the rows as updated. An input row whose row is not found (or holds another
     * version) ends the flux, after the batch's updated rows, with a {@link RowCountException} (an
     * {@link OptimisticLockException} for a versioned entity) naming it; the batch's other rows stay updated.
     */
    <T> Flux<T> updateAll(Publisher<T> entities) {
        return Flux.from(entities).switchOnFirst((first, all) -> {
            T entity = first.get();
            if (entity == null) {
                return all;
            }
            EntityModel<T> model = modelOf(entity);
            int rows = sql(model).rowsPerBatch(repo.settings().writeBatchSize(), true);
            EntityMapper<T> mapper = repo.mapper(model);
            Mono<Boolean> binary = repo.executor().bindsBinary().cache();
            return all.buffer(rows).index().concatMapDelayError(numbered -> {
                List<T> batch = numbered.getT2();
                long firstRow = numbered.getT1() * rows + 1;
                return repo.columns(model).zipWith(binary).flatMapMany(known -> {
                    checkTypes(model, batch, "updateAll");
                    return repo.executor().query(sql(model, known.getT1()).updateAll(batch, known.getT2()), mapper)
                            .collectList();
                }).onErrorMap(e -> refused(e, "updateAll", model, firstRow, batch, false)).flatMap(written -> {
                    List<Object> found = written.stream().map(row -> keyOf(model, row)).toList();
                    return Flux.fromIterable(written).concatWith(missing(model, batch, found, firstRow, "update"));
                });
            }, false, BATCHES_AHEAD).onErrorMap(Exceptions::isMultiple, EntityWriter::batchErrorFirst);
        });
    }

    /**
     * Deletes entities by key (and {@code @Version}) in batches of the write batch size, one statement each
     * ({@link WriteSql#deleteAll}); the number of rows deleted. An input row whose row is not found (or holds
     * another version) fails it as {@link #updateAll} does; the batch's other rows stay deleted.
     */
    <T> Mono<Long> deleteAll(Publisher<T> entities) {
        return Flux.from(entities).switchOnFirst((first, all) -> {
            T entity = first.get();
            if (entity == null) {
                return all.then(Mono.just(0L));
            }
            EntityModel<T> model = modelOf(entity);
            int rows = sql(model).rowsPerBatch(repo.settings().writeBatchSize(), false);
            List<Property> key = model.key();
            return all.buffer(rows).index().concatMapDelayError(numbered -> {
                List<T> batch = numbered.getT2();
                long firstRow = numbered.getT1() * rows + 1;
                return repo.columns(model).flatMapMany(columns -> {
                    checkTypes(model, batch, "deleteAll");
                    return repo.executor().query(sql(model, columns).deleteAll(batch), row -> {
                        Object[] values = new Object[key.size()];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = row.get(i, ValueType.wireType(key.get(i).type()));
                        }
                        return comparable(values);
                    }).collectList();
                }).onErrorMap(e -> refused(e, "deleteAll", model, firstRow, batch, false)).flatMap(found ->
                        Mono.just((long) found.size()).concatWith(this.<T, Long>missing(model, batch, found, firstRow,
                                "delete")));
            }, false, BATCHES_AHEAD).onErrorMap(Exceptions::isMultiple, EntityWriter::batchErrorFirst)
                    .reduce(0L, Long::sum);
        }).single();
    }

    /**
     * Fails naming the first input row of {@code batch} whose key {@code found} lacks: its row is gone, or holds
     * another version; empty when every row was found.
     */
    private <T, R> Mono<R> missing(EntityModel<T> model, List<T> batch, List<Object> found, long firstRow,
                                   String verb) {
        return missing(model, batch, found, firstRow, verb, model.key());
    }

    /**
     * As {@link #missing(EntityModel, List, List, long, String)}, the rows told apart by {@code by}'s values (an
     * upsert's conflict columns): {@code found} holds {@link #valuesOf} each row written.
     */
    private <T, R> Mono<R> missing(EntityModel<T> model, List<T> batch, List<Object> found, long firstRow,
                                   String verb, List<Property> by) {
        java.util.Set<Object> written = new java.util.HashSet<>(found);
        for (int i = 0; i < batch.size(); i++) {
            T row = batch.get(i);
            if (written.contains(valuesOf(by, row))) {
                continue;
            }
            WriteSql<T> sql = sql(model);
            Property version = model.version();
            boolean upsert = verb.equals("upsert");
            String rows = batch.size() == 1 ? "it was the only input row of its statement"
                    : "the other rows of input rows " + firstRow + " to " + (firstRow + batch.size() - 1) + " were "
                    + (upsert ? "written" : verb + "d");
            String where = model.name() + " with " + sql.describe(by, row) + " (input row " + (firstRow + i) + ")";
            return Mono.error(version != null
                    ? new OptimisticLockException(verb + (upsert ? "" : "All") + " of " + model.name() + ": found "
                    + (upsert ? "the row of " + where + " with another version than " : "no row of " + where
                    + " with version ") + version.read(row) + ": it was changed " + (upsert ? "" : "or deleted ")
                    + "since it was read; reload it and apply the change again; " + rows
                    + " (inTransaction makes the stream all or nothing)", batch.size(), found.size())
                    : new RowCountException("Expected to " + verb + " one row of " + where + ", but found none; "
                    + rows + " (inTransaction makes the stream all or nothing)", batch.size(), found.size()));
        }
        return Mono.empty();
    }

    /** An entity's key, comparable with the keys a statement returns: {@link #comparable}. */
    private static <T> Object keyOf(EntityModel<T> model, T entity) {
        return comparable(model.keyOf(entity));
    }

    /** The stored values of {@code columns} in an entity, comparable as {@link #comparable} says. */
    private static Object valuesOf(List<Property> columns, Object entity) {
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = columns.get(i).read(entity);
        }
        return comparable(values);
    }

    /** Key values as a list that equals another of the same key: enums by name, numbers without trailing zeros. */
    private static Object comparable(Object[] key) {
        List<Object> values = new ArrayList<>(key.length);
        for (Object k : key) {
            values.add(k instanceof Enum<?> e ? e.name() : k instanceof java.math.BigDecimal d
                    ? d.stripTrailingZeros() : k instanceof Number n && !(k instanceof Double || k instanceof Float)
                    ? n.longValue() : k);
        }
        return values;
    }

    private static void checkTypes(EntityModel<?> model, List<?> batch) {
        checkTypes(model, batch, "insertAll");
    }

    private static void checkTypes(EntityModel<?> model, List<?> batch, String operation) {
        for (Object o : batch) {
            if (o.getClass() != model.type()) {
                throw new QueryException(operation + ": the input mixes " + model.name() + " and "
                        + o.getClass().getSimpleName() + "; write each entity type with its own " + operation);
            }
        }
    }
}
