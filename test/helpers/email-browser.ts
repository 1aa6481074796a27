/**
 * Renders an email's HTML in Debian's headless Chromium (through playwright-core), the way a
 * webmail client shows it: the page as sent, at a desktop and a phone width.
 */
import * as fs from "fs";
import { Browser, chromium } from "playwright-core";

/** Debian's package `chromium`; `.ci/run` installs it. */
export const CHROMIUM = "/usr/bin/chromium";

/** Without the background-networking flags, Chromium keeps calling out to a closed network. */
const CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
    }
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface RenderedEmail {
    /** Width of the laid-out page, in CSS pixels; more than the viewport means sideways scrolling. */
    readonly scrollWidth: number;
    /** Every text cell's computed font family, once each. */
    readonly fontFamilies: string[];
    /** Top of each piece of text asked for, in CSS pixels; -1 when it is not on the page. */
    readonly positions: Record<string, number>;
    /** The banner's computed background colour. */
    readonly bannerBackground: string;
    /** Links whose href is empty or not https. */
    readonly badLinks: string[];
    /** Rendered width, in CSS pixels, of each bar of a chart (a cell 14 pixels high, as the digest draws them). */
    readonly barWidths: number[];
    readonly png: Buffer;
}

const MEASURE_IN_PAGE = `(texts) => {
    const cells = [...document.querySelectorAll("td")].filter((td) => td.children.length === 0);
    const top = (text) => {
        const cell = cells.find((td) => (td.textContent || "").includes(text));
        return cell ? cell.getBoundingClientRect().top + window.scrollY : -1;
    };
    const banner = document.querySelector("table table td");
    return {
        scrollWidth: document.documentElement.scrollWidth,
        fontFamilies: [...new Set(cells.map((td) => getComputedStyle(td).fontFamily))],
        positions: Object.fromEntries(texts.map((t) => [t, top(t)])),
        bannerBackground: getComputedStyle(banner).backgroundColor,
        badLinks: [...document.querySelectorAll("a")]
            .map((a) => a.getAttribute("href") || "")
            .filter((href) => !href.startsWith("https://")),
        barWidths: [...document.querySelectorAll('td[height="14"]')].map((td) => td.getBoundingClientRect().width),
    };
}`;

/** Renders `html` at `width` pixels and measures what the tests and the README need. */
export async function renderEmail(
    browser: Browser,
    html: string,
    width: number,
    find: readonly string[] = [],
): Promise<RenderedEmail> {
    const page = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
    try {
        // No network: everything the email shows is in it.
        await page.route("**/*", (route) => route.abort());
        await page.setContent(html, { waitUntil: "load" });
        // Runs in the page: written as source text, so this Node project keeps no DOM typings.
        const measured = (await page.evaluate(`(${MEASURE_IN_PAGE})(${JSON.stringify(find)})`)) as Omit<
            RenderedEmail,
            "png"
        >;
        const png = await page.screenshot({ fullPage: true, type: "png" });
        return { ...measured, png };
    } finally {
        await page.close();
    }
}
