package dev.sluice.r2dbc;

import java.util.Map;

import reactor.util.context.ContextView;

/**
 * Session settings for every connection a repository borrows, taken from the subscriber's Reactor context: the
 * tenant a row-level-security policy reads with {@code current_setting('app.tenant')}, a {@code search_path} for a
 * schema per tenant, a {@code role} to run as. Set it with {@link R2dbcRepo.Builder#sessionSettings}; the Spring Boot
 * starter uses a bean of this type.
 *
 * <pre>{@code
 * R2dbcRepo repo = R2dbcRepo.builder(connectionFactory)
 *         .sessionSettings(context -> context.<String>getOrEmpty("tenant")
 *                 .map(tenant -> Map.of("app.tenant", tenant))
 *                 .orElse(Map.of()))
 *         .build();
 * Flux<Invoice> mine = repo.scan(Invoice.class).contextWrite(Context.of("tenant", "acme"));
 * }</pre>
 *
 * <p>Why the hook is needed: a keyset scan borrows a pooled connection per page, and relation windows, writes and
 * transactions borrow their own, so a {@code SET} made on one connection is not there for the next page, and a
 * {@code SET} left behind on a pooled connection leaks into whoever borrows it next. So Sluice applies the settings
 * on each borrowed connection and undoes them before it goes back:
 * <ul>
 *   <li>a statement outside a transaction (a page, a relation window, a write, a count): before it,
 *       {@code SELECT set_config($1, $2, false), ...}; after it, however it ended, {@code SELECT set_config($1, NULL,
 *       false), ...}, which is PostgreSQL's {@code RESET} for each name: the value the connection started with;</li>
 *   <li>a transaction ({@link dev.sluice.Repo#inTransaction}, a cursor-mode query): once, after {@code BEGIN}, with
 *       {@code set_config($1, $2, true)}, which ends with the transaction whether it commits or rolls back;</li>
 *   <li>inside a transaction managed elsewhere (Spring's; see {@link ConnectionProvider#inExternalTransaction()}):
 *       before each statement, transaction-local as well, so nothing needs undoing on a connection Sluice does not
 *       give back itself.</li>
 * </ul>
 * If the undo fails (the connection broke, say), the connection is closed rather than handed back with another
 * subscriber's settings. Names and values are bind parameters, never SQL text. Settings the returned map leaves
 * out are not touched, and an empty map costs nothing: no statement is added.
 *
 * <p>Why settings and not statements of the application's own: {@code set_config} covers the three cases above
 * ({@code role} is {@code SET ROLE}), its undo is exact and can be made transaction-local (a statement of one's own
 * would need a hand-written undo, could not be undone inside an aborted transaction, and its results would have to
 * be read to the end, or the connection stalls). For anything else, wrap the {@link ConnectionProvider}.
 *
 * <p>Called once per statement or transaction, inside the subscription; it must be fast and thread-safe. Throwing
 * fails the statement before it runs.
 */
@FunctionalInterface
public interface SessionSettings {

    /** No settings: connections are used as the pool hands them out. The default. */
    SessionSettings NONE = context -> Map.of();

    /**
     * The settings (configuration parameter name to value, e.g. {@code app.tenant -> acme}, {@code role -> tenant},
     * {@code search_path -> tenant_acme}) for statements of the subscriber whose context this is; empty for none.
     * Applied in the map's iteration order. Neither names nor values may be null.
     */
    Map<String, String> settings(ContextView context);
}
