/**
 * The one email a run sends, in the layout every email of appstream-ops shares (email-layout.ts):
 * what needs someone comes first, each section with its next step (what to fix, the command that
 * retries or rolls out); what went well follows. The header names the account, Region, stack and
 * execution. Every value that comes from AppStream or the execution is HTML-escaped there.
 */
import { RetentionRecord, isPassRecord } from "../lifecycle/lifecycle-records";
import { QUOTAS, QUOTA_NAMES, quotaConsoleUrl } from "../lifecycle/quotas";
import type { KeptBecause } from "../lifecycle/invariants";
import { FleetRecord, regionOption, updateFleetCommand } from "../lifecycle/rollout";
import { QuotaBlock, RunSummary, SummaryItem, lifecycleCounts } from "../run/run-summary";
import { Email, EmailMessage, Section, renderEmail } from "../../email/email-layout";

export { Email, escapeHtml } from "../../email/email-layout";

/** Where the full report of a shortened email is, or why it is not anywhere. */
export type FullReport =
    { readonly bucket: string; readonly key: string; readonly region?: string } | { readonly storeError: string };

/** How an email too large for SES is shortened (email/ses-size.ts). @default the whole email */
export interface EmailOptions {
    /** Lines listed per section; every count stays whole. */
    readonly listedPerSection?: number;
    readonly fullReport?: FullReport;
}

/** Where the run happened: the header, the subject and the links. */
export interface RunContext {
    readonly region?: string;
    readonly executionArn?: string;
    /** Pulumi project/stack that deployed the updater. */
    readonly stack?: string;
}

function executionUrl(context: RunContext): string | undefined {
    if (!context.region || !context.executionArn) return undefined;
    return `https://${context.region}.console.aws.amazon.com/states/home?region=${context.region}#/v2/executions/details/${encodeURIComponent(context.executionArn)}`;
}

/** The account id in an execution ARN: arn:<partition>:states:<region>:<account>:execution:… */
function accountOf(context: RunContext): string | undefined {
    return context.executionArn?.split(":")[4] || undefined;
}

const section = (title: string, lines: string[], more: Partial<Section> = {}): Section => ({ title, lines, ...more });
const withDetail = (text: string, detail?: string) => (detail ? `${text} (${detail})` : text);
const arrow = (i: SummaryItem) => withDetail(`${i.name} -> ${i.newName}`, i.detail);

/** What needs someone, in the order to deal with it; each with its next step. */
function actionSections(summary: RunSummary): Section[] {
    const { optInTag: tag, imageArnPrefix: arn } = summary;
    const region = regionOption(summary.region);
    return [
        section(
            "Failed",
            // What each line says of the opt-in tag is what the run left on the image (I5).
            summary.failed.map((i) => {
                const untag = `aws appstream untag-resource --resource-arn ${arn}${i.name} --tag-keys ${tag.key}${region}`;
                const retag = `aws appstream tag-resource --resource-arn ${arn}${i.name} --tags ${tag.key}=${tag.value}${region}`;
                const optIn = {
                    kept: `It keeps its opt-in tag ${tag.key}=${tag.value}, so the next run tries it again; to stop that: ${untag}`,
                    notRestored: `Its opt-in tag could not be set back to ${tag.key}=${tag.value}, so no later run takes it up until you run: ${retag}`,
                    unknown: `Whether it carries the opt-in tag ${tag.key}=${tag.value} is unknown; to have the next run try it: ${retag}`,
                }[i.optIn ?? "kept"];
                return `${i.name}: ${i.detail ?? "no reason given"}. ${optIn}`;
            }),
            {
                nextStep:
                    "Fix what each reason names before the next run tries again: for example, free disk space on an image builder made from the image and create a new image from it, or rebuild it on a current base image.",
            },
        ),
        section(
            "Updated, but not marked as updated",
            summary.updated
                .filter((i) => i.notMarked)
                .map(
                    (i) =>
                        `${i.name} -> ${i.newName}: tagging ${i.name} ${tag.key}=Completed failed (${i.notMarked}), so the next run would update it again. Mark it: aws appstream tag-resource --resource-arn ${arn}${i.name} --tags ${tag.key}=Completed${region}`,
                ),
        ),
        section("Still running when the run stopped", summary.stillRunning.map(arrow), {
            nextStep: `AppStream goes on with these updates. Start a run by hand (see Error): it follows them instead of starting them again, rolls them out and reports them.`,
        }),
        ...summary.quotaBlocks.map((block) => quotaBlockSection(block, summary)),
        section(
            "Fleets not rolled out",
            summary.fleets
                .filter((f) => f.outcome === "failed" || f.outcome === "skipped")
                .map((f) =>
                    isPassRecord(f.fleet)
                        ? `${f.detail ?? "the fleets could not be listed"}. The next run tries again; to see them now: aws appstream describe-fleets${region}`
                        : `${f.fleet} (${f.image} -> ${f.newImage}): ${f.detail ?? "no reason given"}. When it can be updated: ${updateFleetCommand(f.fleet, f.newImage, summary.region)}`,
                ),
            {
                nextStep:
                    "Run each fleet's command when the fleet can be updated (stopped, or not Elastic while running). Running sessions keep their image; new sessions get the new one.",
            },
        ),
        section("Still pending at timeout", summary.pendingAtTimeout.map(arrow), {
            nextStep: `AppStream goes on with these updates after the run ends. Check each new image later (aws appstream describe-images --names <new image>${region}); once it is AVAILABLE, roll it out to its fleets with aws appstream update-fleet. The next run does not start them again.`,
        }),
    ];
}

