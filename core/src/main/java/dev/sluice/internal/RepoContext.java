package dev.sluice.internal;

import java.time.Duration;
import java.util.Map;

import dev.sluice.spi.Executor;
import dev.sluice.spi.Observer;
import dev.sluice.spi.Session;
import reactor.core.publisher.Mono;

/**
 * What a repository's collaborators share: where statements run, the settings, the dialect and what is known of
 * the entities' tables. Immutable; a transaction's context differs only in its executor, which runs every statement
 * on the transaction's connection.
 *
 * @param executor runs statements: a connection per statement, or the transaction's
 * @param settings page and batch sizes, the statement listener
 * @param dialect  PostgreSQL's spelling of names
 * @param catalog  the entities' tables, checked once, shared with every transaction of the repository
 * @param tokens   signs and reads the repository's resume tokens (a key per repository)
 * @param converters the repository's value converters, and the entity models built with them
 * @param budget   the rows the repository's keyset streams may fetch ahead of demand beyond a minimum page each
 */
record RepoContext(Executor executor, RepoSettings settings, PostgresDialect dialect, EntityCatalog catalog,
                   ResumeToken tokens, Converters converters, PageBudget budget) {

    /** A context whose resume tokens are signed with a random key. */
    static RepoContext of(Executor executor, RepoSettings settings) {
        return of(executor, settings, ResumeToken.withRandomKey(), Converters.NONE);
    }

    static RepoContext of(Executor executor, RepoSettings settings, ResumeToken tokens, Converters converters) {
        return new RepoContext(executor, settings, PostgresDialect.INSTANCE, new EntityCatalog(PostgresDialect.INSTANCE),
                tokens, converters, PageBudget.of(settings));
    }

    /** The model of an entity type with this repository's converters. */
    <T> EntityModel<T> model(Class<T> type) {
        return converters.model(type);
    }

    /** The context inside a transaction: every statement runs on {@code session}; the catalog is shared. */
    RepoContext joining(Session session) {
        return new RepoContext(new JoinedExecutor(session, executor), settings, dialect, catalog, tokens, converters,
                budget);
    }

    /** The same context, every statement that returns rows cancelled on the server after {@code timeout}. */
    RepoContext timed(Duration timeout) {
        Executor untimed = executor instanceof TimedExecutor timed ? timed.outer() : executor;
        return new RepoContext(new TimedExecutor(untimed, timeout), settings, dialect, catalog, tokens, converters,
                budget);
    }

    /** The same context, every statement on {@code other}. */
    RepoContext withExecutor(Executor other) {
        return new RepoContext(other, settings, dialect, catalog, tokens, converters, budget);
    }

    /** Checks every entity a plan reads against its table, each once per repository. */
    Mono<Void> checked(LoadPlan<?> plan) {
        return Observed.statement(settings, Observer.Kind.CATALOG, plan.model().table(),
                catalog.checked(plan, executor));
    }

    /** Checks the entity against its table, once per repository. */
    Mono<Void> checked(EntityModel<?> model) {
        return columns(model).then();
    }

    /** The entity's table's columns by name, once checked against the entity. */
    Mono<Map<String, TableCheck.ColumnInfo>> columns(EntityModel<?> model) {
        return Observed.statement(settings, Observer.Kind.CATALOG, model.table(), catalog.columns(model, executor));
    }

    <T> EntityMapper<T> mapper(EntityModel<T> model) {
        return catalog.mapper(model);
    }
}
