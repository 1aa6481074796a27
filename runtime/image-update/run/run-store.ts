/**
 * Where a run's state lives between steps: one S3 object per execution, in the run-state bucket.
 * Step Functions carries only a pointer to it, so a run holds any number of images (Step Functions
 * refuses a state over 256 KiB; S3 is AWS's documented place for large payloads).
 *
 * Every write is conditional on what the step read (S3 conditional writes: `If-None-Match: *` to
 * create, `If-Match: <ETag>` to replace), so two attempts of one step (a Lambda that timed out
 * while still running, and its retry) can never overwrite each other: the second writer gets
 * RunStateConflict, which the state machine retries, and the retry reads again.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { errorName, errorReason, isTransientError } from "../../aws/errors";
import type { RunState } from "./run-state";

/** What a run's object holds: its state, and the check an attempt began without finishing. */
export interface StoredRun {
    readonly state: RunState;
    /**
     * Set by a check before it changes anything and cleared by its last write: found set, it says
     * an earlier attempt of that check may have acted and then lost its result.
     */
    readonly checkInProgress?: number;
}

export interface VersionedRun {
    readonly run: StoredRun;
    /** The object's ETag: the version a conditional write replaces. */
    readonly etag: string;
}

/** A conditional write that lost to another writer; the state machine retries the step. */
export function runStateConflict(key: string, detail: string): Error {
    const error = new Error(`the run state ${key} changed since this step read it (${detail}); the step is retried`);
    error.name = "RunStateConflict";
    return error;
}

/**
 * S3 did not answer, or answered with a fault that passes (throttling, a 5xx, a lost answer), after
 * the SDK's own retries: the state machine retries the step, which reads the state again.
 */
function runStateUnavailable(key: string, err: unknown): Error {
    const error = new Error(`the run state ${key} could not be read or written: ${errorReason(err)}`);
    error.name = "RunStateUnavailable";
    return error;
}

/** The error a failed store call raises: a conflict or a passing fault, both retried, or S3's own. */
function storeError(key: string, err: unknown): Error {
    if (CONFLICT_ERRORS.includes(errorName(err))) return runStateConflict(key, errorName(err));
    if (isTransientError(err)) return runStateUnavailable(key, err);
    return err as Error;
}

export interface RunStore {
    /** The stored run and its version, or undefined when the execution has none yet. */
    read(key: string): Promise<VersionedRun | undefined>;
    /** Stores a new run; undefined when one exists already (another attempt made it). */
    create(key: string, run: StoredRun): Promise<string | undefined>;
    /** Replaces version `etag` and returns the new one; RunStateConflict when it is no longer current. */
    replace(key: string, run: StoredRun, etag: string): Promise<string>;
    /** Stores a run's full report (HTML), whatever is there: a retried notify step writes the same. */
    storeReport(key: string, html: string): Promise<{ bucket: string; key: string }>;
}

// S3's answers to a conditional write that does not hold: 412 when the object exists (If-None-Match)
// or has another ETag (If-Match), 404 when If-Match names an object that is gone, and 409 when
// another write to the key was in progress ("fetch the object's ETag and retry").
const PRECONDITION_FAILED = "PreconditionFailed";
const CONFLICT_ERRORS = [PRECONDITION_FAILED, "ConditionalRequestConflict", "NoSuchKey"];

export function s3RunStore(client: S3Client, bucket: string): RunStore {
    const put = async (key: string, run: StoredRun, condition: { IfMatch?: string; IfNoneMatch?: string }) => {
        const out = await client.send(
            new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                Body: JSON.stringify(run),
                ContentType: "application/json",
                ...condition,
            }),
        );
        return out.ETag ?? "";
    };
    return {
        async read(key) {
            try {
                const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
                const text = (await out.Body?.transformToString("utf-8")) ?? "";
                return { run: JSON.parse(text) as StoredRun, etag: out.ETag ?? "" };
            } catch (err) {
                if (errorName(err) === "NoSuchKey") return undefined;
                throw storeError(key, err);
            }
        },
        async create(key, run) {
            try {
                return await put(key, run, { IfNoneMatch: "*" });
            } catch (err) {
                if (errorName(err) === PRECONDITION_FAILED) return undefined;
                throw storeError(key, err);
            }
        },
        async replace(key, run, etag) {
            try {
                return await put(key, run, { IfMatch: etag });
            } catch (err) {
                throw storeError(key, err);
            }
        },
        async storeReport(key, html) {
            const command = new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                Body: html,
                ContentType: "text/html; charset=utf-8",
            });
            await client.send(command);
            return { bucket, key };
        },
    };
}
