/**
 * STAND-IN for the AWS provider plugin (pulumi-resource-aws 7.48.0) in the engine suite
 * (npm run test:engine): the real binary cannot be had here, from any registry or by building it.
 * It is the only part of the engine suite that is not real, with AppStream itself; it creates
 * nothing, anywhere. What it does, and no more:
 * - check: autonames the resources the real provider autonames (name-<7 hex>), keeping an old name;
 * - diff: a change of a property that forces replacement in AWS (a name, a bucket, an object key)
 *   is a replacement, any other change an update, as the real provider reports them;
 * - create/update/read: the inputs, plus an id and an ARN in AWS's format for the type; during a
 *   preview, the inputs with the id and ARN unknown, as the real provider plans them;
 * - delete: refuses an S3 bucket that holds objects written outside the stack (named in
 *   STAND_IN_AWS_BUCKETS_WITH_OBJECTS: the session scripts' records) unless forceDestroy is set,
 *   with AWS's BucketNotEmpty, as the real provider fails;
 * - journal: each create, update and delete is appended to STAND_IN_AWS_JOURNAL, when set, as
 *   "<op> <type> <id>", so a test can say what was never deleted;
 * - invoke: getCallerIdentity, getRegion and getPartition for account 123456789012.
 * Plain JavaScript, run by the Node 22 on PATH: the engine starts it as a binary plugin.
 */
"use strict";
const crypto = require("crypto");
const provider = require("@pulumi/pulumi/provider");
const provproto = require("@pulumi/pulumi/proto/provider_pb");

// Like the real (Terraform-bridged) provider, answer Create during a preview with the planned state:
// the inputs (autonamed names included) known, what AWS computes (id, ARN) unknown. The SDK's
// provider server neither advertises preview support nor passes the preview flag on, so the stand-in
// sets the one and reads the other off the request as the server reads its properties.
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
let createIsPreview = false;
const getProperties = provproto.CreateRequest.prototype.getProperties;
provproto.CreateRequest.prototype.getProperties = function () {
    createIsPreview = this.getPreview();
    return getProperties.call(this);
};
const setAcceptsecrets = provproto.ConfigureResponse.prototype.setAcceptsecrets;
provproto.ConfigureResponse.prototype.setAcceptsecrets = function (value) {
    this.setSupportspreview(true);
    return setAcceptsecrets.call(this, value);
};

const ACCOUNT = "123456789012";
const region = () => process.env.AWS_REGION || "eu-west-1";

/** The property the real provider autonames, per resource type. */
const AUTONAMED = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:sqs/queue:Queue": "name",
    "aws:sns/topic:Topic": "name",
    "aws:iam/role:Role": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:lambda/function:Function": "name",
    "aws:sfn/stateMachine:StateMachine": "name",
    "aws:scheduler/schedule:Schedule": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:athena/workgroup:Workgroup": "name",
    "aws:appstream/fleet:Fleet": "name",
    "aws:athena/namedQuery:NamedQuery": "name",
    "aws:glue/catalogDatabase:CatalogDatabase": "name",
    "aws:glue/catalogTable:CatalogTable": "name",
};
/** Properties whose change makes AWS replace the resource. */
const REPLACING = ["name", "bucket", "key", "databaseName"];

/** Buckets holding objects the stack did not write. */
const bucketsWithObjects = (process.env.STAND_IN_AWS_BUCKETS_WITH_OBJECTS || "").split(",").filter(Boolean);

function journal(op, urn, id) {
    if (process.env.STAND_IN_AWS_JOURNAL) {
        require("fs").appendFileSync(process.env.STAND_IN_AWS_JOURNAL, `${op} ${typeOf(urn)} ${id}\n`);
    }
}

// urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>
const typeOf = (urn) => urn.split("::")[2].split("$").pop();
const logicalName = (urn) => urn.split("::")[3];

