package dev.sluice.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import dev.sluice.WriteException;
import dev.sluice.spi.DatabaseError;
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
final class Writes {

    /**
     * Batches requested ahead of the one being written: {@code concatMap} asks for the next batch while the
     * current one runs, so at most about two batches of input are held.
     */
    private static final int BATCHES_AHEAD = 1;

    private final CoreRepo repo;

    Writes(CoreRepo repo) {
        this.repo = repo;
    }

    @SuppressWarnings("unchecked")
    private static <T> EntityModel<T> modelOf(T entity) {
        return EntityModel.of((Class<T>) entity.getClass());
    }

    private <T> WriteSql<T> sql(EntityModel<T> model) {
        return new WriteSql<>(repo.dialect(), model);
    }

    <T> Mono<T> insert(T entity) {
        EntityModel<T> model = modelOf(entity);
        return repo.checked(model).then(Mono.defer(() -> repo.executor()
                .query(sql(model).insert(List.of(entity), null), repo.mapper(model)).single()))
                .onErrorMap(e -> refused(e, "insert", model, 1, List.of(entity)));
    }

    <T> Flux<T> insertAll(Publisher<T> entities) {
        return Flux.from(entities).switchOnFirst((first, all) -> {
            T entity = first.get();
            return entity == null ? all : batches(modelOf(entity), all, null);
        });
    }

    /** Writes {@code entities} as multi-row inserts of the model's type, one statement per batch. */
    <T> Flux<T> batches(EntityModel<T> model, Publisher<T> entities, WriteSql.@Nullable Conflict conflict) {
        WriteSql<T> sql = sql(model);
        int rows = sql.rowsPerStatement(repo.settings().writeBatchSize());
        EntityMapper<T> mapper = repo.mapper(model);
        String operation = conflict == null ? "insertAll" : "upsert";
        // an input that fails lets the batch in flight end first (emitted, or failed), then its error ends the
        // flux: so the rows emitted are exactly the rows written; the rows gathered after that batch are dropped
        return Flux.from(entities)
                .buffer(rows)
                .index()
                .concatMapDelayError(numbered -> {
                    List<T> batch = numbered.getT2();
                    long firstRow = numbered.getT1() * rows + 1;
                    return repo.checked(model).thenMany(Flux.defer(() -> {
                        checkTypes(model, batch);
                        return repo.executor().query(sql.insert(batch, conflict), mapper);
                    })).onErrorMap(e -> refused(e, operation, model, firstRow, batch));
                }, false, BATCHES_AHEAD)
                .onErrorMap(Exceptions::isMultiple, Writes::batchErrorFirst);
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
        return repo.checked(model).then(Mono.defer(() -> {
            checkTypes(model, List.of(entity));
            return repo.executor().query(sql(model).insert(List.of(entity), conflict), repo.mapper(model)).next();
        })).onErrorMap(e -> refused(e, "upsert", model, 1, List.of(entity)));
    }

    /**
     * A database error refusing a statement that held {@code batch}, the input rows from {@code firstRow} on, as a
     * {@link WriteException} that says where in the input it happened; any other error as it is.
     */
    private <T> Throwable refused(Throwable error, String operation, EntityModel<T> model, long firstRow,
                                  List<T> batch) {
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
        WriteSql<T> sql = sql(model);
        return repo.checked(model).then(Mono.defer(() -> repo.executor().query(sql.update(entity), repo.mapper(model))
                .next()
                .switchIfEmpty(Mono.error(() -> notFound(model, sql, entity, "update")))));
    }

    <T> Mono<Void> delete(T entity) {
        EntityModel<T> model = modelOf(entity);
        WriteSql<T> sql = sql(model);
        return repo.checked(model).then(Mono.defer(() -> repo.executor().update(sql.delete(entity))
                .flatMap(n -> n == 0 ? Mono.error(notFound(model, sql, entity, "delete")) : Mono.empty())));
    }

    <T> Mono<Long> execute(EntityModel<T> model, RenderedSql statement) {
        return repo.checked(model).then(repo.executor().update(statement));
    }

    /**
     * Copies entities with binary {@code COPY ... FROM STDIN}, in chunks of the write batch size. The key columns are
     * copied when the first entity's key is set, and left to their defaults when it is null. When the input fails
     * (the caller's publisher, or a row that breaks that key rule), the COPY is aborted and that error, not the
     * driver's "COPY from stdin failed", ends the {@code Mono}.
     */
    <T> Mono<Long> copyIn(EntityModel<T> model, Publisher<T> rows) {
        return repo.checked(model).then(describe(model)).flatMap(types -> Flux.from(rows)
                .switchOnFirst((first, all) -> {
                    T entity = first.get();
                    if (entity == null) {
                        return all.then(Mono.just(0L));
                    }
                    boolean withKey = model.key().stream().allMatch(p -> p.read(entity) != null);
                    List<Property> columns = model.properties().stream().filter(p -> withKey || !p.id()).toList();
                    BinaryCopy<T> copy = BinaryCopy.of(repo.dialect(), model, columns, types);
                    // the driver reports a failed input as its own "COPY from stdin failed" error: keep the
                    // input's error (the caller's, or ours for a bad row) to hand it on as it was
                    AtomicReference<@Nullable Throwable> inputError = new AtomicReference<>();
                    Flux<byte[]> tuples = all.buffer(repo.settings().writeBatchSize()).map(batch -> {
                        if (!withKey) {
                            checkNoKeys(model, batch);
                        }
                        return copy.encode(batch);
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
                .single());
    }

    /** A database error refusing a COPY, whose context names the input line, e.g. "COPY picture, line 5". */
    private Throwable copyRefused(Throwable error, EntityModel<?> model) {
        DatabaseError database = repo.executor().databaseError(error);
        if (database == null) {
            return error;
        }
        return new WriteException("copyIn of " + model.name() + " into " + model.table() + " was refused; nothing was "
                + "written: " + database.message(), error, 0, 0, database.sqlState());
    }

    private Mono<Map<String, TableCheck.ColumnInfo>> describe(EntityModel<?> model) {
        return repo.describe(model).collectMap(TableCheck.ColumnInfo::name);
    }

    private static <T> void checkNoKeys(EntityModel<T> model, List<T> batch) {
        for (T row : batch) {
            for (Property p : model.key()) {
                if (p.read(row) != null) {
                    throw new QueryException("copyIn(" + model.name() + ".class): the first row's key was null, so "
                            + "keys are generated, but a later row has " + p.name() + "=" + p.read(row) + "; give "
                            + "every row a key or none");
                }
            }
        }
    }

    private static <T> RowCountException notFound(EntityModel<T> model, WriteSql<T> sql, T entity, String verb) {
        return new RowCountException("Expected to " + verb + " one " + model.name() + " row with "
                + sql.describeKey(entity) + ", but found none", 1, 0);
    }

    private static void checkTypes(EntityModel<?> model, List<?> batch) {
        for (Object o : batch) {
            if (o.getClass() != model.type()) {
                throw new QueryException("insertAll: the input mixes " + model.name() + " and "
                        + o.getClass().getSimpleName() + "; write each entity type with its own insertAll");
            }
        }
    }
}
