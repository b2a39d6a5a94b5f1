package dev.sluice.examples.spring;

import dev.sluice.Repo;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bulk loads in one Spring-managed transaction: Sluice's statements join it, so a failure in any batch (a
 * duplicate key, a client that disconnects mid-upload) rolls back every batch written before it.
 */
@Service
public class PictureImport {

    private final Repo repo;

    public PictureImport(Repo repo) {
        this.repo = repo;
    }

    /** Inserts the pictures in multi-row batches, at the database's pace; emits how many were written. */
    @Transactional
    public Mono<Long> importAll(Flux<Picture> pictures) {
        return repo.insertAll(pictures).count();
    }
}