function arnOf(type, props, id) {
    const name = props.name ?? props.bucket ?? id;
    const r = region();
    switch (type) {
        case "aws:s3/bucket:Bucket":
            return `arn:aws:s3:::${props.bucket}`;
        case "aws:iam/role:Role":
            return `arn:aws:iam::${ACCOUNT}:role/${name}`;
        case "aws:lambda/function:Function":
            return `arn:aws:lambda:${r}:${ACCOUNT}:function:${name}`;
        case "aws:sfn/stateMachine:StateMachine":
            return `arn:aws:states:${r}:${ACCOUNT}:stateMachine:${name}`;
        case "aws:sns/topic:Topic":
        case "aws:sqs/queue:Queue":
            return `arn:aws:${type.split(":")[1].split("/")[0]}:${r}:${ACCOUNT}:${name}`;
        case "aws:cloudwatch/logGroup:LogGroup":
            return `arn:aws:logs:${r}:${ACCOUNT}:log-group:${name}`;
        default: {
            const [service, kind] = type.split(":")[1].split("/");
            return `arn:aws:${service}:${r}:${ACCOUNT}:${kind}/${name}`;
        }
    }
}

function outputsOf(urn, inputs, id) {
    const type = typeOf(urn);
    const outputs = { ...inputs, id, arn: arnOf(type, inputs, id) };
    if (type === "aws:sqs/queue:Queue") outputs.url = `https://sqs.${region()}.amazonaws.com/${ACCOUNT}/${inputs.name}`;
    if (type === "aws:lambda/function:Function")
        outputs.invokeArn = `arn:aws:apigateway:${region()}:lambda:path/${outputs.arn}`;
    return outputs;
}

const standIn = {
    version: "7.48.0",
    async check(urn, olds, news) {
        const property = AUTONAMED[typeOf(urn)];
        const inputs = { ...news };
        if (property && inputs[property] === undefined) {
            inputs[property] =
                olds?.[property] ?? `${logicalName(urn)}-${crypto.randomBytes(4).toString("hex").slice(0, 7)}`;
        }
        return { inputs };
    },
    async diff(id, urn, olds, news) {
        const changed = Object.keys({ ...olds, ...news }).filter(
            (key) =>
                !["id", "arn", "url", "invokeArn"].includes(key) &&
                JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
        );
        const replaces = changed.filter((key) => REPLACING.includes(key));
        return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
    },
    async create(urn, inputs) {
        if (createIsPreview) {
            const computed = Object.keys(outputsOf(urn, inputs, "")).filter((key) => !(key in inputs));
            return { id: "", outs: { ...inputs, ...Object.fromEntries(computed.map((key) => [key, UNKNOWN])) } };
        }
        const property = AUTONAMED[typeOf(urn)];
        const id =
            (property && inputs[property]) ||
            inputs.key ||
            `${logicalName(urn)}-${crypto.randomBytes(4).toString("hex")}`;
        journal("create", urn, id);
        return { id, outs: outputsOf(urn, inputs, id) };
    },
    async read(id, urn, props) {
        return { id, props };
    },
    async update(id, urn, olds, news) {
        journal("update", urn, id);
        return { outs: outputsOf(urn, news, id) };
    },
    async delete(id, urn, props) {
        if (
            typeOf(urn) === "aws:s3/bucket:Bucket" &&
            bucketsWithObjects.includes(props.bucket) &&
            !props.forceDestroy
        ) {
            // The real provider's message: "deleting S3 Bucket (<name>): " and the SDK's error.
            throw new Error(
                `deleting S3 Bucket (${id}): operation error S3: DeleteBucket, https response error StatusCode: 409, api error BucketNotEmpty: The bucket you tried to delete is not empty. You must delete all versions in the bucket.`,
            );
        }
        journal("delete", urn, id);
    },
    async invoke(token) {
        switch (token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    outputs: {
                        accountId: ACCOUNT,
                        arn: `arn:aws:iam::${ACCOUNT}:user/engine-suite`,
                        userId: "AIDAENGINESUITE",
                        id: ACCOUNT,
                    },
                };
            case "aws:index/getRegion:getRegion":
                return {
                    outputs: {
                        name: region(),
                        region: region(),
                        id: region(),
                        endpoint: `ec2.${region()}.amazonaws.com`,
                        description: region(),
                    },
                };
            case "aws:index/getPartition:getPartition":
                return {
                    outputs: {
                        partition: "aws",
                        dnsSuffix: "amazonaws.com",
                        id: "aws",
                        reverseDnsPrefix: "com.amazonaws",
                    },
                };
            default:
                throw new Error(`the stand-in AWS provider does not answer ${token}`);
        }
    },
};

provider.main(standIn, process.argv.slice(2));
