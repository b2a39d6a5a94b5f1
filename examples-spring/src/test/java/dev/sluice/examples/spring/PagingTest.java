package dev.sluice.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code GET /pictures?size=n} over real HTTP: following the {@code Link: rel="next"} headers from the first page
 * reads every row once, in the order SQL gives, and the last page has no link; a token altered or taken from another
 * query is a 400 that says so; no connection or transaction is held between pages.
 */
class PagingTest extends ServiceTestBase {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(60))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(64 * 1024 * 1024)).build();
    }

    private EntityExchangeResult<List<Picture>> get(String uri) {
        return client().get().uri(java.net.URI.create(uri.startsWith("http") ? uri : "http://127.0.0.1:" + port + uri))
                .accept(MediaType.APPLICATION_JSON).exchange().expectStatus().isOk()
                .expectBodyList(Picture.class).returnResult();
    }

    private static String next(EntityExchangeResult<?> result) {
        String link = result.getResponseHeaders().getFirst(HttpHeaders.LINK);
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        assertThat(m.matches()).as(link).isTrue();
        return m.group(1);
    }

    private static List<Long> ids(String sql) {
        List<Long> ids = new ArrayList<>();
        for (String id : TestDatabase.get().queryString("SELECT array_to_string(ARRAY(" + sql + "), ',')")
                .split(",")) {
            ids.add(Long.parseLong(id));
        }
        return ids;
    }

    @Test
    void followingTheLinksReadsEveryPictureOnceInTimeOrder() throws InterruptedException {
        List<Long> read = new ArrayList<>();
        String uri = "/pictures/by-time?size=1000";
        int pages = 0;
        while (uri != null) {
            EntityExchangeResult<List<Picture>> page = get(uri);
            pages++;
            page.getResponseBody().forEach(p -> read.add(p.id()));
            uri = next(page);
            if (uri != null) {
                assertThat(uri).startsWith("http://127.0.0.1:" + port + "/pictures/by-time?size=1000&after=");
                // between pages nothing is held
                await("the page's connection back in the pool", () -> acquired() == 0, Duration.ofSeconds(10));
                assertThat(sessionsInTransaction()).isZero();
            }
        }
        assertThat(pages).isEqualTo(PICTURES / 1000);
        assertThat(read).containsExactlyElementsOf(ids("SELECT id FROM picture ORDER BY taken_at, id"));
    }

    @Test
    void theFirstPagesByKeyAreTheFirstRowsByKey() {
        List<Long> read = new ArrayList<>();
        String uri = "/pictures?size=100";
        for (int i = 0; i < 3; i++) {
            EntityExchangeResult<List<Picture>> page = get(uri);
            assertThat(page.getResponseBody()).hasSize(100);
            page.getResponseBody().forEach(p -> read.add(p.id()));
            uri = next(page);
        }
        assertThat(read).containsExactlyElementsOf(ids("SELECT id FROM picture ORDER BY id LIMIT 300"));
    }

    @Test
    void aTokenAlteredOrOfAnotherQueryIsABadRequest() {
        String byKey = next(get("/pictures?size=10"));
        String token = byKey.substring(byKey.indexOf("after=") + 6);
        String refused = "the resume token was refused: it was made by another query (another entity, order or "
                + "condition), by another repository or before a restart with another key, or it was altered; start "
                + "again from the first page (no token) and use the tokens that pages of this query give";
        client().get().uri("/pictures/by-time?size=10&after=" + token).exchange()
                .expectStatus().isBadRequest()
                .expectBody(String.class).isEqualTo("page(10, \"" + token + "\"): " + refused);
        String altered = token.substring(0, 3) + (token.charAt(3) == 'A' ? 'B' : 'A') + token.substring(4);
        client().get().uri("/pictures?size=10&after=" + altered).exchange()
                .expectStatus().isBadRequest()
                .expectBody(String.class).value(body -> assertThat(body).contains("the resume token was refused"));
        client().get().uri("/pictures?size=10&after=" + token).exchange().expectStatus().isOk();
    }
}
