/** Bounded concurrency for the workflow's per-image and per-fleet reads. */

/** Tags are read one resource at a time; a few at once keeps a step fast and under AppStream's rate limits. */
export const TAG_READ_CONCURRENCY = 8;

/** Runs `work` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
    items: readonly T[],
    limit: number,
    work: (item: T) => Promise<R>,
): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}
