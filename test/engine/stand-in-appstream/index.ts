/**
 * Starts and reads the STAND-IN AppStream endpoint (./server.ts) for the engine suite: the dynamic
 * providers the engine runs reach it through AWS_ENDPOINT_URL_APPSTREAM, with placeholder
 * credentials that sign but open nothing.
 */
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import * as path from "path";
import type { FakeFleet } from "../../helpers/fake-fleets";

export interface StandInWorld {
    readonly fleets: FakeFleet[];
}

export interface StandInState {
    readonly fleets: FakeFleet[];
    readonly subscribed: boolean;
    /** Operations answered, in order. */
    readonly calls: string[];
    /** Requests the model refused (ValidationError) and wire-protocol faults of the caller. */
    readonly refused: string[];
    /** Answers outside the model: the fake is wrong, not the caller. */
    readonly fakeViolations: string[];
}

export interface StandInAppStream {
    /** What the CLI's environment needs for the providers to call the stand-in. */
    readonly env: NodeJS.ProcessEnv;
    state(): Promise<StandInState>;
    stop(): void;
}

export async function startStandInAppStream(world: StandInWorld): Promise<StandInAppStream> {
    const child: ChildProcess = spawn(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "server.ts"), JSON.stringify(world)],
        { cwd: path.resolve(__dirname, "../../.."), stdio: ["ignore", "pipe", "inherit"] },
    );
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (chunk) => {
            out += chunk;
            const match = /listening (\d+)/.exec(out);
            if (match) resolve(Number(match[1]));
        });
        child.on("exit", (code) => reject(new Error(`the stand-in AppStream endpoint exited with ${code}`)));
    });
    const endpoint = `http://127.0.0.1:${port}`;
    return {
        env: {
            AWS_ENDPOINT_URL_APPSTREAM: endpoint,
            AWS_ACCESS_KEY_ID: "AKIASTANDINENGINE000",
            AWS_SECRET_ACCESS_KEY: "stand-in-engine-suite",
            AWS_SESSION_TOKEN: "",
        },
        state: () =>
            new Promise((resolve, reject) => {
                // A new connection each time: a kept-alive one may be closed by the server meanwhile.
                http.get(`${endpoint}/stand-in/state`, { agent: false }, (res) => {
                    let body = "";
                    res.on("data", (chunk) => (body += chunk));
                    res.on("end", () => resolve(JSON.parse(body) as StandInState));
                }).on("error", reject);
            }),
        stop: () => child.kill(),
    };
}
