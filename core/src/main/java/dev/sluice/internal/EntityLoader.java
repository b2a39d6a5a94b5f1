package dev.sluice.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import dev.sluice.spi.Observer;
import dev.sluice.spi.RenderedSql;
import reactor.core.publisher.Flux;

/**
 * Loads what a query left out of entities already in hand: deferred columns and relations, per window of entities.
 * One query reads the window's rows by key (the deferred columns, and the keys the relations need), then one query
 * per relation; the results are set onto copies of the entities, whose other components are kept.
 */
final class EntityLoader<T> {

    private final Fetcher fetcher;
    private final EntityModel<T> model;
    private final List<Property> deferred = new ArrayList<>();
    private final List<Integer> positions = new ArrayList<>();
    private final LoadPlan<T> plan;

    EntityLoader(Fetcher fetcher, EntityModel<T> model, String[] names) {
        this.fetcher = fetcher;
        this.model = model;
        String what = "load(" + model.name() + ", " + String.join(", ", names) + ")";
        if (names.length == 0) {
            throw new QueryException(what + ": name the deferred components or relations to load");
        }
        if (model.key().size() != 1) {
            throw new QueryException(what + ": loading later needs a single-column key, but " + model.name()
                    + " has " + model.key().size() + "; query with undefer(...) or with(...) instead");
        }
        List<String> paths = new ArrayList<>();
        for (String name : names) {
            Property p = model.property(name).orElse(null);
            if (p != null && p.deferred()) {
                deferred.add(p);
                positions.add(p.position());
            } else if (p != null) {
                throw new QueryException(what + ": " + model.name() + "." + p.name() + " is not @Deferred, so it is "
                        + "always loaded");
            } else {
                paths.add(name);
                positions.add(model.relation(name.split("\\.", -1)[0]).map(Relation::position).orElse(-1));
            }
        }
        Property key = model.key().get(0);
        List<Property> columns = new ArrayList<>();
        columns.add(key);
        columns.addAll(deferred);
        this.plan = LoadPlan.root(model, columns, List.of(), LoadPlan.paths(model, paths));
    }

    /** Loads per window, every window of this stream on the one server the read is routed to. */
    Flux<T> loadAll(Flux<T> entities) {
        return Flux.defer(() -> {
            Fetcher read = fetcher.forRead();
            RepoContext context = read.context();
            return context.checked(plan).thenMany(entities.buffer(context.settings().relationBatchSize())
                    .concatMap(batch -> window(read, batch)));
        });
    }

    private Flux<T> window(Fetcher read, List<T> entities) {
        Property key = model.key().get(0);
        Object keys = RelationLoader.keyArray(entities.stream().map(key::read).toList(), key.boxedType());
        RepoContext context = read.context();
        RenderedSql sql = SelectSql.of(context.dialect(), plan, List.of(), OrderBy.byKey(model)).byKeys(List.of(keys));
        return Observed.statement(context.settings(), Observer.Kind.LOOKUP, model.table(),
                        read.retriedWindow(sql, plan).loaded()
                                .onErrorMap(ReadRetry.GivenUp.class,
                                        given -> given.lost(model.table(), ReadRetry.Position.NONE)))
                .flatMapMany(rows -> Flux.defer(() -> Flux.fromIterable(merge(entities, rows))));
    }

    private List<T> merge(List<T> entities, List<Object[]> rows) {
        Property key = model.key().get(0);
        Map<Object, Object[]> byKey = new HashMap<>();
        rows.forEach(row -> byKey.put(row[key.position()], row));
        List<T> loaded = new ArrayList<>(entities.size());
        for (T entity : entities) {
            Object[] row = byKey.get(key.read(entity));
            if (row == null) {
                throw new RowCountException("load: no " + model.name() + " row has " + key.column() + "="
                        + key.read(entity) + " any more", 1, 0);
            }
            Object[] args = model.componentsOf(entity);
            for (int position : positions) {
                args[position] = row[position];
            }
            loaded.add(model.construct(args));
        }
        return loaded;
    }
}
