/**
 * Runs a query in Athena and reads its rows: the usage digest's adapter over the SDK v3 client.
 * StartQueryExecution in the pipeline's workgroup (so its scan cutoff applies), GetQueryExecution
 * with a doubling back-off until the query ends, then GetQueryResults page by page with each value
 * typed by its column. Every outcome is returned, none thrown: the digest says what went wrong.
 */
import {
    AthenaClient,
    ColumnInfo,
    GetQueryExecutionCommand,
    GetQueryResultsCommand,
    QueryExecution,
    StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { errorReason } from "../aws/errors";
import { Clock, REAL_CLOCK } from "../aws/token-bucket";

/** A value as the digest uses it: numbers for Athena's numeric types, text for dates and strings. */
export type QueryValue = string | number | boolean | null;
export type QueryRow = Readonly<Record<string, QueryValue>>;

export type QueryOutcome =
    | {
          readonly status: "succeeded";
          readonly executionId: string;
          readonly rows: QueryRow[];
          readonly scannedBytes: number;
      }
    | {
          readonly status: "failed";
          readonly executionId?: string;
          /** Athena's reason, or the call that failed. */
          readonly reason: string;
          /** The workgroup's per-query scan limit stopped it ("it is canceled", Athena's data usage controls). */
          readonly scanCutoff: boolean;
      };

export interface AthenaQuerySettings {
    readonly workGroup: string;
    readonly database: string;
    /** The workgroup's BytesScannedCutoffPerQuery, to tell its cancellations from others. */
    readonly scanCutoffBytes: number;
    /** How long to wait for one query before giving up on it. */
    readonly timeoutMs: number;
}

/** GetQueryResults' largest page (MaxQueryResults in Athena's model: 1 to 1000). */
export const RESULTS_PAGE_SIZE = 1000;
/** The first wait for a running query; it doubles up to POLL_MAX_MS. */
const POLL_FIRST_MS = 500;
const POLL_MAX_MS = 8000;

const NUMERIC_TYPES = ["tinyint", "smallint", "integer", "int", "bigint", "double", "float", "real", "decimal"];

/** A cell as its column's type says: Athena returns every value as text (VarCharValue), or none for NULL. */
export function typedValue(text: string | undefined, column: ColumnInfo): QueryValue {
    if (text === undefined) return null;
    const type = (column.Type ?? "varchar").toLowerCase();
    if (NUMERIC_TYPES.includes(type)) {
        const value = Number(text);
        // A bigint beyond 2^53 stays text rather than become another number.
        return Number.isFinite(value) && (type !== "bigint" || Number.isSafeInteger(value)) ? value : text;
    }
    if (type === "boolean") return text === "true";
    return text;
}

export interface AthenaQueries {
    /** Runs `sql`; `requestToken` (32 to 128 characters) makes a retried start the same query. */
    run(sql: string, requestToken: string): Promise<QueryOutcome>;
}

export function athenaQueries(
    client: AthenaClient,
    settings: AthenaQuerySettings,
    clock: Clock = REAL_CLOCK,
): AthenaQueries {
    const ended = async (executionId: string): Promise<QueryExecution | undefined> => {
        const deadline = clock.now() + settings.timeoutMs;
        for (let wait = POLL_FIRST_MS; ; wait = Math.min(POLL_MAX_MS, wait * 2)) {
            const out = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: executionId }));
            const state = out.QueryExecution?.Status?.State;
            if (state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED") return out.QueryExecution;
            if (clock.now() + wait > deadline) return undefined;
            await clock.sleep(wait);
        }
    };
    const rowsOf = async (executionId: string): Promise<QueryRow[]> => {
        const rows: QueryRow[] = [];
        let columns: ColumnInfo[] = [];
        let NextToken: string | undefined;
        let first = true;
        do {
            const out = await client.send(
                new GetQueryResultsCommand({ QueryExecutionId: executionId, NextToken, MaxResults: RESULTS_PAGE_SIZE }),
            );
            columns = out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? columns;
            // A SELECT's first row holds the column names (Athena's GetQueryResults).
            const data = (out.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
            for (const row of data) {
                const cells = row.Data ?? [];
                rows.push(Object.fromEntries(columns.map((c, i) => [c.Name, typedValue(cells[i]?.VarCharValue, c)])));
            }
            first = false;
            NextToken = out.NextToken;
        } while (NextToken);
        return rows;
    };
    return {
        async run(sql, requestToken) {
            let executionId: string | undefined;
            try {
                const started = await client.send(
                    new StartQueryExecutionCommand({
                        QueryString: sql,
                        WorkGroup: settings.workGroup,
                        QueryExecutionContext: { Database: settings.database },
                        ClientRequestToken: requestToken,
                    }),
                );
                executionId = started.QueryExecutionId ?? "";
                const execution = await ended(executionId);
                if (!execution) {
                    return {
                        status: "failed",
                        executionId,
                        reason: `still running after ${Math.round(settings.timeoutMs / 1000)} s`,
                        scanCutoff: false,
                    };
                }
                const status = execution.Status;
                const scannedBytes = execution.Statistics?.DataScannedInBytes ?? 0;
                if (status?.State !== "SUCCEEDED") {
                    const reason =
                        status?.AthenaError?.ErrorMessage ?? status?.StateChangeReason ?? status?.State ?? "no reason";
                    const scanCutoff = status?.State === "CANCELLED" && scannedBytes >= settings.scanCutoffBytes;
                    return { status: "failed", executionId, reason, scanCutoff };
                }
                return { status: "succeeded", executionId, rows: await rowsOf(executionId), scannedBytes };
            } catch (err) {
                return { status: "failed", executionId, reason: errorReason(err), scanCutoff: false };
            }
        },
    };
}
