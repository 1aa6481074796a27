/**
 * A fake AppStream as a table of model-checked handlers, one per operation, so the same fake can
 * answer the SDK client in this process (aws-sdk-client-mock) or another process over AppStream's
 * wire protocol (the engine suite's stand-in endpoint, test/engine/stand-in-appstream).
 */
import * as appstream from "@aws-sdk/client-appstream";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";

/** Operation name (as the model spells it) → handler; each is wrapped by `modelChecked`. */
export type AppStreamHandlers = Record<string, (input: object) => Promise<unknown>>;

/** The SDK's AppStream client in this process, answered by `handlers`. */
export function mockAppStream(handlers: AppStreamHandlers): AwsClientStub<appstream.AppStreamClient> {
    const mock = mockClient(appstream.AppStreamClient);
    for (const [operation, handler] of Object.entries(handlers)) {
        const command = (appstream as unknown as Record<string, unknown>)[`${operation}Command`];
        if (typeof command !== "function") throw new Error(`the AppStream SDK has no ${operation}Command`);
        mock.on(command as typeof appstream.DescribeFleetsCommand).callsFake(handler);
    }
    return mock;
}
