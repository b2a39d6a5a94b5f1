/**
 * Sluice's implementation: unstable, exported only to the R2DBC adapter. Only {@link dev.sluice.internal.CoreRepo}
 * and {@link dev.sluice.internal.RepoSettings} are public, for adapters; both may change in any release. Every
 * other class is package-private and final. The package stays flat, so that nothing here has to be public to be
 * shared; its classes fall into these groups.
 *
 * <dl>
 *   <dt>Entry</dt>
 *   <dd>{@code CoreRepo} (the {@code Repo} facade), {@code RepoContext} (what collaborators share: executor,
 *       settings, dialect, catalog), {@code RepoSettings}, {@code JoinedExecutor} (statements of a transaction),
 *       {@code TimedExecutor} (a query's timeout on every statement),
 *       {@code DefaultQuery}, {@code DefaultUpdate}, {@code DefaultDelete}, {@code DefaultUpsert} (the immutable
 *       builders behind the API).</dd>
 *   <dt>Model</dt>
 *   <dd>{@code EntityModel} (a record's table, columns, key, relations; built once per type), {@code Property},
 *       {@code Relation}, {@code Names}, {@code ValueType}, {@code RecordConstructor}, {@code KeyValues} (key
 *       coercion), {@code TableCheck} and {@code EntityCatalog} (each entity checked against its table once).</dd>
 *   <dt>Plan</dt>
 *   <dd>{@code LoadPlan} (columns and relation tree of one query), {@code Projection}, {@code OrderBy},
 *       {@code Condition}, {@code Placeholders} (the one lexer every SQL fragment goes through),
 *       {@code BindValues}.</dd>
 *   <dt>SQL</dt>
 *   <dd>The renderers, the only classes that write SQL text, each unit-tested by exact strings:
 *       {@code SelectSql} (pages, lookups, counts, select lists), {@code RelationSql} (child batch queries),
 *       {@code CursorSql}, {@code CatalogSql}, {@code WriteSql} (inserts, upserts, updates, deletes, COPY); and
 *       {@code PostgresDialect} (identifier quoting).</dd>
 *   <dt>Fetch</dt>
 *   <dd>{@code Fetcher} (the fetch engine: one rows-then-relations step for every page, window, lookup and later
 *       load), {@code FetchStrategy} and {@code EntityFetch}, {@code KeysetPages} and {@code CursorPages} (the
 *       two strategies), {@code DemandPager} (demand into page sizes), {@code PageSizes}, {@code WholeOrPaged},
 *       {@code RelationLoader} (relations of one window), {@code EntityLoader} (deferred columns and relations of
 *       entities in hand).</dd>
 *   <dt>Rows</dt>
 *   <dd>{@code RowReader} (a row into constructor arguments), {@code EntityMapper}, {@code ResultMapper} (custom
 *       SQL by column name).</dd>
 *   <dt>Writes</dt>
 *   <dd>{@code EntityWriter} (insert, batches, upsert, update, delete, COPY and their error reports),
 *       {@code ColumnFit} (every written value fits its column exactly), {@code BinaryCopy} (the COPY binary
 *       format).</dd>
 * </dl>
 *
 * <p>The way of a read: {@code Repo.select} -> {@code DefaultQuery} ({@code LoadPlan}, {@code SelectSql}) ->
 * {@code Fetcher.stream} -> {@code FetchStrategy} ({@code KeysetPages} or {@code CursorPages}, paced by
 * {@code DemandPager}) -> {@code Fetcher.rows} -> the adapter's {@code Executor} -> {@code RowReader} ->
 * {@code RelationLoader} per window -> the entity.
 */
@NullMarked
package dev.sluice.internal;

import org.jspecify.annotations.NullMarked;
