/**
 * This program under Pulumi's mocks: no cloud, no Pulumi CLI. Run with `npm test`.
 * A program of your own can be tested the same way.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const registered: Registered[] = [];
const ACCOUNT = "123456789012";

pulumi.runtime.setMocks(
    {
        newResource(args) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            const arn = `arn:aws:mock:eu-west-1:${ACCOUNT}:${args.name}`;
            return { id: `${args.name}-id`, state: { ...args.inputs, arn, name: args.inputs.name ?? args.name } };
        },
        call(args) {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "ci" };
                case "aws:index/getRegion:getRegion":
                    return { name: "eu-west-1", region: "eu-west-1" };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com" };
                default:
                    return {};
            }
        },
    },
    "appstream-ops-consumer-example",
    "test",
    false,
);

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
let program: typeof import("../index");

before(async () => {
    program = await import("../index");
    // Every output resolved: the resources behind them are registered by then.
    for (const value of Object.values(program)) {
        if (pulumi.Output.isInstance(value)) await valueOf(value);
    }
});

test("registers both components from the package, beside the program's own fleet", () => {
    const types = registered.map((r) => r.type);
    assert.ok(types.includes("appstream-ops:usage:UsagePipeline"));
    assert.ok(types.includes("appstream-ops:image-update:ImageUpdateScheduler"));
    assert.ok(types.includes("aws:appstream/fleet:Fleet"));
});

test("the fleet streams with the pipeline's script role", () => {
    const fleet = registered.find((r) => r.type === "aws:appstream/fleet:Fleet")!;
    const role = registered.find((r) => r.type === "aws:iam/role:Role" && r.name === "usage-script-role")!;
    assert.strictEqual(fleet.inputs.iamRoleArn, `arn:aws:mock:eu-west-1:${ACCOUNT}:${role.name}`);
});

test("the arguments reach the resources: schedule, time zone, Glue database", () => {
    const schedule = registered.find((r) => r.type === "aws:scheduler/schedule:Schedule")!;
    assert.strictEqual(schedule.inputs.scheduleExpression, "cron(0 3 ? * SUN#1 *)");
    assert.strictEqual(schedule.inputs.scheduleExpressionTimezone, "Europe/Berlin");
    const database = registered.find((r) => r.type === "aws:glue/catalogDatabase:CatalogDatabase")!;
    assert.strictEqual(database.inputs.name, "kiosk_usage");
});

test("the session scripts come from the installed package, byte for byte", async () => {
    const packageAssets = path.join(
        path.dirname(require.resolve("appstream-ops/package.json")),
        "dist",
        "session-assets",
    );
    const shipped = fs.readdirSync(packageAssets).sort();
    assert.ok(shipped.length > 0, `${packageAssets} holds no session scripts`);
    // The image builder's copies are uploaded as file assets (their path, under mocks, a promise).
    const uploaded = await Promise.all(
        registered
            .filter((r) => r.type === "aws:s3/bucketObject:BucketObject" && r.inputs.source !== undefined)
            .map(async (r) => ({ key: r.inputs.key as string, file: (await r.inputs.source.path) as string })),
    );
    assert.deepStrictEqual(uploaded.map((o) => path.basename(o.file)).sort(), shipped);
    for (const { key, file } of uploaded) {
        const name = path.basename(file);
        assert.ok(fs.readFileSync(file).equals(fs.readFileSync(path.join(packageAssets, name))), name);
        assert.strictEqual(fs.realpathSync(path.dirname(file)), fs.realpathSync(packageAssets), name);
        assert.strictEqual(key, `image-builder/${name}`);
    }
});

test("the serialized image-update function loads from this program's node_modules and runs", async () => {
    const fn = registered.find((r) => r.type === "aws:lambda/function:Function")!;
    const assets: Record<string, { text?: string }> = await fn.inputs.code.assets;
    const indexJs = await assets["__index.js"].text!;
    assert.match(indexJs, /require\("appstream-ops\//, "the function should require the installed package");
    // Written inside the program folder, so its requires resolve as in the deployment package.
    const dir = fs.mkdtempSync(path.join(__dirname, "..", "..", ".lambda-"));
    fs.writeFileSync(path.join(dir, "__index.js"), indexJs);
    try {
        const { handler } = require(path.join(dir, "__index.js")) as { handler: (e: unknown) => Promise<unknown> };
        await assert.rejects(handler({ action: "rewind" }), /unknown action "rewind": expected start, check, notify/);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
