/**
 * npm run render:email
 *
 * Renders the summary email of the sample simulation (the mid-size sample account, the dev stack
 * with image updates on and two recipients) in Debian's headless Chromium, and writes the
 * screenshot the README shows: docs/summary-email.png. Needs /usr/bin/chromium.
 */
import * as fs from "fs";
import * as path from "path";
import { launchChromium, renderEmail } from "../test/helpers/email-browser";
import { withEnvironment } from "../test/helpers/environment";
import { PROJECT_ROOT, parseCommandLine, runScript } from "./lib/cli";
import { Simulation, simulate } from "./simulate";

/** The settings the sample is simulated with, over Pulumi.dev.yaml. */
export const SAMPLE_SETTINGS = {
    "appstream-ops:imageUpdates": "true",
    "appstream-ops:notifyEmails": '["appstream-admins@example.com", "service-desk@example.com"]',
    "appstream-ops:senderEmail": "appstream-updates@example.com",
};
export const SCREENSHOT = path.join(PROJECT_ROOT, "docs", "summary-email.png");
/** A desktop mail client's reading pane: the 640-pixel email and its margins. */
export const DESKTOP_WIDTH = 720;

/** The sample run: the sample account, the dev stack with SAMPLE_SETTINGS; AWS_REGION as it was after. */
export async function simulateSample(): Promise<Simulation> {
    // simulate sets AWS_REGION for its run; it is put back afterwards.
    return withEnvironment({ AWS_REGION: process.env.AWS_REGION }, () =>
        simulate({
            stack: "dev",
            fixtureFile: path.join(PROJECT_ROOT, "scripts", "fixtures", "sample-account.json"),
            overrides: SAMPLE_SETTINGS,
        }),
    );
}

/** The summary email of the sample run, as SES would have been asked to send it. */
export async function sampleSummaryEmail(): Promise<Simulation["emails"][number]> {
    const { emails } = await simulateSample();
    if (emails.length !== 1) throw new Error(`the sample run sent ${emails.length} emails, expected 1`);
    return emails[0];
}

async function main(): Promise<number> {
    parseCommandLine("npm run render:email", {});
    const email = await sampleSummaryEmail();
    const browser = await launchChromium();
    try {
        const rendered = await renderEmail(browser, email.html, DESKTOP_WIDTH);
        fs.writeFileSync(SCREENSHOT, rendered.png);
        console.log(`${path.relative(PROJECT_ROOT, SCREENSHOT)}: ${rendered.png.length} bytes (${email.subject})`);
    } finally {
        await browser.close();
    }
    return 0;
}

if (require.main === module) runScript("render:email", main);
