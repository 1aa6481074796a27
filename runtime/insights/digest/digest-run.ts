/**
 * One usage digest: the pipeline's own named queries over the period and the period before, run in
 * its workgroup (so its scan cutoff applies) all at once, each fleet's capacity, the figures, and
 * one email. A query that fails costs only its part; when none answers, the email says so. Only a
 * failure to send is thrown, so the function's Errors alarm tells that no one was told.
 */
import { createHash } from "crypto";
import type { AthenaQueries, QueryOutcome } from "../athena-queries";
import type { Email } from "../../email/email-layout";
import { DigestContext, digestEmail } from "./digest-email";
import {
    DIGEST_QUERIES,
    DigestQueryId,
    FleetCapacity,
    Period,
    RECONCILE_QUERY,
    UsageDigest,
    digestPeriods,
    usageDigest,
} from "./usage-digest";
import { NamedQuerySpec, usageNamedQueries } from "../../usage/named-queries";
import { usageReportNamedQueries } from "../../usage/usage-report-queries";

export interface DigestSettings {
    readonly database: string;
    readonly table: string;
    readonly workGroup: string;
    readonly scanCutoffMb: number;
    /** Whole UTC days the digest covers, ending at the start of the day it runs. */
    readonly periodDays: number;
    readonly maxSessionHours: number;
    /** AppStream's usage reports are on: the reconciliation query runs too. */
    readonly usageReports: boolean;
}

export interface DigestPorts {
    readonly athena: AthenaQueries;
    capacities(fleets: readonly string[]): Promise<Map<string, FleetCapacity>>;
    send(email: Email): Promise<void>;
}

export interface DigestResult {
    readonly digest: UsageDigest;
    readonly email: Email;
}

/**
 * Athena's ClientRequestToken (32 to 128 characters): the same query text gets the same token, so
 * a retried invocation is answered by the query already run instead of starting (and paying for)
 * another; a changed text, such as another database, gets another token.
 */
export function requestTokenOf(id: string, sql: string): string {
    return `digest-${createHash("sha256").update(sql).digest("hex").slice(0, 32)}-${id}`.slice(0, 128);
}

/** The digest's queries over a period, with the texts the saved queries have (named-queries.ts). */
export function digestQueries(settings: DigestSettings, period: Period): NamedQuerySpec[] {
    const wanted: readonly string[] = Object.values(DIGEST_QUERIES);
    const queries = usageNamedQueries(settings.database, settings.table, period, settings.maxSessionHours).filter((q) =>
        wanted.includes(q.id),
    );
    if (settings.usageReports) {
        // The reconciliation reads the last N days up to yesterday: on the day the digest runs,
        // that is the period.
        const reports = usageReportNamedQueries(settings.database, { days: settings.periodDays, monthlyDays: 365 });
        queries.push(...reports.filter((q) => q.id === RECONCILE_QUERY));
    }
    return queries;
}

export async function runUsageDigest(
    ports: DigestPorts,
    settings: DigestSettings,
    context: Omit<DigestContext, "workGroup" | "database" | "scanCutoffMb">,
    now: Date,
): Promise<DigestResult> {
    const { period, previous } = digestPeriods(now, settings.periodDays);
    const run = (q: NamedQuerySpec) => ports.athena.run(q.sql, requestTokenOf(q.id, q.sql));
    const current = digestQueries(settings, period);
    const previousPerUser = digestQueries(settings, previous).find((q) => q.id === DIGEST_QUERIES.perUser)!;
    const [outcomes, previousOutcome] = await Promise.all([Promise.all(current.map(run)), run(previousPerUser)]);
    const byId = Object.fromEntries(current.map((q, i) => [q.id, outcomes[i]])) as Partial<
        Record<DigestQueryId, QueryOutcome>
    >;
    const peaks = byId[DIGEST_QUERIES.peaks];
    const fleets = peaks?.status === "succeeded" ? [...new Set(peaks.rows.map((r) => String(r.fleet_name)))] : [];
    const digest = usageDigest({
        period,
        previousPeriod: previous,
        current: byId,
        previousPerUser: previousOutcome,
        capacities: await ports.capacities(fleets.sort()),
    });
    const email = digestEmail(digest, {
        ...context,
        workGroup: settings.workGroup,
        database: settings.database,
        scanCutoffMb: settings.scanCutoffMb,
    });
    await ports.send(email);
    return { digest, email };
}
