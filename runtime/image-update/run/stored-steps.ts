/**
 * The run's steps around the run-state store: each reads the run's state, acts, and writes it back
 * conditionally, and hands Step Functions only a pointer. A step Step Functions retries after its
 * result was lost finds what it wrote and does not act twice; a check that began and never wrote
 * its result is marked, so its retry knows to look for what that attempt may have done.
 */
import { RunState } from "./run-state";
import { RunStore, runStateConflict } from "./run-store";

/** What Step Functions carries between steps: where the state is, and what the Choice state needs. */
export interface RunPointer {
    readonly key: string;
    readonly checks: number;
    readonly done: boolean;
    /** How many images the run holds (for a person reading the execution's history). */
    readonly images: number;
}

export const pointerTo = (key: string, state: RunState): RunPointer => ({
    key,
    checks: state.checks,
    done: state.done,
    images: state.images.length,
});

/** The state of a run whose pointer Step Functions holds; an error when it is gone. */
export async function readRun(store: RunStore, key: string) {
    const stored = await store.read(key);
    if (!stored) {
        const error = new Error(
            `the run state ${key} does not exist: it was deleted, or the bucket's lifecycle rule expired it`,
        );
        error.name = "RunStateMissing";
        throw error;
    }
    return stored;
}

/**
 * StartRun: an execution's first attempt discovers and starts the run and stores it; a retried
 * attempt whose predecessor stored the run returns that run, acting on nothing.
 */
export async function startStored(store: RunStore, key: string, begin: () => Promise<RunState>): Promise<RunPointer> {
    const stored = await store.read(key);
    if (stored) return pointerTo(key, stored.run.state);
    const state = await begin();
    if ((await store.create(key, { state })) === undefined) {
        // Another attempt of this StartRun stored the run first (one that timed out while still
        // running): the retry takes that run, and follows what this attempt started from AppStream.
        throw runStateConflict(key, "another attempt stored the run first");
    }
    return pointerTo(key, state);
}

/**
 * CheckUpdates: marks the check begun, runs it, and stores its result. `afterLostAttempt` tells
 * the check that an earlier attempt began it and may have acted (its result never stored).
 */
export async function checkStored(
    store: RunStore,
    pointer: RunPointer,
    check: (state: RunState, afterLostAttempt: boolean) => Promise<RunState>,
): Promise<RunPointer> {
    const { run, etag } = await readRun(store, pointer.key);
    // This check already ran and stored its result; Step Functions lost it and asks again.
    if (run.state.checks > pointer.checks || run.state.done) return pointerTo(pointer.key, run.state);
    const begun = await store.replace(pointer.key, { state: run.state, checkInProgress: run.state.checks + 1 }, etag);
    const next = await check(run.state, run.checkInProgress !== undefined);
    await store.replace(pointer.key, { state: next }, begun);
    return pointerTo(pointer.key, next);
}
