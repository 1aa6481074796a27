/**
 * A stateful fake of AppStream's fleet calls: DescribeFleets and UpdateFleet read and change an
 * in-memory fleet table, and scripted faults fail chosen calls. Its handlers answer the SDK client
 * of this process (aws-sdk-client-mock), or the engine suite's stand-in AppStream endpoint.
 */
import {
    AppStreamClient,
    Fleet,
    ResourceNotFoundException,
    UpdateFleetCommand,
    UpdateFleetCommandInput,
} from "@aws-sdk/client-appstream";
import { AwsClientStub } from "aws-sdk-client-mock";
import { AppStreamHandlers, mockAppStream } from "./appstream-handlers";
import { sdkError } from "./sdk-errors";
import { modelChecked } from "./service-model";

export interface FakeFleet {
    readonly name: string;
    readonly fleetType: "ELASTIC" | "ALWAYS_ON" | "ON_DEMAND";
    /** States reported by successive DescribeFleets calls; the last one stays. */
    states: string[];
    location?: { S3Bucket: string; S3Key: string };
    /** What DescribeFleets says of its capacity. @default desired 0 */
    readonly capacity?: {
        readonly desired?: number;
        /** Multi-session fleets: sessions per instance, and the desired user sessions AppStream derives. */
        readonly maxSessionsPerInstance?: number;
        readonly desiredUserSessions?: number;
        /** Elastic fleets. */
        readonly maxConcurrentSessions?: number;
    };
}

/** The members that have a value: the model has no place for an undefined one. */
const defined = (members: Record<string, number | undefined>) =>
    Object.fromEntries(Object.entries(members).filter(([, value]) => value !== undefined));

export type FleetCall = "DescribeFleets" | "UpdateFleet";

export const throttled = () => sdkError("ThrottlingException", "Rate exceeded");

export class FakeFleets {
    readonly fleets = new Map<string, FakeFleet>();
    /** Errors the next calls of each kind throw, in order, before the fake looks at the fleets. */
    readonly faults: Record<FleetCall, Error[]> = { DescribeFleets: [], UpdateFleet: [] };
    readonly handlers: AppStreamHandlers = {
        DescribeFleets: modelChecked("appstream", "DescribeFleets", ({ Names = [] }: { Names?: string[] }) => {
            this.fault("DescribeFleets");
            const found = Names.map((name) => this.fleets.get(name));
            if (found.some((f) => f === undefined)) {
                throw new ResourceNotFoundException({
                    message: "The specified fleet was not found.",
                    $metadata: {},
                });
            }
            return { Fleets: found.map((f) => this.describe(f!)) };
        }),
        UpdateFleet: modelChecked("appstream", "UpdateFleet", (input: UpdateFleetCommandInput) => {
            this.fault("UpdateFleet");
            const fleet = this.fleets.get(input.Name ?? "");
            if (!fleet) throw new ResourceNotFoundException({ message: "fleet not found", $metadata: {} });
            if (["STARTING", "STOPPING"].includes(fleet.states[0])) {
                throw sdkError("OperationNotPermittedException", `fleet is ${fleet.states[0]}`);
            }
            const set = input.SessionScriptS3Location;
            if (set) fleet.location = { S3Bucket: set.S3Bucket ?? "", S3Key: set.S3Key ?? "" };
            if (input.AttributesToDelete?.includes("SESSION_SCRIPT_S3_LOCATION")) delete fleet.location;
            return { Fleet: this.describe(fleet, false) };
        }),
    };
    private readonly stub?: AwsClientStub<AppStreamClient>;

    /** `mocked: false` answers no SDK client in this process: only the handlers (the stand-in endpoint). */
    constructor(fleets: FakeFleet[], options: { mocked?: boolean } = {}) {
        for (const fleet of fleets) this.fleets.set(fleet.name, fleet);
        if (options.mocked !== false) this.stub = mockAppStream(this.handlers);
    }

    /** The SDK client of this process, answered by the handlers. */
    get mock(): AwsClientStub<AppStreamClient> {
        if (!this.stub) throw new Error("this FakeFleets was made with { mocked: false }: no SDK client is mocked");
        return this.stub;
    }

    /** Names of the calls made, in order. */
    calls(): string[] {
        return this.mock.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
    }

    updates(): Record<string, unknown>[] {
        return this.mock.commandCalls(UpdateFleetCommand).map((call) => ({ ...call.args[0].input }));
    }

    restore(): void {
        this.mock.restore();
    }

    private fault(call: FleetCall): void {
        const error = this.faults[call].shift();
        if (error) throw error;
    }

    private describe(fleet: FakeFleet, advance = true): Fleet {
        const state = fleet.states[0];
        if (advance && fleet.states.length > 1) fleet.states.shift();
        return {
            Name: fleet.name,
            Arn: `arn:aws:appstream:eu-west-1:123456789012:fleet/${fleet.name}`,
            FleetType: fleet.fleetType,
            State: state as Fleet["State"],
            InstanceType: "stream.standard.medium",
            ComputeCapacityStatus: {
                Desired: fleet.capacity?.desired ?? 0,
                Running: 0,
                InUse: 0,
                Available: 0,
                ...defined({ DesiredUserSessions: fleet.capacity?.desiredUserSessions }),
            },
            ...defined({
                MaxSessionsPerInstance: fleet.capacity?.maxSessionsPerInstance,
                MaxConcurrentSessions: fleet.capacity?.maxConcurrentSessions,
            }),
            SessionScriptS3Location: fleet.location ? { ...fleet.location } : undefined,
        } as Fleet;
    }
}
