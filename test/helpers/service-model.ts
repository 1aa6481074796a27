/**
 * AWS's own service models (botocore's service-2.json, trimmed and committed under
 * test/contracts/service-models/) as the judge of every fake: a request that breaks the model is
 * refused the way AWS refuses it, an error the model does not list for the operation is a bug of
 * the fake, and a response is checked against the output shape so that the fake cannot invent
 * values (an image state AppStream never reports, a tag map AWS would never return).
 */
import * as fs from "fs";
import * as path from "path";
import { sdkError } from "./sdk-errors";

export interface ShapeRef {
    readonly shape: string;
}

export interface Shape {
    readonly type: string;
    readonly required?: readonly string[];
    readonly members?: Record<string, ShapeRef>;
    readonly member?: ShapeRef;
    readonly key?: ShapeRef;
    readonly value?: ShapeRef;
    readonly min?: number;
    readonly max?: number;
    readonly pattern?: string;
    readonly enum?: readonly string[];
    readonly error?: { code?: string };
    readonly exception?: boolean;
}

export interface Operation {
    readonly input?: ShapeRef;
    readonly output?: ShapeRef;
    readonly errors?: readonly ShapeRef[];
}

export interface ServiceModel {
    readonly source: { package: string; version: string; file: string };
    readonly metadata: {
        serviceId: string;
        apiVersion: string;
        signingName?: string;
        /** JSON protocols: the X-Amz-Target prefix and the content type's version. */
        targetPrefix?: string;
        jsonVersion?: string;
    };
    readonly operations: Record<string, Operation>;
    readonly shapes: Record<string, Shape>;
}

export const SERVICE_MODEL_DIR = path.resolve(__dirname, "..", "contracts", "service-models");

/**
 * A service by its IAM prefix (botocore names Service Quotas "service-quotas", and the Resource
 * Groups Tagging API, whose prefix is "tag", "resourcegroupstaggingapi").
 */
export type ServiceName = "appstream" | "athena" | "cloudwatch" | "s3" | "servicequotas" | "ses" | "tag";

export const MODEL_FILES: Record<ServiceName, string> = {
    appstream: "appstream-2016-12-01.json",
    athena: "athena-2017-05-18.json",
    cloudwatch: "cloudwatch-2010-08-01.json",
    s3: "s3-2006-03-01.json",
    servicequotas: "service-quotas-2019-06-24.json",
    ses: "ses-2010-12-01.json",
    tag: "resourcegroupstaggingapi-2017-01-26.json",
};

/**
 * Errors every operation of the service may raise besides those its model lists: the "Common
 * Errors" pages of the AppStream (WorkSpaces Applications), Service Quotas and SES API references. SES answers a
 * malformed address with InvalidParameterValue ("Illegal address"), a common error of the Query
 * protocol.
 */
/** The common errors of the JSON-protocol APIs, the same list in the AppStream and Service Quotas references. */
const JSON_PROTOCOL_COMMON_ERRORS = [
    "AccessDeniedException",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidAction",
    "InvalidClientTokenId",
    "NotAuthorized",
    "OptInRequired",
    "RequestExpired",
    "ServiceUnavailable",
    "ThrottlingException",
    "ValidationError",
];

export const COMMON_ERRORS: Record<ServiceName, readonly string[]> = {
    appstream: JSON_PROTOCOL_COMMON_ERRORS,
    servicequotas: JSON_PROTOCOL_COMMON_ERRORS,
    // Athena is a JSON-protocol API (AWS JSON 1.1 in its model).
    athena: JSON_PROTOCOL_COMMON_ERRORS,
    // CloudWatch: only the program's alarm and dashboard inputs are checked against its model.
    cloudwatch: JSON_PROTOCOL_COMMON_ERRORS,
    // The Resource Groups Tagging API is a JSON-protocol API as well (AWS JSON 1.1 in its model).
    tag: JSON_PROTOCOL_COMMON_ERRORS,
    // S3 models almost none of its errors: the S3 API reference's "List of error codes" gives them
    // (PreconditionFailed is a conditional write's 412; ConditionalRequestConflict its 409).
    s3: [
        "AccessDenied",
        "ConditionalRequestConflict",
        "ExpiredToken",
        "InternalError",
        "InvalidAccessKeyId",
        "InvalidArgument",
        "NoSuchBucket",
        "NotImplemented",
        "PreconditionFailed",
        "RequestTimeTooSkewed",
        "RequestTimeout",
        "ServiceUnavailable",
        "SignatureDoesNotMatch",
        "SlowDown",
    ],
    ses: [
        "AccessDeniedException",
        "IncompleteSignature",
        "InternalFailure",
        "InvalidAction",
        "InvalidClientTokenId",
        "InvalidParameterCombination",
        "InvalidParameterValue",
        "MissingParameter",
        "NotAuthorized",
        "OptInRequired",
        "RequestExpired",
        "ServiceUnavailable",
        "Throttling",
        "ValidationError",
    ],
};

