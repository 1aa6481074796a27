import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { createZip } from "../../runtime/zip";
import { UNKNOWN, engineResource, evaluatePack, ofPolicy } from "../helpers/policy-pack";

const POLICY = "appstream-session-scripts-wait-time";
const config = (start: unknown, end: unknown = 30) => ({
    SessionStart: { executables: [], waitingTime: start },
    SessionTermination: { executables: [], waitingTime: end },
});

async function findings(props: Record<string, unknown>, type = "aws:s3/bucketObject:BucketObject") {
    const found = ofPolicy(await evaluatePack([engineResource(type, "config-json", props)]), POLICY);
    return {
        mandatory: found.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.message.split("\n")[1]),
        deferred: found.filter((d) => d.deferred).map((d) => d.message),
    };
}

describe("policy appstream-session-scripts-wait-time", () => {
    const violations: [string, Record<string, unknown>, string][] = [
        [
            "above 60",
            { content: JSON.stringify(config(90)) },
            'BucketObject "config-json" content: SessionStart waitingTime is 90; it must be an integer from 0 to 60 seconds.',
        ],
        [
            "negative",
            { content: JSON.stringify(config(30, -1)) },
            'BucketObject "config-json" content: SessionTermination waitingTime is -1; it must be an integer from 0 to 60 seconds.',
        ],
        [
            "not an integer",
            { content: JSON.stringify(config(30.5)) },
            'BucketObject "config-json" content: SessionStart waitingTime is 30.5; it must be an integer from 0 to 60 seconds.',
        ],
        [
            "a string",
            { content: JSON.stringify(config("30")) },
            'BucketObject "config-json" content: SessionStart waitingTime is "30"; it must be an integer from 0 to 60 seconds.',
        ],
        [
            "missing",
            { content: JSON.stringify({ SessionStart: { executables: [] }, SessionTermination: { waitingTime: 5 } }) },
            'BucketObject "config-json" content: SessionStart waitingTime is missing.',
        ],
        [
            "missing with its event",
            { content: JSON.stringify({ SessionStart: { waitingTime: 5 } }) },
            'BucketObject "config-json" content: SessionTermination waitingTime is missing (no SessionTermination section).',
        ],
        [
            "in the Elastic-fleet bundle zip",
            {
                contentBase64: createZip([
                    { name: "config.json", data: Buffer.from(JSON.stringify(config(61))) },
                ]).toString("base64"),
            },
            'BucketObject "config-json" contentBase64 → config.json: SessionStart waitingTime is 61; it must be an integer from 0 to 60 seconds.',
        ],
        [
            "in a StringAsset",
            { source: new pulumi.asset.StringAsset(JSON.stringify(config(30, 120))) },
            'BucketObject "config-json" source: SessionTermination waitingTime is 120; it must be an integer from 0 to 60 seconds.',
        ],
        [
            "in any other resource's object property, in another case",
            { settings: { sessionstart: { WaitingTime: 75 }, sessiontermination: { waitingtime: 0 } } },
            'BucketObject "config-json" settings: SessionStart waitingTime is 75; it must be an integer from 0 to 60 seconds.',
        ],
    ];
    for (const [what, props, expected] of violations) {
        it(`rejects a waitingTime ${what}, naming the event and the value`, async () => {
            assert.deepStrictEqual((await findings(props)).mandatory, [expected]);
        });
    }

    it("accepts 0 and 60, the ends of the range", async () => {
        assert.deepStrictEqual(await findings({ content: JSON.stringify(config(0, 60)) }), {
            mandatory: [],
            deferred: [],
        });
    });

    it("checks any resource type that carries a config", async () => {
        const found = await findings({ Configuration: JSON.stringify(config(99)) }, "aws-native:s3:Object");
        assert.deepStrictEqual(found.mandatory, [
            'Object "config-json" Configuration: SessionStart waitingTime is 99; it must be an integer from 0 to 60 seconds.',
        ]);
    });

    it("defers, without a violation, an S3 object body not known during preview", async () => {
        const found = await findings({ content: UNKNOWN });
        assert.deepStrictEqual(found.mandatory, []);
        assert.deepStrictEqual(found.deferred, [
            'Not checked during preview: whether BucketObject "config-json" carries a session-scripts config (content is not known until the resources it depends on exist). pulumi up checks it again with the real value.',
        ]);
    });

    it("ignores JSON that is not a session-scripts config", async () => {
        assert.deepStrictEqual(await findings({ content: JSON.stringify({ waitingTime: 600 }) }), {
            mandatory: [],
            deferred: [],
        });
    });
});
