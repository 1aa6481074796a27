/**
 * The one email a run sends: plain text and HTML with the same content. Every value that comes
 * from AppStream or the execution (image names, reasons, error causes) is HTML-escaped.
 */
import type { RetentionRecord } from "./lifecycle";
import { QUOTAS, QUOTA_NAMES, quotaConsoleUrl } from "./quotas";
import type { KeptBecause } from "./retention";
import { FleetRecord, updateFleetCommand } from "./rollout";
import { QuotaBlock, RunSummary, SummaryItem, lifecycleCounts } from "./workflow";

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
        ...summary.quotaBlocks.map((block) => quotaBlockSection(block, summary)),
        ...fleetSections(summary),
        ...retentionSections(summary),
        ...(summary.leftOut ? [leftOutSection(summary.leftOut)] : []),
        ...quotaSection(summary),
    ];
}

const plain = (name: string): SummaryItem => ({ name });
const lines = (title: string, items: SummaryItem[], count?: number): Section => ({
    title,
    items,
    line: (i) => i.name,
    ...(count !== undefined ? { count } : {}),
});

/** A quota that kept updates from starting: the numbers, what to do, and the images. */
function quotaBlockSection(block: QuotaBlock, summary: RunSummary): Section {
    const n = block.notStarted.length;
    const notStarted = `${n} update${n === 1 ? "" : "s"} not started`;
    if (block.quota === "otherQuota") {
        return lines(
            `Not started: an AppStream quota was reached`,
            [
                plain(
                    `AppStream refused with LimitExceededException (${block.message ?? "no message"}); ${notStarted}. None of the image, image builder and concurrent update quotas this run reads is full: check the instance-type quotas of image builders in Service Quotas (service appstream2).`,
                ),
                ...block.notStarted.map(plain),
            ],
            n,
        );
    }
    const spec = QUOTAS[block.quota];
    const source =
        block.source === "default"
            ? ` (the documented default: Service Quotas could not be read, see Quotas below)`
            : "";
    const raise = `raise the quota ${spec.code} in Service Quotas (service appstream2): ${quotaConsoleUrl(block.quota, summary.region)}`;
    const wouldFree = summary.keepImageVersions === 0 ? summary.retention.filter((r) => !r.kept).length : 0;
    const advice: Record<QuotaBlock["quota"] & string, string> = {
        images:
            summary.keepImageVersions === 0
                ? `To make room: turn on retention (keepImageVersions; with 1 it would delete the ${wouldFree} superseded version(s) listed below), delete images you no longer need (aws appstream delete-image --name <image>), or ${raise}.`
                : `Retention (keepImageVersions = ${summary.keepImageVersions}) could not make enough room. Lower keepImageVersions, delete images you no longer need (aws appstream delete-image --name <image>), or ${raise}.`,
        imageBuilders: `Each managed update runs a temporary image builder. Delete image builders you no longer need, or ${raise}.`,
        concurrentUpdates: `Other image updates held the quota for the whole run. Let them finish (the next run takes these images up), or ${raise}.`,
        otherQuota: "",
    };
    return lines(
        `Not started: ${spec.title} reached`,
        [
            plain(
                `${spec.title} reached: ${block.used ?? "?"} of ${block.value ?? "?"} ${spec.unit}${source}; ${notStarted}.`,
            ),
            plain(advice[block.quota]),
            ...block.notStarted.map(plain),
        ],
        n,
    );
}