/** The error AWS returns for a request that breaks the model's constraints (see COMMON_ERRORS). */
export const VALIDATION_ERROR = "ValidationError";

const models = new Map<ServiceName, ServiceModel>();

export function serviceModel(service: ServiceName): ServiceModel {
    let model = models.get(service);
    if (!model) {
        model = JSON.parse(fs.readFileSync(path.join(SERVICE_MODEL_DIR, MODEL_FILES[service]), "utf8")) as ServiceModel;
        models.set(service, model);
    }
    return model;
}

const patterns = new Map<string, RegExp>();

// What JavaScript's `u` mode lets a backslash escape besides letters and digits.
const SYNTAX_CHARACTERS = new Set("^$\\.*+?()[]{}|/");

/**
 * The model's patterns are Java regular expressions. With the `u` flag JavaScript reads \p{L} the
 * same way, but it refuses escapes that Java allows of plain punctuation (`\,`, and `\-` outside
 * a class), so those lose their backslash; they mean the same literal character either way.
 */
export function modelPattern(source: string): RegExp {
    let pattern = patterns.get(source);
    if (!pattern) {
        let out = "";
        let inClass = false;
        for (let i = 0; i < source.length; i++) {
            const char = source[i];
            if (char === "\\" && i + 1 < source.length) {
                const next = source[++i];
                const keep = /[A-Za-z0-9]/.test(next) || SYNTAX_CHARACTERS.has(next) || (inClass && next === "-");
                out += keep ? `\\${next}` : next;
                continue;
            }
            if (char === "[" && !inClass) inClass = true;
            else if (char === "]" && inClass) inClass = false;
            out += char;
        }
        pattern = new RegExp(out, "u");
        patterns.set(source, pattern);
    }
    return pattern;
}

/** Characters as AWS counts a string's length: Unicode code points. */
const lengthOf = (text: string) => [...text].length;

/**
 * Every way `value` breaks `shapeName`, each naming the path of the offending member. A response
 * is held to its types, required members and enums only (`constraints: false`): length and
 * pattern constrain what AWS accepts, and AWS's own answers may carry values outside them, such as
 * AWS-made `aws:` tags.
 */
