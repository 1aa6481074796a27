/**
 * What every rendered email of appstream-ops must show in a mail client, asserted on what
 * email-browser.ts measured: used by each email's render test, so every email is held to the
 * same checks.
 */
import * as assert from "assert";
import * as fs from "fs";
import { RenderedEmail } from "./email-browser";

/** A phone's viewport width. */
export const PHONE_WIDTH = 375;
/** What a styled cell's font must be: ours, never the browser's default serif. */
const STYLED_FONT = /Segoe UI|Helvetica|Arial|Consolas/;

/** No sideways scrolling at `width`, the email's own fonts in every cell, https links only. */
export function assertReadable(rendered: RenderedEmail, width: number): void {
    assert.ok(
        rendered.scrollWidth <= width,
        `the page is ${rendered.scrollWidth} px wide at ${width} px: it scrolls sideways`,
    );
    const unstyled = rendered.fontFamilies.filter((family) => !STYLED_FONT.test(family));
    assert.deepStrictEqual(unstyled, [], "every text cell is set in the email's own fonts");
    assert.deepStrictEqual(rendered.badLinks, []);
}

/** Each of `texts` (as asked of renderEmail) is on the page, top to bottom in that order. */
export function assertInOrder(rendered: RenderedEmail, texts: readonly string[]): void {
    const tops = texts.map((text) => rendered.positions[text]);
    assert.ok(
        tops.every((top) => top >= 0),
        JSON.stringify(rendered.positions),
    );
    assert.deepStrictEqual(
        [...tops].sort((a, b) => a - b),
        tops,
        JSON.stringify(rendered.positions),
    );
}

/** The README's screenshot is a PNG as wide as `width`, the width the test renders at. */
export function assertScreenshot(file: string, width: number): void {
    const png = fs.readFileSync(file);
    assert.strictEqual(png.subarray(1, 4).toString(), "PNG");
    assert.strictEqual(png.readUInt32BE(16), width);
}