/** Fleets on an updated image: rolled out, not rolled out (with the command), not opted in. */
function fleetSections(summary: RunSummary): Section[] {
    if (summary.fleets.length === 0 && summary.fleetsOmitted === 0) return [];
    const of = (outcome: FleetRecord["outcome"][]) => summary.fleets.filter((f) => outcome.includes(f.outcome));
    const command = (f: FleetRecord) => updateFleetCommand(f.fleet, f.newImage, summary.region);
    const sections = [
        lines(
            "Fleets rolled out to the new image",
            of(["rolledOut"]).map((f) =>
                plain(
                    `${f.fleet}: ${f.image} -> ${f.newImage} (running sessions keep theirs; new sessions get the new image)`,
                ),
            ),
        ),
        lines(
            "Fleets not rolled out",
            of(["failed", "skipped"]).map((f) =>
                plain(
                    `${f.fleet} (${f.image} -> ${f.newImage}): ${f.detail ?? "no reason given"}. When it can be updated: ${command(f)}`,
                ),
            ),
        ),
        lines(
            "Fleets not opted in (still on the old image)",
            of(["notOptedIn"]).map((f) => plain(`${f.fleet} uses ${f.image}. To roll it out: ${command(f)}`)),
        ),
    ];
    if (summary.fleetsOmitted > 0)
        sections.push(
            lines("Fleets not listed", [
                plain(`and ${summary.fleetsOmitted} more fleets (see the execution's output)`),
            ]),
        );
    return sections;
}

const KEPT_BECAUSE: Record<KeptBecause, (r: RetentionRecord, keep: number) => string> = {
    newest: () => "the newest version",
    withinKeep: (_r, keep) => `one of the newest ${keep} (keepImageVersions)`,
    notSuperseded: () => "not superseded by the updater (its opt-in tag is not Completed)",
    usedByFleet: (r) => `in use by ${r.detail}`,
    usedByImageBuilder: (r) => `in use by ${r.detail}`,
    shared: () => "shared with other accounts",
    deleteFailed: (r) => `DeleteImage failed: ${r.detail ?? "no reason given"}`,
};

/** What retention deleted and why it kept the rest; with retention off, what it would delete. */
function retentionSections(summary: RunSummary): Section[] {
    if (summary.retention.length === 0 && summary.retentionOmitted === 0) return [];
    const keep = summary.keepImageVersions;
    const deleted = summary.retention.filter((r) => !r.kept).map((r) => plain(r.image));
    const more =
        summary.retentionOmitted > 0
            ? [plain(`and ${summary.retentionOmitted} more (see the execution's output)`)]
            : [];
    if (keep === 0) {
        return [
            lines("Retention is off: with keepImageVersions = 1 these superseded versions would be deleted", [
                ...deleted,
                ...more,
            ]),
        ];
    }
    const kept = summary.retention
        .filter((r) => r.kept)
        .map((r) => plain(`${r.image}: ${KEPT_BECAUSE[r.kept!](r, keep)}`));
    return [lines("Old versions deleted", deleted), lines("Versions kept", [...kept, ...more])];
}

/** The quotas the run read, and where each value came from. */
function quotaSection(summary: RunSummary): Section[] {
    const { quotas, quotaUsage } = summary;
    if (!quotas) return [];
    return [
        lines(
            "Quotas",
            QUOTA_NAMES.map((name) => {
                const quota = quotas[name];
                const used = quotaUsage ? `${quotaUsage[name]} of ` : "";
                const exceeded = quotaUsage && quota.source === "default" && quotaUsage[name] > quota.value;
                const source =
                    quota.source === "serviceQuotas"
                        ? "Service Quotas"
                        : `documented default; ${quota.problem ?? "not read"}${exceeded ? "; the account's real quota is higher, so the run did not hold itself to it" : ""}`;
                return plain(`${QUOTAS[name].unit}: ${used}${quota.value} (${QUOTAS[name].code}, ${source})`);
            }),
        ),
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
    const { blockedByQuota: blocked, fleetsRolledOut: rolledOut, imagesDeleted: deleted } = lifecycleCounts(summary);
    const counts = [
        `${summary.updated.length} updated`,
        `${summary.failed.length} failed`,
        `${summary.upToDate.length} up to date`,
        `${summary.pendingAtTimeout.length} pending`,
        ...(blocked ? [`${blocked} blocked by a quota`] : []),
        ...(rolledOut ? [`${rolledOut} fleet(s) rolled out`] : []),
        ...(deleted ? [`${deleted} old version(s) deleted`] : []),
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
