/**
 * Athena's StartQueryExecution, GetQueryExecution and GetQueryResults for the usage digest's
 * tests, behind the same model check as every fake (botocore's Athena model, committed). As
 * Athena's API reference describes them:
 * - a query passes through QUEUED and RUNNING (one GetQueryExecution each) to SUCCEEDED, FAILED
 *   (with an AthenaError) or CANCELLED (the workgroup's per-query scan limit cancels a query);
 * - a ClientRequestToken already used starts no second query: the first one's id comes back;
 * - GetQueryResults of a query that has not succeeded is an InvalidRequestException; its first page
 *   starts with the column names, each value is text (VarCharValue) or absent for NULL, and a page
 *   holds at most MaxResults rows (1 to 1000, the model checks) and a NextToken when more follow.
 */
import {
    AthenaClient,
    GetQueryExecutionCommand,
    GetQueryResultsCommand,
    StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type {
    GetQueryExecutionCommandInput,
    GetQueryResultsCommandInput,
    StartQueryExecutionCommandInput,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import * as sinon from "sinon";
import { modelChecked } from "./service-model";
import { sdkError } from "./sdk-errors";

export interface FakeColumn {
    readonly name: string;
    /** Athena's type name, e.g. varchar, bigint, double, date, boolean. */
    readonly type: string;
}

/** How the fake answers a query whose text `matches`. */
export interface FakeQueryAnswer {
    readonly matches: (sql: string) => boolean;
    readonly columns?: readonly FakeColumn[];
    /** Each row's values as Athena returns them: text, or null for NULL. */
    readonly rows?: readonly (readonly (string | null)[])[];
    /** GetQueryExecution calls spent in QUEUED and RUNNING before the end. @default 2 */
    readonly polls?: number;
    /** @default "SUCCEEDED" */
    readonly end?: "SUCCEEDED" | "FAILED" | "CANCELLED" | "never";
    readonly reason?: string;
    readonly scannedBytes?: number;
}

interface Execution {
    readonly id: string;
    readonly answer: FakeQueryAnswer;
    readonly input: StartQueryExecutionCommandInput;
    polls: number;
}

export class FakeAthena {
    readonly answers: FakeQueryAnswer[] = [];
    readonly executions: Execution[] = [];
    /** Calls StartQueryExecution refuses with this error, one per call, first. */
    readonly startErrors: Error[] = [];

    answer(answer: FakeQueryAnswer): void {
        this.answers.push(answer);
    }

    private execution(id: string | undefined): Execution {
        const found = this.executions.find((e) => e.id === id);
        if (!found) throw sdkError("InvalidRequestException", `QueryExecution ${id} was not found`);
        return found;
    }

    private state(execution: Execution): string {
        const polls = execution.answer.polls ?? 2;
        if (execution.answer.end === "never" || execution.polls <= polls) {
            return execution.polls <= polls / 2 ? "QUEUED" : "RUNNING";
        }
        return execution.answer.end ?? "SUCCEEDED";
    }

    start(input: StartQueryExecutionCommandInput) {
        const error = this.startErrors.shift();
        if (error) throw error;
        const again = this.executions.find(
            (e) => input.ClientRequestToken !== undefined && e.input.ClientRequestToken === input.ClientRequestToken,
        );
        if (again) return { QueryExecutionId: again.id };
        const answer = this.answers.find((a) => a.matches(input.QueryString ?? ""));
        if (!answer)
            throw sdkError("InvalidRequestException", `line 1:1: the fake has no answer for ${input.QueryString}`);
        const id = `0000000${this.executions.length + 1}-1111-2222-3333-444444444444`.slice(-36);
        this.executions.push({ id, answer, input, polls: 0 });
        return { QueryExecutionId: id };
    }

    get(input: GetQueryExecutionCommandInput) {
        const execution = this.execution(input.QueryExecutionId);
        execution.polls++;
        const state = this.state(execution);
        const failed = state === "FAILED" || state === "CANCELLED";
        return {
            QueryExecution: {
                QueryExecutionId: execution.id,
                Query: execution.input.QueryString,
                WorkGroup: execution.input.WorkGroup,
                Status: {
                    State: state as never,
                    ...(failed ? { StateChangeReason: execution.answer.reason ?? "failed" } : {}),
                    ...(state === "FAILED"
                        ? {
                              AthenaError: {
                                  ErrorCategory: 2,
                                  ErrorType: 1001,
                                  Retryable: false,
                                  ErrorMessage: execution.answer.reason ?? "failed",
                              },
                          }
                        : {}),
                },
                Statistics: { DataScannedInBytes: execution.answer.scannedBytes ?? 0 },
            },
        };
    }

    results(input: GetQueryResultsCommandInput) {
        const execution = this.execution(input.QueryExecutionId);
        if (this.state(execution) !== "SUCCEEDED") {
            throw sdkError(
                "InvalidRequestException",
                `Query has not yet finished. Current state: ${this.state(execution)}`,
            );
        }
        const columns = execution.answer.columns ?? [];
        const header = columns.map((c) => c.name);
        const all = [header, ...(execution.answer.rows ?? [])];
        const size = input.MaxResults ?? 1000;
        const from = input.NextToken ? Number(input.NextToken) : 0;
        const page = all.slice(from, from + size);
        const next = from + size < all.length ? String(from + size) : undefined;
        return {
            ResultSet: {
                Rows: page.map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
                ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type })) },
            },
            ...(next ? { NextToken: next } : {}),
        };
    }
}

/** Answers the Athena SDK client from `fake`, every request checked against Athena's model. */
export function mockAthena(fake: FakeAthena): { restore(): void } {
    const sandbox = sinon.createSandbox();
    const mock = mockClient(AthenaClient, { sandbox });
    mock.on(StartQueryExecutionCommand).callsFake(
        modelChecked("athena", "StartQueryExecution", (i: StartQueryExecutionCommandInput) => fake.start(i)),
    );
    mock.on(GetQueryExecutionCommand).callsFake(
        modelChecked("athena", "GetQueryExecution", (i: GetQueryExecutionCommandInput) => fake.get(i)),
    );
    mock.on(GetQueryResultsCommand).callsFake(
        modelChecked("athena", "GetQueryResults", (i: GetQueryResultsCommandInput) => fake.results(i)),
    );
    return { restore: () => sandbox.restore() };
}
