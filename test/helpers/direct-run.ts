/**
 * Drives the image-update runtime directly (no state machine): startRun, then one poll interval
 * on the fake account's clock and checkRun, until the run is done. The state crosses a JSON
 * boundary between steps, as it does in Step Functions.
 */
import * as assert from "assert";
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { appStreamApi } from "../../runtime/image-update/run/appstream-api";
import { QuotaApi } from "../../runtime/image-update/lifecycle/quotas";
import { serviceQuotasApi } from "../../runtime/image-update/run/service-quotas-api";
import { DEFAULT_APPSTREAM_CALLS_PER_SECOND, RunSettings } from "../../runtime/image-update/run/run-settings";
import { RunState } from "../../runtime/image-update/run/run-state";
import { checkRun, startRun } from "../../runtime/image-update/run/workflow";
import { FakeAppStreamAccount, mockAppStream } from "./fake-appstream";

export const RUN_STARTED_AT = "2026-12-01T12:00:00Z";

/** Service Quotas through the SDK client, which mockAppStream answers from the fake account. */
export const quotasApi = (): QuotaApi => serviceQuotasApi(new ServiceQuotasClient({}));

/** Run settings as the schedule would send them with the default config, with overrides. */
export function runSettings(overrides: Partial<RunSettings> = {}): RunSettings {
    return {
        batchSize: 5,
        tagKey: "AutoUpdate",
        tagValue: "Enabled",
        notifyEmails: [],
        senderEmail: "",
        maxChecks: 48,
        timeZone: "UTC",
        keepImageVersions: 0,
        appStreamCallsPerSecond: DEFAULT_APPSTREAM_CALLS_PER_SECOND,
        ...overrides,
    };
}

export interface DirectRun {
    final: RunState;
    checks: number;
    /** Updates in flight after each step, as the fake counted them. */
    inFlightAfterEachStep: number[];
}

export async function runToEnd(
    account: FakeAppStreamAccount,
    settings: RunSettings,
    pollIntervalMinutes = 30,
    startedAt = RUN_STARTED_AT,
    /** Sees the state after every step, as Step Functions would carry it. */
    onStep: (state: RunState) => void = () => {},
): Promise<DirectRun> {
    const mock = mockAppStream(account);
    try {
        const api = appStreamApi(new AppStreamClient({}));
        let state = await startRun(api, settings, startedAt, quotasApi());
        onStep(state);
        const inFlight = [account.inFlight()];
        let checks = 0;
        while (!state.done) {
            account.advance(pollIntervalMinutes);
            state = await checkRun(api, JSON.parse(JSON.stringify(state)));
            onStep(state);
            inFlight.push(account.inFlight());
            checks++;
            assert.ok(checks <= settings.maxChecks, "the run did not end within maxChecks");
        }
        return { final: state, checks, inFlightAfterEachStep: inFlight };
    } finally {
        mock.restore();
    }
}
