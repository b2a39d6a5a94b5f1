package dev.sluice.spec;

import org.junit.jupiter.api.BeforeAll;
import reactor.test.StepVerifier;

/** The read specs over {@code picture}: the table made once, and counting it as the repository's first use. */
abstract class PictureSpecBase extends RelayedSpecBase {

    PictureSpecBase(int minPage, int maxPage) {
        super(minPage, maxPage);
    }

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
    }

    @Override
    void firstUse() {
        StepVerifier.create(repo.select(Picture.class).count()).expectNext((long) Fixtures.PICTURES).verifyComplete();
    }
}
