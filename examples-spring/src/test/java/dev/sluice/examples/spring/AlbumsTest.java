package dev.sluice.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** {@code GET /albums?with=photos}: albums stream with their photos, equal to what SQL says. */
class AlbumsTest extends ServiceTestBase {

    static final int ALBUMS = 1200;

    @BeforeAll
    static void albums() {
        TestDatabase.get().execute(
                "CREATE TABLE IF NOT EXISTS album (id bigint PRIMARY KEY, title text NOT NULL)",
                "CREATE TABLE IF NOT EXISTS photo (id bigint PRIMARY KEY, album_id bigint NOT NULL REFERENCES album, "
                        + "caption text NOT NULL)",
                "INSERT INTO album SELECT a, 'album ' || a FROM generate_series(1, " + ALBUMS + ") a "
                        + "ON CONFLICT DO NOTHING",
                "INSERT INTO photo SELECT a * 10 + p, a, 'photo ' || p FROM generate_series(1, " + ALBUMS + ") a, "
                        + "generate_series(1, 4) p WHERE p <= a % 5 ON CONFLICT DO NOTHING");
    }

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static String describe(Album a) {
        return a.id() + ":" + a.photos().stream().map(p -> String.valueOf(p.id())).collect(Collectors.joining(","));
    }

    @Test
    void albumsStreamWithTheirPhotosAsSqlSaysTheyAre() {
        List<Album> albums = client().get().uri("/albums?with=photos").accept(MediaType.APPLICATION_NDJSON)
                .exchange().expectStatus().isOk().returnResult(Album.class).getResponseBody().collectList()
                .block(Duration.ofSeconds(30));
        String truth = TestDatabase.get().queryString("SELECT string_agg(line, ';' ORDER BY id) FROM (SELECT a.id, "
                + "a.id || ':' || coalesce((SELECT string_agg(p.id::text, ',' ORDER BY p.id) FROM photo p "
                + "WHERE p.album_id = a.id), '') AS line FROM album a) lines");
        assertThat(albums).hasSize(ALBUMS);
        assertThat(albums.stream().map(AlbumsTest::describe).collect(Collectors.joining(";"))).isEqualTo(truth);
    }

    @Test
    void withoutWithThePhotosAreNotLoaded() {
        List<Album> albums = client().get().uri("/albums").accept(MediaType.APPLICATION_NDJSON)
                .exchange().expectStatus().isOk().returnResult(Album.class).getResponseBody().take(5).collectList()
                .block(Duration.ofSeconds(30));
        assertThat(albums).hasSize(5).allSatisfy(a -> assertThat(a.photos()).isNull());
    }

    @Test
    void anUnknownRelationIsABadRequestThatSaysWhichExist() {
        client().get().uri("/albums?with=fotos").accept(MediaType.APPLICATION_NDJSON, MediaType.TEXT_PLAIN)
                .exchange().expectStatus().isBadRequest()
                .expectBody(String.class)
                .isEqualTo("with(\"fotos\"): Album has no relation 'fotos'; its relations are photos");
    }
}
