/**
 * S3's GetObject and PutObject for the run-state bucket, as the S3 references describe them, behind
 * the same model check as every fake (botocore's S3 model; S3's error codes from its API
 * reference). Conditional writes (S3 User Guide, "How to prevent object overwrites with
 * conditional writes"): `If-None-Match: *` fails with 412 PreconditionFailed when the key exists;
 * `If-Match: <ETag>` fails with 412 when the ETag differs and 404 NoSuchKey when there is no object.
 * A read of a missing key is 404 NoSuchKey (the function's role may list the bucket, so S3 does not
 * answer 403). ETags come back quoted, as S3 sends them.
 */
import { GetObjectCommandInput, NoSuchKey, PutObjectCommandInput } from "@aws-sdk/client-s3";
import type { RunState } from "../../runtime/image-update/run/run-state";
import { sdkError } from "./sdk-errors";

interface StoredObject {
    readonly body: string;
    readonly etag: string;
}

export class FakeRunStateBucket {
    /** Objects by "<bucket>/<key>". */
    readonly objects = new Map<string, StoredObject>();
    private written = 0;

    /** `enter` records the call and applies the account's faults, as for every other call. */
    constructor(private readonly enter: (command: string, input: object) => Promise<void>) {}

    /** The run stored under `key` in whichever bucket (the function's bucket name is the program's). */
    run(key: string): { state: RunState; checkInProgress?: number } | undefined {
        const at = [...this.objects.keys()].find((name) => name.endsWith(`/${key}`));
        return at === undefined ? undefined : (this.json(at) as { state: RunState; checkInProgress?: number });
    }

    /** The parsed JSON of an object, for tests. */
    json(bucketAndKey: string): unknown {
        const object = this.objects.get(bucketAndKey);
        return object && JSON.parse(object.body);
    }

    async getObject(input: GetObjectCommandInput) {
        await this.enter("GetObject", input);
        const object = this.objects.get(`${input.Bucket}/${input.Key}`);
        if (!object) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
        return {
            // The SDK's streaming body, read with transformToString as the runtime reads it.
            Body: { transformToString: async () => object.body } as never,
            ETag: object.etag,
            ContentType: "application/json",
            ContentLength: Buffer.byteLength(object.body),
        };
    }

    async putObject(input: PutObjectCommandInput) {
        await this.enter("PutObject", input);
        const at = `${input.Bucket}/${input.Key}`;
        const current = this.objects.get(at);
        const preconditionFailed = () =>
            sdkError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
        if (input.IfNoneMatch !== undefined) {
            if (input.IfNoneMatch !== "*") throw sdkError("NotImplemented", "If-None-Match accepts only *", 501);
            if (current) throw preconditionFailed();
        }
        if (input.IfMatch !== undefined) {
            if (!current) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
            if (current.etag !== input.IfMatch) throw preconditionFailed();
        }
        if (typeof input.Body !== "string") throw new Error("the fake bucket stores text bodies only");
        const etag = `"${(++this.written).toString(16).padStart(32, "0")}"`;
        this.objects.set(at, { body: input.Body, etag });
        return { ETag: etag };
    }
}
