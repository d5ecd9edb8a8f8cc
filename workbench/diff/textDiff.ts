/**
 * Line diffs for the reviewer diff: a longest-common-subsequence diff of two texts, shown as
 * unified diff hunks (`@@ -a,b +c,d @@`, then ` `, `-`, `+` lines) with a few lines of context.
 */

export interface DiffLine {
    op: " " | "-" | "+";
    text: string;
}

/** Past this many cells the middle of two texts is shown as removed then added, not aligned. */
const MAX_LCS_CELLS = 16_000_000;

/** The line-by-line edit script that turns `before` into `after` (common prefix and suffix kept). */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
    let start = 0;
    while (start < before.length && start < after.length && before[start] === after[start]) start++;
    let endBefore = before.length;
    let endAfter = after.length;
    while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
        endBefore--;
        endAfter--;
    }
    const a = before.slice(start, endBefore);
    const b = after.slice(start, endAfter);
    const middle: DiffLine[] = [];
    if (a.length * b.length > MAX_LCS_CELLS) {
        middle.push(...a.map((text) => ({ op: "-" as const, text })), ...b.map((text) => ({ op: "+" as const, text })));
    } else {
        // lengths[i][j]: longest common subsequence of a[i..] and b[j..].
        const width = b.length + 1;
        const lengths = new Uint32Array((a.length + 1) * width);
        for (let i = a.length - 1; i >= 0; i--) {
            for (let j = b.length - 1; j >= 0; j--) {
                lengths[i * width + j] =
                    a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
            }
        }
        let i = 0;
        let j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i] === b[j]) {
                middle.push({ op: " ", text: a[i] });
                i++;
                j++;
            } else if (j < b.length && (i === a.length || lengths[i * width + j + 1] >= lengths[(i + 1) * width + j])) {
                middle.push({ op: "+", text: b[j++] });
            } else {
                middle.push({ op: "-", text: a[i++] });
            }
        }
        // Show removals before additions within a run of changes, as diff(1) does.
        for (let k = 0; k < middle.length;) {
            if (middle[k].op === " ") {
                k++;
                continue;
            }
            let end = k;
            while (end < middle.length && middle[end].op !== " ") end++;
            const run = middle.slice(k, end);
            middle.splice(k, run.length, ...run.filter((line) => line.op === "-"), ...run.filter((line) => line.op === "+"));
            k = end;
        }
    }
    return [
        ...before.slice(0, start).map((text) => ({ op: " " as const, text })),
        ...middle,
        ...before.slice(endBefore).map((text) => ({ op: " " as const, text })),
    ];
}

/**
 * `before` → `after` as unified diff hunks with `context` unchanged lines around each change
 * (no `---`/`+++` header). Empty when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, context = 3): string[] {
    const lines = diffLines(splitLines(before), splitLines(after));
    const changed = lines.map((line, index) => (line.op === " " ? -1 : index)).filter((index) => index >= 0);
    if (changed.length === 0) return [];
    // Group changes whose context overlaps into one hunk.
    const hunks: [number, number][] = [];
    for (const index of changed) {
        const from = Math.max(0, index - context);
        const to = Math.min(lines.length, index + context + 1);
        const last = hunks[hunks.length - 1];
        if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
        else hunks.push([from, to]);
    }
    const output: string[] = [];
    for (const [from, to] of hunks) {
        let oldStart = 1;
        let newStart = 1;
        for (const line of lines.slice(0, from)) {
            if (line.op !== "+") oldStart++;
            if (line.op !== "-") newStart++;
        }
        const hunk = lines.slice(from, to);
        const oldCount = hunk.filter((line) => line.op !== "+").length;
        const newCount = hunk.filter((line) => line.op !== "-").length;
        output.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`);
        output.push(...hunk.map((line) => `${line.op}${line.text}`));
    }
    return output;
}

function splitLines(text: string): string[] {
    return text === "" ? [] : text.split("\n");
}
