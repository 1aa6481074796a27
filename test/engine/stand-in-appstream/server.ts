/**
 * STAND-IN for AppStream itself in the engine suite: an HTTP endpoint on 127.0.0.1 that speaks
 * AppStream's wire protocol as the AWS SDK for JavaScript v3 sends it (AWS JSON 1.1: POST /, the
 * `X-Amz-Target: PhotonAdminProxyService.<Operation>` header, a SigV4 `Authorization` header
 * scoped to the `appstream` signing name) and answers from the project's model-validated fakes
 * (test/helpers/fake-fleets.ts, fake-usage-report-subscriptions.ts). The dynamic providers, run
 * by the engine's provider host, reach it through AWS_ENDPOINT_URL_APPSTREAM. It runs as its own
 * process because the engine suite waits on the CLI synchronously.
 *
 * Started with the world as JSON in argv[2] ({ fleets: FakeFleet[] }); prints `listening <port>`.
 * GET /stand-in/state answers the fleets, the subscription, the calls by operation, and every
 * request the model refused or answer the fake gave outside its model, for the suite to assert on.
 */
import * as http from "http";
import { AppStreamHandlers } from "../../helpers/appstream-handlers";
import { FakeFleets } from "../../helpers/fake-fleets";
import { FakeUsageReportSubscriptions } from "../../helpers/fake-usage-report-subscriptions";
import { contractLog, serviceModel } from "../../helpers/service-model";
import type { StandInState, StandInWorld } from "./index";

const model = serviceModel("appstream");
const { targetPrefix, jsonVersion, signingName } = model.metadata;
const CONTENT_TYPE = `application/x-amz-json-${jsonVersion}`;

const world = JSON.parse(process.argv[2] ?? "{}") as StandInWorld;
const fleets = new FakeFleets(world.fleets ?? [], { mocked: false });
const subscriptions = new FakeUsageReportSubscriptions();
const handlers: AppStreamHandlers = { ...fleets.handlers, ...subscriptions.handlers };
const calls: string[] = [];

/** AWS JSON 1.1 timestamps are epoch seconds. */
function toWire(body: unknown): string {
    return JSON.stringify(body, function (key, value) {
        const raw = (this as Record<string, unknown>)[key];
        return raw instanceof Date ? raw.getTime() / 1000 : value;
    });
}

function protocolFault(req: http.IncomingMessage): string | undefined {
    if (req.method !== "POST" || req.url !== "/") return `${req.method} ${req.url}: AWS JSON 1.1 is POST /`;
    if (req.headers["content-type"] !== CONTENT_TYPE) return `Content-Type ${req.headers["content-type"]}`;
    const auth = req.headers.authorization ?? "";
    if (!new RegExp(`^AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/[a-z0-9-]+/${signingName}/aws4_request`).test(auth)) {
        return `Authorization is not SigV4 for ${signingName}: ${auth.slice(0, 80)}`;
    }
    return undefined;
}

function answer(res: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
    res.writeHead(status, {
        "Content-Type": CONTENT_TYPE,
        "x-amzn-RequestId": `stand-in-${calls.length}`,
        ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
    });
    res.end(toWire(body));
}

async function handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    if (req.method === "GET" && req.url === "/stand-in/state") {
        const state: StandInState = {
            fleets: [...fleets.fleets.values()],
            subscribed: subscriptions.subscribed,
            calls,
            refused: contractLog.refused,
            fakeViolations: contractLog.fakeViolations,
        };
        return answer(res, 200, state);
    }
    const fault = protocolFault(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix!.length + 1) : "";
    const handler = handlers[operation];
    if (fault || !handler) {
        const reason = fault ?? `the stand-in does not answer ${JSON.stringify(target)}`;
        contractLog.refused.push(reason);
        return answer(res, 400, { __type: "UnknownOperationException", message: reason }, "UnknownOperationException");
    }
    calls.push(operation);
    try {
        answer(res, 200, await handler(JSON.parse(body || "{}")));
    } catch (err) {
        const error = err as Error & { $metadata?: { httpStatusCode?: number } };
        answer(res, error.$metadata?.httpStatusCode ?? 400, { __type: error.name, message: error.message }, error.name);
    }
}

const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => void handle(req, body, res));
});
server.listen(0, "127.0.0.1", () => {
    console.log(`listening ${(server.address() as { port: number }).port}`);
});
