/**
 * `npm run test:render`: the usage digest as a mail client shows it, in Debian's headless Chromium.
 * The HTML is the one `npm run simulate-digest`'s sample asks SES to send (the deployed schedule
 * input, the serialized function, the model-checked Athena fake). The bars must be visible at a
 * desktop and a phone width with nothing scrolling sideways; a copy with its inline styles
 * stripped must fail the same checks.
 */
import * as assert from "assert";
import { Browser } from "playwright-core";
import { DESKTOP_WIDTH, DIGEST_SCREENSHOT, sampleDigestEmail } from "../../scripts/render-email";
import { RenderedEmail, launchChromium, renderEmail } from "../helpers/email-browser";
import { PHONE_WIDTH, assertInOrder, assertReadable, assertScreenshot } from "../helpers/email-assertions";

/** Actions first, then the figures. */
const ORDER = ["What needs you", "Fleets close to full", "For the record", "Totals", "Hours per stack", "Top users"];

/** Readable as every email must be, and every bar drawn. */
function assertReadableWithBars(rendered: RenderedEmail, width: number): void {
    assertReadable(rendered, width);
    // Hours per stack (2 bars) and per day (1 day with hours): every bar is drawn, none a sliver.
    assert.ok(rendered.barWidths.length >= 3, `bars drawn: ${JSON.stringify(rendered.barWidths)}`);
    assert.ok(
        rendered.barWidths.every((w) => w >= 4),
        `every bar is visible: ${JSON.stringify(rendered.barWidths)}`,
    );
}

describe("the usage digest in headless Chromium", function () {
    this.timeout(300_000);
    let browser: Browser;
    let email: { subject: string; html: string };

    before(async () => {
        email = await sampleDigestEmail();
        browser = await launchChromium();
    });
    after(async () => browser?.close());

    it("at a desktop width: styled, actions above the figures, bars as long as their values", async () => {
        const rendered = await renderEmail(browser, email.html, DESKTOP_WIDTH, ORDER);
        assertReadableWithBars(rendered, DESKTOP_WIDTH);
        assertInOrder(rendered, ORDER);
        // Hours per stack: sales 3.0 h, eng 0.5 h, so the first bar is six times the second.
        const [sales, eng] = rendered.barWidths;
        assert.ok(Math.abs(sales / eng - 6) < 0.5, `bars ${sales} px and ${eng} px for 3.0 h and 0.5 h`);
        assert.ok(sales >= 100, `the longest bar is ${sales} px wide`);
    });

    it("at a phone width: the bars shrink with the column, nothing scrolls sideways", async () => {
        const rendered = await renderEmail(browser, email.html, PHONE_WIDTH);
        assertReadableWithBars(rendered, PHONE_WIDTH);
        assert.ok(rendered.barWidths[0] >= 40, `the longest bar is ${rendered.barWidths[0]} px wide`);
    });

    it("negative control: the same email without its inline styles fails the checks", async () => {
        const unstyled = email.html.replace(/ style="[^"]*"/g, "");
        const rendered = await renderEmail(browser, unstyled, PHONE_WIDTH);
        assert.throws(() => assertReadableWithBars(rendered, PHONE_WIDTH), assert.AssertionError);
    });

    it("the README's screenshot is there, at the width the test renders", () => {
        assertScreenshot(DIGEST_SCREENSHOT, DESKTOP_WIDTH);
    });
});
