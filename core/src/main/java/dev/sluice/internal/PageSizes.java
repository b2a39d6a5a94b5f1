package dev.sluice.internal;

/**
 * The page sizes of one stream: the smallest page, even for {@code request(1)}, and the most rows fetched ahead of
 * demand (the largest page, unless the subscriber has asked for more and pages can be stopped on the server).
 *
 * @param min at least 1
 * @param max at least {@code min}
 */
record PageSizes(int min, int max) {

    /** The repository's page sizes. */
    static PageSizes of(RepoSettings settings) {
        return new PageSizes(settings.minPageSize(), settings.maxPageSize());
    }

    /**
     * The page sizes for a plan: with relations to load, a page is one window of at most the relation batch size,
     * so each page costs 1 + relations statements.
     */
    static PageSizes of(RepoSettings settings, LoadPlan<?> plan) {
        if (plan.branches().isEmpty()) {
            return of(settings);
        }
        int max = Math.min(settings.maxPageSize(), settings.relationBatchSize());
        return new PageSizes(Math.min(settings.minPageSize(), max), max);
    }
}
