/**
 * The usage digest function's entry point, started by its EventBridge schedule with the digest's
 * settings as input (the schedule's input is also what a run by hand takes). It creates the SDK
 * clients here, inside the handler module, so nothing of the Pulumi program is captured.
 */
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { AthenaClient } from "@aws-sdk/client-athena";
import { SESClient } from "@aws-sdk/client-ses";
import { sendEmail } from "../../email/send-email";
import { athenaQueries } from "../athena-queries";
import { DigestSettings, runUsageDigest } from "./digest-run";
import { fleetCapacities } from "./fleet-capacity";
import { scanCutoffBytesOf } from "../../usage/named-queries";

/** The Lambda's timeout: every query runs at once, so this bounds the slowest one, not their sum. */
export const DIGEST_FUNCTION_TIMEOUT_SECONDS = 300;
/** How long the digest waits for one query: the rest of the timeout is for fleets and email. */
export const QUERY_TIMEOUT_SECONDS = 240;
/** Pulumi project/stack, named in the email's header. */
export const DIGEST_STACK_VARIABLE = "APPSTREAM_OPS_STACK";

export interface DigestInput extends DigestSettings {
    readonly senderEmail: string;
    /** Who gets the digest. */
    readonly recipients: readonly string[];
}

export interface DigestOutput {
    readonly period: { readonly from: string; readonly to: string };
    readonly totals?: { readonly hours: number; readonly sessions: number; readonly users: number };
    /** Parts of the digest whose query failed. */
    readonly missing: number;
    readonly sentTo: readonly string[];
}

/** Checks the schedule's input, reporting every problem at once, each naming its field. */
export function parseDigestInput(value: unknown): DigestInput {
    const input = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    const problems: string[] = input === value ? [] : ["the input must be an object"];
    const text = (field: string) => {
        if (typeof input[field] !== "string" || input[field] === "") problems.push(`${field}: a non-empty string`);
        return String(input[field]);
    };
    const integer = (field: string, min: number, max: number) => {
        const v = input[field];
        if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
            problems.push(`${field}: an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
        }
        return v as number;
    };
    const parsed: DigestInput = {
        database: text("database"),
        table: text("table"),
        workGroup: text("workGroup"),
        senderEmail: text("senderEmail"),
        scanCutoffMb: integer("scanCutoffMb", 10, Number.MAX_SAFE_INTEGER),
        periodDays: integer("periodDays", 1, 31),
        maxSessionHours: integer("maxSessionHours", 1, 120),
        usageReports: input.usageReports === true,
        recipients: Array.isArray(input.recipients) ? (input.recipients as string[]) : [],
    };
    if (typeof input.usageReports !== "boolean") problems.push("usageReports: true or false");
    if (parsed.recipients.length === 0 || parsed.recipients.some((r) => typeof r !== "string" || r === "")) {
        problems.push("recipients: a list of at least one email address");
    }
    if (problems.length > 0) {
        const error = new Error(`Invalid usage digest input:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        error.name = "InvalidDigestInput";
        throw error;
    }
    return parsed;
}

export async function handleUsageDigestEvent(
    event: unknown,
    context?: { invokedFunctionArn?: string },
): Promise<DigestOutput> {
    const input = parseDigestInput(event);
    const athena = athenaQueries(new AthenaClient({}), {
        workGroup: input.workGroup,
        database: input.database,
        scanCutoffBytes: scanCutoffBytesOf(input.scanCutoffMb),
        timeoutMs: QUERY_TIMEOUT_SECONDS * 1000,
    });
    const appStream = new AppStreamClient({});
    const ses = new SESClient({});
    const { digest } = await runUsageDigest(
        {
            athena,
            capacities: (fleets) => fleetCapacities(appStream, fleets),
            send: (email) => sendEmail(ses, input.senderEmail, input.recipients, email),
        },
        input,
        {
            // arn:aws:lambda:<region>:<account>:function:<name>
            account: context?.invokedFunctionArn?.split(":")[4],
            region: process.env.AWS_REGION,
            stack: process.env[DIGEST_STACK_VARIABLE],
        },
        new Date(),
    );
    return {
        period: digest.period,
        ...(digest.totals ? { totals: digest.totals } : {}),
        missing: digest.missing.length,
        sentTo: input.recipients,
    };
}
