package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.r2dbc.SessionSettings;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/**
 * Session settings on every borrowed connection, from the subscriber's Reactor context: the tables here have a
 * row-level-security policy on {@code current_setting('app.tenant')}, read by a role without BYPASSRLS (the specs
 * connect as a superuser, which RLS would not restrict), so a page, a relation window, a cursor or a write that ran
 * without the subscriber's settings would see, or write, the other tenant's rows. The truth is SQL run as the
 * superuser with the tenant spelled out in a WHERE clause.
 */
class SessionSettingsSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TENANT = "tenant";
    private static final int NOTES = 1000;

    @Table("tenant_note")
    record Note(@Id Long id, String tenant, String text) {
    }

    @Table("tenant_write")
    record Written(@Id Long id, String tenant, String text) {
    }

    @Table("tenant_album")
    record Album(@Id Long id, String tenant, String title,
                 @HasMany(foreignKey = "album_id", orderBy = "id") List<Photo> photos) {
    }

    @Table("tenant_photo")
    record Photo(@Id Long id, Long albumId, String tenant, String caption) {
    }

    /** The same table name in a schema per tenant. */
    @Table("tenant_thing")
    record Thing(@Id Long id, String name) {
    }

    /** What a connection's session says about itself. */
    record Who(String who, String tenant, String path) {
    }

    private static String reader;
    private static String schemaOne;
    private static String schemaTwo;
    private final List<String> statements = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void tables() {
        TestDatabase db = TestDatabase.get();
        reader = db.schema() + "_reader";
        schemaOne = db.schema() + "_t1";
        schemaTwo = db.schema() + "_t2";
        String policy = "USING (tenant = current_setting('app.tenant', true)) "
                + "WITH CHECK (tenant = current_setting('app.tenant', true))";
        db.execute("CREATE ROLE " + reader + " NOLOGIN NOSUPERUSER NOBYPASSRLS",
                "GRANT USAGE ON SCHEMA " + db.schema() + " TO " + reader,
                "CREATE TABLE tenant_note (id bigint PRIMARY KEY, tenant text NOT NULL, text text NOT NULL)",
                "INSERT INTO tenant_note SELECT i, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, 'note ' || i "
                        + "FROM generate_series(1, " + NOTES + ") i",
                "CREATE TABLE tenant_album (id bigint PRIMARY KEY, tenant text NOT NULL, title text NOT NULL)",
                "CREATE TABLE tenant_photo (id bigint PRIMARY KEY, album_id bigint NOT NULL REFERENCES tenant_album, "
                        + "tenant text NOT NULL, caption text NOT NULL)",
                // albums alternate tenants; each album has 3 photos of its own tenant and 2 of the other one
                "INSERT INTO tenant_album SELECT i, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, 'album ' || i "
                        + "FROM generate_series(1, 60) i",
                "INSERT INTO tenant_photo SELECT a.id * 10 + p, a.id, "
                        + "CASE WHEN (a.tenant = 'odd') = (p <= 3) THEN 'odd' ELSE 'even' END, 'photo ' || p "
                        + "FROM tenant_album a, generate_series(1, 5) p",
                "CREATE TABLE tenant_write (id bigint PRIMARY KEY, tenant text NOT NULL, text text NOT NULL)");
        for (String table : List.of("tenant_note", "tenant_album", "tenant_photo", "tenant_write")) {
            db.execute("ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY",
                    "CREATE POLICY by_tenant ON " + table + " " + policy,
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO " + reader);
        }
        for (String schema : List.of(schemaOne, schemaTwo)) {
            int rows = schema.equals(schemaOne) ? 3 : 5;
            db.execute("CREATE SCHEMA " + schema,
                    "CREATE TABLE " + schema + ".tenant_thing (id bigint PRIMARY KEY, name text NOT NULL)",
                    "INSERT INTO " + schema + ".tenant_thing SELECT i, '" + schema + "' FROM generate_series(1, "
                            + rows + ") i");
        }
    }

    @AfterAll
    static void dropRoleAndSchemas() {
        TestDatabase.get().execute("DROP SCHEMA " + schemaOne + " CASCADE", "DROP SCHEMA " + schemaTwo + " CASCADE",
                "DROP OWNED BY " + reader, "DROP ROLE " + reader);
    }

    @BeforeEach
    void clean() {
        TestDatabase.get().execute("DELETE FROM tenant_write");
    }

    /** Runs as the RLS-bound role, for the tenant in the context; nothing without one. */
    private static final SessionSettings AS_TENANT = context -> context.<String>getOrEmpty(TENANT)
            .map(tenant -> {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("role", reader);
                settings.put("app.tenant", tenant);
                return settings;
            })
            .orElse(Map.of());

    private R2dbcRepo repo(int poolSize, int pageSize, SessionSettings settings) {
        String url = Fixtures.withParam(Fixtures.withParam(TestDatabase.get().r2dbcUrl(), "maxSize", poolSize),
                "initialSize", 1);
        return R2dbcRepo.builder(url).minPageSize(pageSize).maxPageSize(pageSize).relationBatchSize(pageSize)
                .sessionSettings(settings).statementListener(statements::add).build();
    }

    private static <T> Flux<T> as(String tenant, Publisher<T> publisher) {
        return Flux.from(publisher).contextWrite(Context.of(TENANT, tenant));
    }

    private static List<Long> idsOf(String tenant) {
        List<Long> ids = new ArrayList<>();
        for (String id : Fixtures.queryString("SELECT string_agg(id::text, ',' ORDER BY id) FROM tenant_note "
                + "WHERE tenant = '" + tenant + "'").split(",")) {
            ids.add(Long.parseLong(id));
        }
        return ids;
    }

    private static Who who(R2dbcRepo repo) {
        return repo.query(Who.class, "SELECT current_user::text AS who, "
                + "coalesce(current_setting('app.tenant', true), '<never set>') AS tenant, "
                + "current_setting('search_path') AS path").single().block(TIMEOUT);
    }

    private long count(String prefix) {
        return statements.stream().filter(sql -> sql.startsWith(prefix)).count();
    }

    @Test
    void twoTenantsStreamConcurrentlyOverAPoolOfTwoAndEachSeesOnlyItsRowsOnEveryPage() {
        try (R2dbcRepo repo = repo(2, 10, AS_TENANT)) {
            List<Note> odd = Collections.synchronizedList(new ArrayList<>());
            List<Note> even = Collections.synchronizedList(new ArrayList<>());
            // small requests, so that the two streams take turns on the two connections, page by page
            Flux<Note> both = Flux.merge(1, as("odd", repo.scan(Note.class).limitRate(10)).doOnNext(odd::add),
                    as("even", repo.scan(Note.class).limitRate(10)).doOnNext(even::add));
            StepVerifier.create(both).expectNextCount(NOTES).expectComplete().verify(TIMEOUT);
            assertThat(odd).extracting(Note::id).containsExactlyElementsOf(idsOf("odd"));
            assertThat(even).extracting(Note::id).containsExactlyElementsOf(idsOf("even"));
            assertThat(count("SELECT id, tenant, text FROM tenant_note")).as("pages of 10 rows").isGreaterThanOrEqualTo(100);
            assertThat(count("SELECT set_config($1, $2, false)")).as("settings applied for every page")
                    .isEqualTo(count("SELECT set_config($1, NULL, false)"))
                    .isGreaterThanOrEqualTo(count("SELECT id, tenant, text FROM tenant_note"));
        }
    }

    @Test
    void aConnectionHandedBackCarriesNoSettingsForTheNextBorrower() {
        try (R2dbcRepo repo = repo(1, 10, AS_TENANT)) {
            Who before = who(repo);
            StepVerifier.create(as("odd", repo.scan(Note.class))).expectNextCount(NOTES / 2).expectComplete()
                    .verify(TIMEOUT);
            StepVerifier.create(as("even", repo.select(Note.class).where("id <= ?", 100).count()))
                    .expectNext(50L).expectComplete().verify(TIMEOUT);
            // the one connection of the pool, borrowed without a tenant: back to the session it started as
            Who after = who(repo);
            assertThat(after.who()).isEqualTo(before.who()).isEqualTo(TestDatabase.get().user());
            assertThat(after.tenant()).as("app.tenant reset (a placeholder once set reads as empty)").isEmpty();
            assertThat(after.path()).isEqualTo(before.path());
            StepVerifier.create(repo.scan(Note.class).count()).expectNext((long) NOTES).expectComplete()
                    .verify(TIMEOUT);
        }
    }

    @Test
    void aSearchPathPerTenantPicksTheTenantsSchemaOnEveryPage() {
        SessionSettings bySchema = context -> context.<String>getOrEmpty(TENANT)
                .map(schema -> Map.of("search_path", schema)).orElse(Map.of());
        try (R2dbcRepo repo = repo(2, 2, bySchema)) {
            Flux<Thing> both = Flux.merge(1, as(schemaOne, repo.scan(Thing.class).limitRate(2)),
                    as(schemaTwo, repo.scan(Thing.class).limitRate(2)));
            StepVerifier.create(both.collectList()).assertNext(things -> {
                assertThat(things).filteredOn(thing -> thing.name().equals(schemaOne)).extracting(Thing::id)
                        .containsExactly(1L, 2L, 3L);
                assertThat(things).filteredOn(thing -> thing.name().equals(schemaTwo)).extracting(Thing::id)
                        .containsExactly(1L, 2L, 3L, 4L, 5L);
            }).expectComplete().verify(TIMEOUT);
            assertThat(who(repo).path()).as("the startup search_path again").isEqualTo(TestDatabase.get().schema());
        }
    }

    @Test
    void everyRelationWindowReadsAsTheTenant() {
        try (R2dbcRepo repo = repo(2, 7, AS_TENANT)) {
            List<Album> albums = as("odd", repo.select(Album.class).with("photos").flux()).collectList()
                    .block(TIMEOUT);
            assertThat(albums).extracting(Album::id).containsExactlyElementsOf(
                    Flux.range(0, 30).map(i -> 2L * i + 1).collectList().block());
            assertThat(albums).allSatisfy(album -> assertThat(album.photos()).extracting(Photo::id)
                    .containsExactly(album.id() * 10 + 1, album.id() * 10 + 2, album.id() * 10 + 3));
            assertThat(count("SELECT id, album_id, tenant, caption FROM tenant_photo")).as("one photo query per window of 7 albums").isEqualTo(5);
            assertThat(TestDatabase.get().queryLong("SELECT count(*) FROM tenant_photo p JOIN tenant_album a "
                    + "ON a.id = p.album_id WHERE a.tenant = 'odd' AND p.tenant = 'even'"))
                    .as("photos of the other tenant exist under these albums").isEqualTo(60);
        }
    }

    @Test
    void aCursorQueryReadsAsTheTenantInItsTransaction() {
        try (R2dbcRepo repo = repo(1, 10, AS_TENANT)) {
            StepVerifier.create(as("even", repo.select(Note.class).count())).expectNext((long) NOTES / 2)
                    .expectComplete().verify(TIMEOUT); // the entity's first use checks its table, outside a cursor
            statements.clear();
            Flux<Note> byText = repo.select(Note.class).orderBy("text desc").inOneSnapshot().flux().limitRate(10);
            StepVerifier.create(as("even", byText).map(Note::tenant).distinct().count())
                    .expectNext(1L).expectComplete().verify(TIMEOUT);
            StepVerifier.create(as("even", byText).count()).expectNext((long) NOTES / 2).expectComplete()
                    .verify(TIMEOUT);
            assertThat(statements).as("a cursor, set up once per transaction, transaction-local")
                    .anyMatch(sql -> sql.startsWith("DECLARE"))
                    .contains("SELECT set_config($1, $2, true), set_config($3, $4, true)")
                    .noneMatch(sql -> sql.startsWith("SELECT set_config($1, $2, false)"));
            assertThat(who(repo).tenant()).as("ended with the transaction").isNotEqualTo("even");
        }
    }

    @Test
    void writesRunAsTheTenant() {
        try (R2dbcRepo repo = repo(1, 10, AS_TENANT)) {
            StepVerifier.create(as("odd", repo.insertAll(Flux.range(1, 20)
                            .map(i -> new Written((long) i, "odd", "written " + i)))))
                    .expectNextCount(20).expectComplete().verify(TIMEOUT);
            StepVerifier.create(as("odd", repo.insert(new Written(21L, "even", "someone else's"))))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .hasMessageContaining("new row violates row-level security policy for table \"tenant_write\""))
                    .verify(TIMEOUT);
            TestDatabase.get().execute("INSERT INTO tenant_write VALUES (100, 'even', 'not yours')");
            StepVerifier.create(as("odd", repo.update(Written.class).set("text = ?", "changed").where("id > ?", 0L)
                            .execute()))
                    .expectNext(20L).expectComplete().verify(TIMEOUT);
            assertThat(TestDatabase.get().queryString("SELECT text FROM tenant_write WHERE id = 100"))
                    .isEqualTo("not yours");
            assertThat(TestDatabase.get().queryLong("SELECT count(*) FROM tenant_write WHERE tenant = 'odd' "
                    + "AND text = 'changed'")).isEqualTo(20);
        }
    }

    @Test
    void inTransactionAppliesTheSettingsOnceTransactionLocal() {
        try (R2dbcRepo repo = repo(1, 10, AS_TENANT)) {
            Flux<Long> work = repo.inTransaction(tx -> tx.insert(new Written(1L, "odd", "in a transaction"))
                    .then(tx.select(Written.class).count())
                    .concatWith(tx.scan(Written.class).count()));
            StepVerifier.create(as("odd", work)).expectNext(1L, 1L).expectComplete().verify(TIMEOUT);
            assertThat(count("SELECT set_config(")).as("once, after BEGIN").isEqualTo(1);
            assertThat(statements.indexOf("SELECT set_config($1, $2, true), set_config($3, $4, true)"))
                    .isEqualTo(statements.indexOf("BEGIN") + 1);
            assertThat(who(repo).tenant()).as("ended with the transaction (a placeholder once set reads as empty)")
                    .isEmpty();
        }
    }

    @Test
    void settingsThatCannotBeAppliedFailTheStatementAndLeaveTheConnectionClean() {
        SessionSettings unknownRole = context -> Map.of("role", "no_such_role_" + reader);
        try (R2dbcRepo repo = repo(1, 10, unknownRole)) {
            StepVerifier.create(repo.scan(Note.class))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .hasMessageContaining("role \"no_such_role_" + reader + "\" does not exist"))
                    .verify(TIMEOUT);
        }
        statements.clear();
        SessionSettings failing = context -> {
            throw new IllegalStateException("no tenant in this request");
        };
        try (R2dbcRepo repo = repo(1, 10, failing)) {
            StepVerifier.create(repo.scan(Note.class)).expectErrorMessage("no tenant in this request")
                    .verify(TIMEOUT);
            assertThat(statements).as("nothing sent").isEmpty();
        }
    }

    @Test
    void aNullValueIsRefusedNamingTheSetting() {
        SessionSettings withNull = context -> Collections.singletonMap("app.tenant", null);
        try (R2dbcRepo repo = repo(1, 10, withNull)) {
            StepVerifier.create(repo.scan(Note.class).then(Mono.empty()))
                    .expectErrorMessage("SessionSettings gave a null value for app.tenant; leave the setting out "
                            + "of the map instead")
                    .verify(TIMEOUT);
        }
    }
}
