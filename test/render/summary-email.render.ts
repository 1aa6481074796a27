/**
 * `npm run test:render`: the summary email as a mail client shows it, in Debian's headless
 * Chromium. The HTML is the one the sample simulation asks SES to send (real state machine,
 * serialized Lambda, fake account); a failure email is rendered too. A copy of the email with its
 * inline styles stripped, as the old unstyled email was, must fail the same checks.
 */
import * as assert from "assert";
import { Browser } from "playwright-core";
import { failureEmail } from "../../runtime/image-update/email/summary-email";
import { DESKTOP_WIDTH, SCREENSHOT, sampleSummaryEmail } from "../../scripts/render-email";
import { launchChromium, renderEmail } from "../helpers/email-browser";
import { PHONE_WIDTH, assertInOrder, assertReadable, assertScreenshot } from "../helpers/email-assertions";

const ORDER = ["Action needed", "What needs you", "Failed (", "For the record", "Updated (", "Quotas ("];

describe("the summary email in headless Chromium", function () {
    this.timeout(300_000);
    let browser: Browser;
    let email: { subject: string; text: string; html: string };

    before(async () => {
        email = await sampleSummaryEmail();
        browser = await launchChromium();
    });
    after(async () => browser?.close());

    it("at a desktop width: styled, actions above the report, the amber action banner", async () => {
        const rendered = await renderEmail(browser, email.html, DESKTOP_WIDTH, ORDER);
        assertReadable(rendered, DESKTOP_WIDTH);
        assertInOrder(rendered, ORDER);
        assert.strictEqual(rendered.bannerBackground, "rgb(181, 71, 8)");
        // A PNG as wide as the viewport: what docs/summary-email.png was made from.
        assert.strictEqual(rendered.png.readUInt32BE(16), DESKTOP_WIDTH);
    });

    it("at a phone width: the column shrinks to the screen, nothing scrolls sideways", async () => {
        assertReadable(await renderEmail(browser, email.html, PHONE_WIDTH), PHONE_WIDTH);
    });

    it("a failure email renders the same way, with the red banner", async () => {
        const failed = failureEmail({ Error: "States.Runtime", Cause: "The Lambda returned an error" }, undefined, {
            region: "eu-west-1",
            executionArn: "arn:aws:states:eu-west-1:123456789012:execution:image-updates:run-1",
            stack: "appstream-ops/dev",
        });
        const rendered = await renderEmail(browser, failed.html, DESKTOP_WIDTH);
        assertReadable(rendered, DESKTOP_WIDTH);
        assert.strictEqual(rendered.bannerBackground, "rgb(180, 35, 24)");
    });

    it("negative control: the same email without its inline styles fails the checks", async () => {
        const unstyled = email.html.replace(/ style="[^"]*"/g, "");
        const rendered = await renderEmail(browser, unstyled, PHONE_WIDTH);
        assert.throws(() => assertReadable(rendered, PHONE_WIDTH), assert.AssertionError);
    });

    it("the README's screenshot is there, at the width the test renders", () => {
        assertScreenshot(SCREENSHOT, DESKTOP_WIDTH);
    });
});
