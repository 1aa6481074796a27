/**
 * npm run simulate-digest [-- --stack dev] [--config key=value ...] [--html <file>]
 *
 * Prints the usage digest email the stack would send, for sample usage data: the real program under
 * mocks gives the schedule's input and the serialized function, which runs against sample query
 * results (a stand-in Athena checked against Athena's model) and two sample fleets. The settings are
 * the stack's own (Pulumi.<stack>.yaml) with `--config` over them, validated as preview validates
 * them. `--html` also writes the HTML part, to open in a browser. Needs no AWS account.
 */
import * as fs from "fs";
import * as path from "path";
import * as sinon from "sinon";
import { CONFIG_NAMESPACE, parseStackConfig, usageDigestRecipients } from "../config";
import { deployedDigest } from "../test/helpers/deployed-digest";
import { SAMPLE_FLEETS, SAMPLE_NOW, answerWithSamples } from "../test/helpers/digest-outcomes";
import { FakeAthena, mockAthena } from "../test/helpers/fake-athena";
import { FakeFleets } from "../test/helpers/fake-fleets";
import { mockSes } from "../test/helpers/fake-appstream";
import { UsageError, configOverrides, parseCommandLine, readStackFile, runScript } from "./lib/cli";

export interface DigestSimulation {
    readonly lines: string[];
    readonly subject: string;
    readonly text: string;
    readonly html: string;
}

/** Why the stack sends no digest, naming the keys to set; undefined when it sends one. */
function noDigestReason(config: Record<string, string>): string | undefined {
    const c = parseStackConfig(config);
    const k = (key: string) => `${CONFIG_NAMESPACE}:${key}`;
    if (!c.fleetInsights) return `${k("fleetInsights")} is false; add --config fleetInsights=true`;
    if (!c.usagePipeline) return `${k("usagePipeline")} is false; add --config usagePipeline=true`;
    if (usageDigestRecipients(c).length === 0) {
        return `${k("usageDigestEmails")} and ${k("notifyEmails")} are empty; add --config 'usageDigestEmails=["you@example.com"]' --config senderEmail=digest@example.com`;
    }
    return undefined;
}

export async function simulateDigest(options: {
    stack: string;
    overrides?: Record<string, string>;
}): Promise<DigestSimulation> {
    const { stack, overrides = {} } = options;
    const config = { ...readStackFile(stack).config, ...overrides };
    const reason = noDigestReason(config);
    if (reason) throw new UsageError(`stack "${stack}" sends no usage digest: ${reason}`);
    const deployed = await deployedDigest({ stack, config });
    if (!deployed) throw new UsageError(`stack "${stack}" deploys no usage digest function`);
    const athena = new FakeAthena();
    const athenaMock = mockAthena(athena);
    const fleets = new FakeFleets(SAMPLE_FLEETS);
    const ses = mockSes();
    // The function's clock reads the sample's date, so its period is the sample's week; only Date
    // is faked, so the Athena adapter's waits still run.
    const clock = sinon.useFakeTimers({ now: SAMPLE_NOW, toFake: ["Date"] });
    try {
        answerWithSamples(athena, deployed.input, SAMPLE_NOW);
        await deployed.invoke();
    } finally {
        clock.restore();
        athenaMock.restore();
        fleets.restore();
        ses.restore();
    }
    const [mail] = ses.sent;
    const subject = mail.Message?.Subject?.Data ?? "";
    const text = mail.Message?.Body?.Text?.Data ?? "";
    const html = mail.Message?.Body?.Html?.Data ?? "";
    const lines = [
        `Simulated usage digest of stack "${stack}", for sample data (two stacks, two fleets), run at ${SAMPLE_NOW.toISOString()} as the sample's week ends`,
        `  ${athena.executions.length} Athena queries in workgroup ${deployed.input.workGroup}; schedule input as deployed`,
        "",
        `From: ${mail.Source}`,
        `To: ${mail.Destination?.ToAddresses?.join(", ")}`,
        `Subject: ${subject}`,
        "",
        ...text.split("\n"),
    ];
    return { lines, subject, text, html };
}

const USAGE = "npm run simulate-digest -- [--stack <name>] [--config key=value ...] [--html <file>]";

async function main(): Promise<number> {
    const values = parseCommandLine(USAGE, {
        stack: { type: "string", default: "dev" },
        config: { type: "string", multiple: true },
        html: { type: "string" },
    });
    const simulation = await simulateDigest({
        stack: values.stack as string,
        overrides: configOverrides(values.config as string[] | undefined),
    });
    console.log(simulation.lines.join("\n"));
    if (values.html) {
        fs.writeFileSync(path.resolve(values.html as string), simulation.html);
        console.log(`\nHTML part written to ${values.html}`);
    }
    return 0;
}

if (require.main === module) runScript("simulate-digest", main);