export function shapeViolations(
    model: ServiceModel,
    shapeName: string,
    value: unknown,
    at = "input",
    constraints = true,
): string[] {
    const shape = model.shapes[shapeName];
    if (!shape) return [`${at}: shape ${shapeName} is not in the model`];
    const problems: string[] = [];
    const range = (size: number, what: string) => {
        if (!constraints) return;
        if (shape.min !== undefined && size < shape.min)
            problems.push(`${at}: ${what} ${size} is below the minimum ${shape.min}`);
        if (shape.max !== undefined && size > shape.max)
            problems.push(`${at}: ${what} ${size} is above the maximum ${shape.max}`);
    };
    switch (shape.type) {
        case "structure": {
            if (typeof value !== "object" || value === null || Array.isArray(value))
                return [`${at}: expected a structure`];
            const record = value as Record<string, unknown>;
            for (const name of shape.required ?? []) {
                if (record[name] === undefined) problems.push(`${at}.${name}: required member is missing`);
            }
            for (const [name, member] of Object.entries(record)) {
                if (member === undefined) continue;
                const ref = shape.members?.[name];
                if (!ref) problems.push(`${at}.${name}: not a member of ${shapeName}`);
                else problems.push(...shapeViolations(model, ref.shape, member, `${at}.${name}`, constraints));
            }
            return problems;
        }
        case "list": {
            if (!Array.isArray(value)) return [`${at}: expected a list`];
            range(value.length, "list size");
            value.forEach((item, i) =>
                problems.push(...shapeViolations(model, shape.member!.shape, item, `${at}[${i}]`, constraints)),
            );
            return problems;
        }
        case "map": {
            if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${at}: expected a map`];
            const entries = Object.entries(value as Record<string, unknown>);
            range(entries.length, "map size");
            for (const [key, item] of entries) {
                problems.push(
                    ...shapeViolations(model, shape.key!.shape, key, `${at} key ${JSON.stringify(key)}`, constraints),
                );
                problems.push(
                    ...shapeViolations(model, shape.value!.shape, item, `${at}[${JSON.stringify(key)}]`, constraints),
                );
            }
            return problems;
        }
        case "string": {
            if (typeof value !== "string") return [`${at}: expected a string`];
            range(lengthOf(value), "length");
            if (shape.enum && !shape.enum.includes(value)) {
                problems.push(`${at}: ${JSON.stringify(value)} is not one of ${shape.enum.join(", ")}`);
            }
            if (constraints && shape.pattern && !modelPattern(shape.pattern).test(value)) {
                problems.push(`${at}: ${JSON.stringify(value)} does not match the pattern ${shape.pattern}`);
            }
            return problems;
        }
        case "integer":
        case "long": {
            if (typeof value !== "number" || !Number.isInteger(value)) return [`${at}: expected an integer`];
            range(value, "value");
            return problems;
        }
        case "double":
        case "float":
            return typeof value === "number" ? [] : [`${at}: expected a number`];
        case "boolean":
            return typeof value === "boolean" ? [] : [`${at}: expected a boolean`];
        case "timestamp":
            return value instanceof Date && !Number.isNaN(value.getTime()) ? [] : [`${at}: expected a Date`];
        case "blob": {
            // A streaming body comes back as the SDK's stream, read with transformToString().
            const stream = typeof (value as { transformToString?: unknown })?.transformToString === "function";
            return value instanceof Uint8Array || typeof value === "string" || stream ? [] : [`${at}: expected bytes`];
        }
        default:
            return [`${at}: shape type ${shape.type} is not supported by this validator`];
    }
}

/** What the contract checks saw, for the suite's figures and for the root hook that fails a test. */
export const contractLog = {
    /** Requests checked against a model, by "service:Operation". */
    requestsChecked: new Map<string, number>(),
    /** Requests the model refused (the fake answered ValidationError, as AWS would). */
    refused: [] as string[],
    /** Broken fakes: an error the operation cannot raise, or a response outside the output shape. */
    fakeViolations: [] as string[],
};

/**
 * Wraps a fake's handler for one operation: the request is validated first (ValidationError, as
 * AWS answers), the fake runs, a thrown error must be one the model lists for the operation or a
 * common error, and the response must fit the output shape.
 */
export function modelChecked<I extends object, O>(
    service: ServiceName,
    operation: string,
    handler: (input: I) => O | Promise<O>,
): (input: I) => Promise<O> {
    const model = serviceModel(service);
    const op = model.operations[operation];
    if (!op)
        throw new Error(`${operation} is not in the committed ${service} model: run scripts/update-service-models.py`);
    const allowedErrors = new Set([
        ...(op.errors ?? []).map((e) => model.shapes[e.shape]?.error?.code ?? e.shape),
        ...(op.errors ?? []).map((e) => e.shape),
        ...COMMON_ERRORS[service],
    ]);
    const label = `${service}:${operation}`;
    return async (input: I) => {
        contractLog.requestsChecked.set(label, (contractLog.requestsChecked.get(label) ?? 0) + 1);
        const problems = op.input ? shapeViolations(model, op.input.shape, input) : [];
        if (problems.length > 0) {
            contractLog.refused.push(`${label}: ${problems.join("; ")}`);
            throw sdkError(VALIDATION_ERROR, `${problems.length} validation error(s) detected: ${problems.join("; ")}`);
        }
        let output: O;
        try {
            output = await handler(input);
        } catch (err) {
            const name = (err as Error).name;
            if (!allowedErrors.has(name)) {
                contractLog.fakeViolations.push(
                    `${label} raised ${name}, which neither its model nor the common errors list`,
                );
            }
            throw err;
        }
        if (op.output) {
            const outputProblems = shapeViolations(model, op.output.shape, stripMetadata(output), "output", false);
            if (outputProblems.length > 0) {
                contractLog.fakeViolations.push(
                    `${label} answered outside its output shape: ${outputProblems.join("; ")}`,
                );
            }
        }
        return output;
    };
}

/** The SDK adds $metadata to every output; the model does not know it. */
function stripMetadata<O>(output: O): unknown {
    if (typeof output !== "object" || output === null) return output;
    const rest: Record<string, unknown> = { ...(output as Record<string, unknown>) };
    delete rest.$metadata;
    return rest;
}
