/**
 * The one email a run sends: plain text and HTML with the same content. Every value that comes
 * from AppStream or the execution (image names, reasons, error causes) is HTML-escaped.
 */
import type { RunSummary, SummaryItem } from "./workflow";

export interface Email {
    readonly subject: string;
    readonly text: string;
    readonly html: string;
}

/** Where the run happened, for the subject and a link to the execution. */
export interface RunContext {
    readonly region?: string;
    readonly executionArn?: string;
}

export function escapeHtml(value: string): string {
    return value
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
}

/** Subjects are one line: a newline from a value would otherwise start a header. */
function oneLine(value: string): string {
    return value.replace(/[\r\n]+/g, " ");
}

function executionUrl(context: RunContext): string | undefined {
    if (!context.region || !context.executionArn) return undefined;
    return `https://${context.region}.console.aws.amazon.com/states/home?region=${context.region}#/v2/executions/details/${encodeURIComponent(context.executionArn)}`;
}

interface Section {
    readonly title: string;
    readonly items: readonly SummaryItem[];
    readonly line: (item: SummaryItem) => string;
    /** How many the section is about, when it lists only some of them. @default items.length */
    readonly count?: number;
}

function sections(summary: RunSummary): Section[] {
    const withDetail = (text: string, detail?: string) => (detail ? `${text} (${detail})` : text);
    return [
        { title: "Updated", items: summary.updated, line: (i) => withDetail(`${i.name} -> ${i.newName}`, i.detail) },
        { title: "Failed", items: summary.failed, line: (i) => `${i.name}: ${i.detail ?? "no reason given"}` },
        { title: "Already up to date", items: summary.upToDate, line: (i) => withDetail(i.name, i.detail) },
        {
            title: "Still pending at timeout",
            items: summary.pendingAtTimeout,
            line: (i) => withDetail(`${i.name} -> ${i.newName}`, i.detail),
        },
        ...(summary.leftOut ? [leftOutSection(summary.leftOut)] : []),
    ];
}

/** Images a run could not hold (Step Functions' 256 KiB state); they wait for a later run. */
function leftOutSection(leftOut: NonNullable<RunSummary["leftOut"]>): Section {
    const more = leftOut.count - leftOut.names.length;
    return {
        title: "Left out of this run",
        count: leftOut.count,
        items: [
            {
                name: `Step Functions keeps at most 256 KB of run state, so these tagged images were not taken up. They keep their opt-in tag, and a later run takes them up.`,
            },
            ...leftOut.names.map((name) => ({ name })),
            ...(more > 0 ? [{ name: `and ${more} more` }] : []),
        ],
        line: (i) => i.name,
    };
}

function render(subject: string, intro: string, body: Section[], context: RunContext): Email {
    const url = executionUrl(context);
    const textParts = [intro, ""];
    const htmlParts = [`<p>${escapeHtml(intro)}</p>`];
    for (const section of body) {
        const count = section.count ?? section.items.length;
        textParts.push(`${section.title} (${count}):`);
        textParts.push(...(section.items.length ? section.items.map((i) => `  - ${section.line(i)}`) : ["  (none)"]));
        textParts.push("");
        htmlParts.push(`<h3>${escapeHtml(section.title)} (${count})</h3>`);
        htmlParts.push(
            section.items.length
                ? `<ul>${section.items.map((i) => `<li>${escapeHtml(section.line(i))}</li>`).join("")}</ul>`
                : "<p>(none)</p>",
        );
    }
    if (url) {
        textParts.push(`Execution: ${url}`);
        htmlParts.push(`<p><a href="${escapeHtml(url)}">Open the execution in the Step Functions console</a></p>`);
    }
    return {
        subject: oneLine(subject),
        text: textParts.join("\n").trimEnd() + "\n",
        html: `<!DOCTYPE html><html><body>${htmlParts.join("")}</body></html>`,
    };
}

/** The summary of a finished run. */
export function summaryEmail(summary: RunSummary, context: RunContext = {}): Email {
    const where = context.region ? ` in ${context.region}` : "";
    const counts = [
        `${summary.updated.length} updated`,
        `${summary.failed.length} failed`,
        `${summary.upToDate.length} up to date`,
        `${summary.pendingAtTimeout.length} pending`,
        ...(summary.leftOut ? [`${summary.leftOut.count} left out`] : []),
    ].join(", ");
    const verdict = summary.outcome === "SUCCEEDED" ? "" : "ACTION NEEDED: ";
    return render(
        `${verdict}AppStream image updates ${summary.runDate}${where}: ${counts}`,
        `AppStream managed image updates of ${summary.runDate}${where}. Images tagged for automatic update were checked; ${counts}.`,
        sections(summary),
        context,
    );
}

/** Sent when the run itself failed (not one image): the error, and what was known by then. */
export function failureEmail(
    error: { Error?: string; Cause?: string },
    summary: RunSummary | undefined,
    context: RunContext = {},
): Email {
    const where = context.region ? ` in ${context.region}` : "";
    const cause = error.Cause ?? "no cause given";
    const failedSection: Section = {
        title: "Error",
        items: [{ name: error.Error ?? "Unknown error", detail: cause }],
        line: (i) => `${i.name}: ${i.detail}`,
    };
    return render(
        `FAILED: AppStream image update run${summary ? ` ${summary.runDate}` : ""}${where}`,
        `The AppStream image update run stopped with an error${where}. Updates already started continue in AppStream; the images below show what was known when it stopped.`,
        [failedSection, ...(summary ? sections(summary) : [])],
        context,
    );
}
