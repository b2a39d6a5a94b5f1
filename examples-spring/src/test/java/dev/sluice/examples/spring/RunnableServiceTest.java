package dev.sluice.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.testkit.TestDatabase;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The service as the README starts it, over real HTTP: on a schema of its own with no tables, it creates them and
 * fills them with sample rows (sizes set small here), streams them, and answers Actuator's health, metrics and
 * Prometheus endpoints, the pool's r2dbc meters among them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RunnableServiceTest {

    private static final int PICTURES = 300;
    private static final int ALBUMS = 7;
    private static final String SCHEMA = TestDatabase.get().schema() + "_service";

    @DynamicPropertySource
    static void emptySchema(DynamicPropertyRegistry registry) {
        TestDatabase db = TestDatabase.get();
        db.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        registry.add("spring.r2dbc.url", () -> db.r2dbcUrl().replace("schema=" + db.schema(), "schema=" + SCHEMA));
        registry.add("sample-data.pictures", () -> PICTURES);
        registry.add("sample-data.albums", () -> ALBUMS);
    }

    @AfterAll
    static void dropSchema() {
        TestDatabase.get().execute("DROP SCHEMA " + SCHEMA + " CASCADE");
    }

    @LocalServerPort
    int port;

    @Autowired
    StreamParents streamParents;

    /** Records the parent of every Sluice stream observation: the HTTP request's, when WebFlux serves it. */
    @TestConfiguration(proxyBeanMethods = false)
    static class StreamParents implements ObservationHandler<Observation.Context> {
        final List<String> parents = new CopyOnWriteArrayList<>();

        @Override
        public boolean supportsContext(Observation.Context context) {
            return "sluice.stream".equals(context.getName());
        }

        @Override
        public void onStop(Observation.Context context) {
            ObservationView parent = context.getParentObservation();
            parents.add(parent == null ? "none" : parent.getContextView().getName());
        }
    }

    @Autowired
    SampleData sampleData;

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static long rows(String table) {
        return TestDatabase.get().queryLong("SELECT count(*) FROM " + SCHEMA + "." + table);
    }

    @Test
    void itCreatesItsTablesWithSampleRowsOnceAndStreamsThem() {
        assertThat(rows("picture")).isEqualTo(PICTURES);
        assertThat(rows("album")).isEqualTo(ALBUMS);
        assertThat(rows("photo")).isEqualTo(ALBUMS * 10L);
        sampleData.run(null);
        assertThat(rows("picture")).as("a table with rows is left as it is").isEqualTo(PICTURES);
        assertThat(client().get().uri("/pictures").accept(MediaType.APPLICATION_NDJSON).exchange()
                .expectStatus().isOk().returnResult(Picture.class).getResponseBody().map(Picture::id).collectList()
                .block(Duration.ofSeconds(30)))
                .hasSize(PICTURES).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void healthIsUpWithTheDatabase() {
        client().get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status").isEqualTo("UP")
                .jsonPath("$.components.r2dbc.details.database").isEqualTo("PostgreSQL");
    }

    @Test
    void metricsNameThePoolsMeters() {
        client().get().uri("/actuator/metrics").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.names").value(names -> assertThat(names.toString())
                        .contains("r2dbc.pool.acquired", "r2dbc.pool.idle", "http.server.requests"));
        client().get().uri("/actuator/metrics/r2dbc.pool.max.allocated").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.measurements[0].value").isEqualTo(10.0);
    }

    @Test
    void prometheusScrapesThePoolsMeters() {
        client().get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
                .value(text -> assertThat(text)
                        .contains("# TYPE r2dbc_pool_acquired_connections gauge")
                        .contains("r2dbc_pool_max_allocated_connections{name=\"connectionFactory\"} 10.0"));
    }

    @Test
    void prometheusShowsSluicesMetersAfterARequest() {
        assertThat(client().get().uri("/pictures").accept(MediaType.APPLICATION_NDJSON).exchange()
                .expectStatus().isOk().returnResult(Picture.class).getResponseBody().count()
                .block(Duration.ofSeconds(30))).isEqualTo(PICTURES);
        String text = client().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(text).contains("# TYPE sluice_stream_seconds summary", "# TYPE sluice_statement_seconds summary",
                "# TYPE sluice_connection_wait_seconds summary", "# TYPE sluice_stream_rows_total counter");
        String rows = text.lines()
                .filter(l -> l.startsWith("sluice_stream_rows_total{entity=\"Picture\",outcome=\"completed\","
                        + "strategy=\"keyset\"}"))
                .findFirst().orElseThrow(() -> new AssertionError("no rows counter of Picture streams in\n" + text));
        // every completed /pictures stream (this test's, and any other test's of this service) delivered them all
        double delivered = Double.parseDouble(rows.substring(rows.lastIndexOf(' ') + 1));
        assertThat(delivered).isPositive();
        assertThat(delivered % PICTURES).isZero();
        assertThat(streamParents.parents).as("the request's observation is the stream's parent")
                .contains("http.server.requests").doesNotContain("none");
        assertThat(text).containsPattern("sluice_statement_seconds_count\\{[^}]*kind=\"page\",table=\"picture\"\\} ");
    }
}
