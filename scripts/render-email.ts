/**
 * npm run render:email
 *
 * Renders the summary email of the sample simulation (the mid-size sample account, the dev stack
 * with image updates on and two recipients) and the usage digest of `npm run simulate-digest`'s
 * sample in Debian's headless Chromium, and writes the screenshots the README shows:
 * docs/summary-email.png and docs/usage-digest.png. Needs /usr/bin/chromium.
 */
import * as fs from "fs";
import * as path from "path";
import { launchChromium, renderEmail } from "../test/helpers/email-browser";
import { withEnvironment } from "../test/helpers/environment";
import { PROJECT_ROOT, parseCommandLine, runScript } from "./lib/cli";
import { Simulation, simulate } from "./simulate";
import { simulateDigest } from "./simulate-digest";

/** The settings the sample is simulated with, over Pulumi.dev.yaml. */
export const SAMPLE_SETTINGS = {
    "appstream-ops:imageUpdates": "true",
    "appstream-ops:notifyEmails": '["appstream-admins@example.com", "service-desk@example.com"]',
    "appstream-ops:senderEmail": "appstream-updates@example.com",
};
export const SCREENSHOT = path.join(PROJECT_ROOT, "docs", "summary-email.png");
export const DIGEST_SCREENSHOT = path.join(PROJECT_ROOT, "docs", "usage-digest.png");
/** The usage digest's sample: the dev stack with fleet insights on and one recipient. */
export const DIGEST_SAMPLE_SETTINGS = {
    "appstream-ops:fleetInsights": "true",
    "appstream-ops:usageDigestEmails": '["appstream-owners@example.com"]',
    "appstream-ops:senderEmail": "appstream-digest@example.com",
};
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

/** The usage digest of the sample data, as the serialized digest function asks SES to send it. */
export async function sampleDigestEmail(): Promise<{ subject: string; html: string }> {
    return simulateDigest({ stack: "dev", overrides: DIGEST_SAMPLE_SETTINGS });
}

async function main(): Promise<number> {
    parseCommandLine("npm run render:email", {});
    const emails: [string, { subject: string; html: string }][] = [
        [SCREENSHOT, await sampleSummaryEmail()],
        [DIGEST_SCREENSHOT, await sampleDigestEmail()],
    ];
    const browser = await launchChromium();
    try {
        for (const [file, email] of emails) {
            const rendered = await renderEmail(browser, email.html, DESKTOP_WIDTH);
            fs.writeFileSync(file, rendered.png);
            console.log(`${path.relative(PROJECT_ROOT, file)}: ${rendered.png.length} bytes (${email.subject})`);
        }
    } finally {
        await browser.close();
    }
    return 0;
}

if (require.main === module) runScript("render:email", main);
