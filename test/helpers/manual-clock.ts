/**
 * A clock that moves only when its one caller sleeps: for code that waits one step at a time
 * (back-off, polling), whose waits then cost no real time and are recorded. For calls made at once,
 * use virtual-time.ts instead.
 */
import type { Clock } from "../../runtime/aws/token-bucket";

export function manualClock(): Clock & { readonly waits: number[] } {
    let now = 0;
    const waits: number[] = [];
    return {
        waits,
        now: () => now,
        async sleep(ms) {
            waits.push(ms);
            now += ms;
        },
    };
}