/** What went well, and what the run read: for the record. */
function reportSections(summary: RunSummary): Section[] {
    const fleets = (outcome: FleetRecord["outcome"]) => summary.fleets.filter((f) => f.outcome === outcome);
    return [
        section("Updated", summary.updated.map(arrow)),
        section(
            "Fleets rolled out to the new image",
            fleets("rolledOut").map(
                (f) =>
                    `${f.fleet}: ${f.image} -> ${f.newImage} (running sessions keep theirs; new sessions get the new image)${f.detail ? `. ${f.detail}` : ""}`,
            ),
        ),
        section(
            "Already up to date",
            summary.upToDate.map((i) => withDetail(i.name, i.detail)),
        ),
        ...retentionSections(summary),
        section(
            "Fleets not opted in (still on the old image)",
            fleets("notOptedIn").map(
                (f) =>
                    `${f.fleet} uses ${f.image}. To roll it out: ${updateFleetCommand(f.fleet, f.newImage, summary.region)}`,
            ),
        ),
        section(
            "Fleets not listed",
            summary.fleetsOmitted > 0
                ? [`and ${summary.fleetsOmitted} more fleets, which an earlier version of the updater did not record`]
                : [],
        ),
        ...quotaSection(summary),
    ];
}

/** A quota that kept updates from starting: the numbers and the images; what to do as the next step. */
function quotaBlockSection(block: QuotaBlock, summary: RunSummary): Section {
    const n = block.notStarted.length;
    const notStarted = `${n} update${n === 1 ? "" : "s"} not started`;
    if (block.quota === "otherQuota") {
        return section(
            "Not started: an AppStream quota was reached",
            [
                `AppStream refused with LimitExceededException (${block.message ?? "no message"}); ${notStarted}.`,
                ...block.notStarted,
            ],
            {
                count: n,
                nextStep:
                    "None of the image, image builder and concurrent update quotas this run reads is full: check the instance-type quotas of image builders in Service Quotas (service appstream2). The next run takes these images up.",
            },
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
    return section(
        `Not started: ${spec.title} reached`,
        [
            `${spec.title} reached: ${block.used ?? "?"} of ${block.value ?? "?"} ${spec.unit}${source}; ${notStarted}.`,
            ...block.notStarted,
        ],
        { count: n, nextStep: advice[block.quota] },
    );
}

const KEPT_BECAUSE: Record<KeptBecause, (r: RetentionRecord, keep: number) => string> = {
    newest: () => "the newest version",
    withinKeep: (_r, keep) => `one of the newest ${keep} (keepImageVersions)`,
    notSuperseded: () => "not superseded by the updater (its opt-in tag is not Completed)",
    usedByFleet: (r) => `in use by ${r.detail}`,
    usedByImageBuilder: (r) => `in use by ${r.detail}`,
    baseOfPendingUpdate: () => "an update being made was started from it",
    sourceOfFailedUpdate: () => "its update failed, so it stays the version to fix or update again",
    fleetsLeftThisRun: () =>
        "fleets moved off it in this run and sessions may still stream from it; the next run deletes it",
    shared: () => "shared with other accounts",
    deleteFailed: (r) => `DeleteImage failed: ${r.detail ?? "no reason given"}`,
};

/** A kept version a later retention pass could not read again (a failed DeleteImage says so in its detail). */
function unreadSince(record: RetentionRecord): string {
    if (record.kept === "deleteFailed") return "";
    return " when last read; retention could not list images since, so whether it still exists is unknown";
}

/** What retention deleted and why it kept the rest; with retention off, what it would delete. */
function retentionSections(summary: RunSummary): Section[] {
    const keep = summary.keepImageVersions;
    const deleted = summary.retention.filter((r) => !r.kept).map((r) => r.image);
    const more =
        summary.retentionOmitted > 0
            ? [`and ${summary.retentionOmitted} more, which an earlier version of the updater did not record`]
            : [];
    if (keep === 0) {
        return [
            section("Retention is off: with keepImageVersions = 1 these superseded versions would be deleted", [
                ...deleted,
                ...more,
            ]),
        ];
    }
    const kept = summary.retention
        .filter((r) => r.kept)
        .map((r) =>
            isPassRecord(r.image)
                ? `retention did not finish: ${r.detail ?? "no reason given"}; it deleted nothing more, and the next run tries again`
                : `${r.image}: ${KEPT_BECAUSE[r.kept!](r, keep)}${r.effectUnknown ? unreadSince(r) : ""}`,
        );
    return [section("Old versions deleted", deleted), section("Versions kept", [...kept, ...more])];
}

/** The quotas the run read, and where each value came from. */
function quotaSection(summary: RunSummary): Section[] {
    const { quotas, quotaUsage } = summary;
    if (!quotas) return [];
    return [
        section(
            "Quotas",
            QUOTA_NAMES.map((name) => {
                const quota = quotas[name];
                const used = quotaUsage ? `${quotaUsage[name]} of ` : "";
                const exceeded = quotaUsage && quotaUsage[name] > quota.value;
                const higher = exceeded
                    ? "; the account's real quota is higher, so the run did not hold itself to it"
                    : "";
                const source =
                    quota.source === "serviceQuotas"
                        ? `Service Quotas${higher}`
                        : `documented default; ${quota.problem ?? "not read"}${higher}`;
                return `${QUOTAS[name].unit}: ${used}${quota.value} (${QUOTAS[name].code}, ${source})`;
            }),
        ),
    ];
}

/** Where to read what a shortened email leaves out. */
function fullReportNote(report: FullReport | undefined): string {
    if (!report || "storeError" in report) {
        const why = report ? `: ${report.storeError}` : "";
        return `The full report could not be stored${why}. Every image of the run is in its state, in the run-state bucket (stack output imageUpdateRunStateBucketName), and in the execution's output counts.`;
    }
    const region = report.region ? `?region=${report.region}&prefix=${encodeURIComponent(report.key)}` : "";
    const console = `https://s3.console.aws.amazon.com/s3/object/${report.bucket}${region}`;
    return `The full report: ${console} or aws s3 cp s3://${report.bucket}/${report.key} report.html`;
}

/** The sections as an email too large for SES lists them: the first lines of each, its count whole. */
function shortened(sections: Section[], options: EmailOptions): Section[] {
    const listed = options.listedPerSection;
    if (listed === undefined) return sections;
    return sections.map((s) => {
        const count = s.count ?? s.lines.length;
        if (s.lines.length <= listed) return s;
        const more = `… and ${count - listed} more, in the full report`;
        return { ...s, count, lines: [...s.lines.slice(0, listed), more] };
    });
}

type Message = Omit<EmailMessage, "header" | "headerLinks" | "footer" | "actions" | "report"> & {
    readonly actions: Section[];
    readonly report: Section[];
};

function render(message: Message, context: RunContext, options: EmailOptions = {}): Email {
    if (options.listedPerSection !== undefined) {
        const note = `This summary is too large for one email, so each section lists its first ${options.listedPerSection} lines. ${fullReportNote(options.fullReport)}`;
        message = {
            ...message,
            intro: `${message.intro} ${note}`,
            actions: shortened(message.actions, options),
            report: shortened(message.report, options),
        };
    }
    const url = executionUrl(context);
    return renderEmail({
        ...message,
        header: [
            ["Account", accountOf(context) ?? "unknown"],
            ["Region", context.region ?? "unknown"],
            ["Stack", context.stack ?? "unknown"],
        ],
        headerLinks: url ? [{ label: "Execution", text: "Open in the Step Functions console", url }] : [],
        report: message.report.map((s) => (s.title === "Updated" ? { ...s, tone: "ok" } : s)),
        footer: "Sent by appstream-ops' image updater. The same summary is the execution's output.",
    });
}

/** ` in eu-west-1 (123456789012, acme/prod)`, with what is known. */
function whereOf(context: RunContext): string {
    const ids = [accountOf(context), context.stack].filter(Boolean);
    return `${context.region ? ` in ${context.region}` : ""}${ids.length ? ` (${ids.join(", ")})` : ""}`;
}

/** The summary of a finished run. */
export function summaryEmail(summary: RunSummary, context: RunContext = {}, options: EmailOptions = {}): Email {
    const { blockedByQuota: blocked, fleetsRolledOut: rolledOut, imagesDeleted: deleted } = lifecycleCounts(summary);
    const counts = [
        `${summary.updated.length} updated`,
        `${summary.failed.length} failed`,
        `${summary.upToDate.length} up to date`,
        `${summary.pendingAtTimeout.length} pending`,
        ...(blocked ? [`${blocked} blocked by a quota`] : []),
        ...(rolledOut ? [`${rolledOut} fleet(s) rolled out`] : []),
        ...(deleted ? [`${deleted} old version(s) deleted`] : []),
    ].join(", ");
    const actions = actionSections(summary);
    const needs = actions
        .filter((s) => s.lines.length > 0)
        .map((s) => `${s.count ?? s.lines.length} ${s.title.toLowerCase().replace(/:.*/, "")}`);
    const headline = needs.length ? `Action needed: ${needs.join(", ")}` : "No action needed";
    return render(
        {
            subject: `${needs.length ? `ACTION NEEDED (${needs.join(", ")}): ` : ""}AppStream image updates ${summary.runDate}${whereOf(context)}: ${counts}`,
            headline,
            tone: needs.length ? "action" : "ok",
            title: `AppStream image updates of ${summary.runDate}`,
            intro: `Images tagged for automatic update were checked: ${counts}.`,
            actions,
            report: reportSections(summary),
        },
        context,
        options,
    );
}

/** Sent when the run itself failed (not one image): the error first, then what was known by then. */
export function failureEmail(
    error: { Error?: string; Cause?: string },
    summary: RunSummary | undefined,
    context: RunContext = {},
    options: EmailOptions = {},
): Email {
    const url = executionUrl(context);
    const actions = summary ? actionSections(summary) : [];
    const report = summary ? reportSections(summary) : [];
    const errorSection = section("Error", [`${error.Error ?? "Unknown error"}: ${error.Cause ?? "no cause given"}`], {
        nextStep: `Read the error${url ? " and the execution's events (link above)" : ""}, fix its cause, then start a run by hand with the schedule's input: aws stepfunctions start-execution --state-machine-arn <imageUpdateStateMachineArn> --input <imageUpdateRunInput> (both are stack outputs). Updates AppStream already started go on and are not started twice.`,
    });
    return render(
        {
            subject: `FAILED: AppStream image update run${summary ? ` ${summary.runDate}` : ""}${whereOf(context)}`,
            headline: "The image update run stopped with an error",
            tone: "failed",
            title: `AppStream image update run${summary ? ` of ${summary.runDate}` : ""}`,
            intro: [...actions, ...report].some((s) => s.lines.length > 0)
                ? "The run stopped before it finished. Below: the error, then what the run knew when it stopped."
                : "The run stopped before it had found any image, so no image is listed.",
            actions: [errorSection, ...actions],
            report,
        },
        context,
        options,
    );
}
