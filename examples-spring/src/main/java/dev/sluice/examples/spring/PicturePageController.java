package dev.sluice.examples.spring;

import java.util.List;

import dev.sluice.KeysetPage;
import dev.sluice.Query;
import dev.sluice.Repo;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * Pictures a page at a time, as a JSON array, for REST clients: {@code GET /pictures?size=100} is the first page,
 * and the response's {@code Link: <...>; rel="next"} header is the address of the next (none after the last).
 */
@RestController
public class PicturePageController {

    private final Repo repo;

    public PicturePageController(Repo repo) {
        this.repo = repo;
    }

    @GetMapping(path = "/pictures", params = "size", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<List<Picture>>> pictures(@RequestParam int size,
                                                        @RequestParam(required = false) String after,
                                                        ServerHttpRequest request) {
        return page(repo.select(Picture.class), size, after, request);
    }

    @GetMapping(path = "/pictures/by-time", params = "size", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<List<Picture>>> picturesByTime(@RequestParam int size,
                                                              @RequestParam(required = false) String after,
                                                              ServerHttpRequest request) {
        return page(repo.select(Picture.class).orderBy("taken_at"), size, after, request);
    }

    /** The page after the token {@code after} (the first without one); the next page's address in a Link header. */
    private static Mono<ResponseEntity<List<Picture>>> page(Query<Picture> query, int size, String after,
                                                            ServerHttpRequest request) {
        if (size > 1000) {
            throw new IllegalArgumentException("size=" + size + ": at most 1000 pictures a page");
        }
        return query.page(size, after).map((KeysetPage<Picture> page) -> {
            ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
            if (page.next() != null) { // the token is URL-safe as it is
                String next = UriComponentsBuilder.fromUri(request.getURI())
                        .replaceQueryParam("after", page.next()).build(true).toUriString();
                ok.header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"");
            }
            return ok.body(page.rows());
        });
    }

    /** A token of another query, an altered one, or a bad size: the client's mistake, 400 with the reason. */
    @ExceptionHandler({InvalidDataAccessApiUsageException.class, IllegalArgumentException.class})
    public ResponseEntity<String> badPage(RuntimeException e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).contentType(MediaType.TEXT_PLAIN).body(e.getMessage());
    }
}
