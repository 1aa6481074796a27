import * as assert from "assert";
import {
    COMPUTED_VALUES,
    PARTITION_KEY,
    USAGE_RECORD_FIELDS,
    glueColumns,
    scriptFieldSpecs,
} from "../../../runtime/usage/record-schema";
import { readmeSection, tableRows } from "../../helpers/readme";

describe("usage-record schema", () => {
    it("has unique lower snake_case field names and leaves the partition key out of the record", () => {
        const names = USAGE_RECORD_FIELDS.map((f) => f.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const name of names) assert.match(name, /^[a-z][a-z0-9_]*$/);
        assert.ok(!names.includes(PARTITION_KEY));
    });

    it("holds everything the original termination script captured", () => {
        const names = USAGE_RECORD_FIELDS.map((f) => f.name);
        for (const required of [
            "region",
            "stack_name",
            "fleet_name",
            "access_mode",
            "user_name",
            "image_arn",
            "instance_type",
            "session_id",
            "session_start_utc",
            "session_end_utc",
            "duration_seconds",
        ]) {
            assert.ok(names.includes(required), `${required} missing`);
        }
    });

    it("reads the documented AppStream environment variables", () => {
        const envs = USAGE_RECORD_FIELDS.flatMap((f) => ("env" in f.source ? [f.source.env] : []));
        assert.deepStrictEqual(envs.sort(), [
            "AppStream_Image_Arn",
            "AppStream_Instance_Type",
            "AppStream_Resource_Name",
            // session_id is computed (the id, or the fallback key); the raw reservation time is kept as set.
            "AppStream_Session_Reservation_DateTime",
            "AppStream_Stack_Name",
            "AppStream_UserName",
            "AppStream_User_Access_Mode",
        ]);
    });

    it("gives the table and the scripts the fields the README documents, with their types, in its order", () => {
        // Both sides are generated from one array, so each is checked against the README's
        // hand-written record table instead of against the other.
        const documented = tableRows(readmeSection("The usage record")).map(([name, type]) => [name, type]);
        assert.ok(documented.length >= 15, `the README's record table has ${documented.length} rows`);
        assert.deepStrictEqual(
            glueColumns().map((c) => [c.name, c.type]),
            documented,
        );
        assert.deepStrictEqual(
            scriptFieldSpecs().map((f) => [f.name, f.type]),
            documented,
        );
    });

    it("every script field has exactly one source, and computed ones are known to the scripts", () => {
        for (const spec of scriptFieldSpecs()) {
            assert.ok((spec.env === undefined) !== (spec.computed === undefined), spec.name);
            if (spec.computed) assert.ok(COMPUTED_VALUES.includes(spec.computed), spec.computed);
        }
    });
});
