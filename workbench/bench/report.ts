import type { Sample } from "./measure";

/** Where and when the figures were taken. */
export interface RunContext {
    date: string;
    commit: string;
    command: string;
    machine: string;
    node: string;
    loadBefore: string;
    loadAfter: string;
    quick: boolean;
}

/** One measured command beside the reference measured in the same run. */
export interface OfflineRow {
    what: string;
    command: string;
    sample: Sample;
}

export interface OfflineSection {
    reference: OfflineRow;
    /**
     * The headline, against issue 26's targets: synth plus policy check of one stage (at most 2× the
     * floor), and what each further stage adds when several are checked in one process (at most
     * 0.5× the floor): `growth` is that command for 1 and for `stages` generated stages.
     */
    targets: { oneStage: OfflineRow; growth: { one: OfflineRow; many: OfflineRow; stages: number } };
    rows: OfflineRow[];
    /** Stages whose manifests were compared between the tsx and the compiled synthesis, and the outcome. */
    identical: { stages: string[]; differing: string[] };
    runs: number;
}

/** The figures of etl/spotify_etl/bench.py (its last output line is this JSON object). */
export interface EtlFigures {
    tracks: number;
    /** Local Spark cores (and DuckDB threads) of the run. */
    cores: number;
    input_records: number;
    etl_seconds: number;
    etl_session_seconds: number;
    etl_peak_rss_mib: number;
    /** User + system seconds of the ETL's process tree over its timed part, and the part of them the JVM's JIT compiler and garbage collector threads used. */
    etl_cpu_seconds: number;
    etl_jit_cpu_seconds: number;
    etl_gc_cpu_seconds: number;
    /** A subset of the job's work in a fresh JVM: its first Python Arrow round trip, and writing its own table again from memory. */
    floor_arrow_seconds: number;
    floor_write_seconds: number;
    reference_seconds: number;
    reference_peak_rss_mib: number;
    csv_bytes: number;
    warehouse_parquet_bytes: number;
    load_average_1m_before_after: string;
}

const ETL_NUMBERS = [
    "tracks",
    "cores",
    "input_records",
    "etl_seconds",
    "etl_session_seconds",
    "etl_peak_rss_mib",
    "etl_cpu_seconds",
    "etl_jit_cpu_seconds",
    "etl_gc_cpu_seconds",
    "floor_arrow_seconds",
    "floor_write_seconds",
    "reference_seconds",
    "reference_peak_rss_mib",
    "csv_bytes",
    "warehouse_parquet_bytes",
] as const;

/** Reads the ETL benchmark's figures from its stdout: the JSON object on the last non-empty line. */
export function parseEtlFigures(stdout: string, source: string): EtlFigures {
    const last = stdout.trim().split("\n").pop() ?? "";
    let parsed: unknown;
    try {
        parsed = JSON.parse(last);
    } catch {
        throw new Error(`${source}: expected a JSON object on its last output line, got "${last.slice(0, 200)}"`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${source}: its last line is JSON but not an object`);
    const figures = parsed as Record<string, unknown>;
    const missing = ETL_NUMBERS.filter((key) => typeof figures[key] !== "number" || !Number.isFinite(figures[key]));
    if (missing.length > 0) throw new Error(`${source}: its figures lack the number(s) ${missing.join(", ")} (ran it with the DuckDB reference?)`);
    if (typeof figures.load_average_1m_before_after !== "string") throw new Error(`${source}: its figures lack load_average_1m_before_after`);
    return figures as unknown as EtlFigures;
}

/** `value / reference` as "2.41×", or to two significant digits below 0.1 ("0.0032×"); a reference of zero has no ratio. */
export function ratio(value: number, reference: number): string {
    if (reference === 0) return "n/a";
    const quotient = value / reference;
    return `${quotient !== 0 && Math.abs(quotient) < 0.1 ? quotient.toPrecision(2) : quotient.toFixed(2)}×`;
}

/** Seconds with two decimals, MiB whole, counts and bytes grouped. */
export const seconds = (value: number) => value.toFixed(2);
export const mib = (value: number) => Math.round(value).toLocaleString("en-US");
export const count = (value: number) => Math.round(value).toLocaleString("en-US");

export function table(header: string[], align: ("l" | "r")[], rows: string[][]): string {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    for (const row of rows) if (row.length !== header.length) throw new Error(`table row has ${row.length} cells, header ${header.length}: ${row.join(" | ")}`);
    return [line(header), line(align.map((side) => (side === "r" ? "---:" : "---"))), ...rows.map(line)].join("\n");
}

function offlineCells(row: OfflineRow, reference: Sample): string[] {
    const { sample } = row;
    return [
        row.what,
        `\`${row.command}\``,
        seconds(sample.wallSeconds),
        ratio(sample.wallSeconds, reference.wallSeconds),
        seconds(sample.cpuSeconds),
        ratio(sample.cpuSeconds, reference.cpuSeconds),
        mib(sample.peakRssMiB),
        ratio(sample.peakRssMiB, reference.peakRssMiB),
    ];
}

export function renderOffline(section: OfflineSection): string {
    const reference = section.reference.sample;
    const header = ["what", "command", "wall s", "wall / floor", "CPU s", "CPU / floor", "peak MiB", "peak / floor"];
    const align: ("l" | "r")[] = ["l", "l", "r", "r", "r", "r", "r", "r"];
    const { oneStage, growth } = section.targets;
    const extraStageSeconds = (sample: "wallSeconds" | "cpuSeconds") => (growth.many.sample[sample] - growth.one.sample[sample]) / (growth.stages - 1);
    const againstTarget = (measured: number, target: number): string[] => [
        ratio(measured, reference.wallSeconds),
        `≤ ${target}×`,
        measured / reference.wallSeconds <= target ? "met" : "**not met**",
    ];
    const identical =
        section.identical.differing.length === 0
            ? `The manifests of ${section.identical.stages.join(" and ")} written by the tsx and by the compiled synthesis are byte-identical (compared in this run).`
            : `**The manifests differ** between the tsx and the compiled synthesis for ${section.identical.differing.join(", ")} (compared in this run).`;
    return [
        "## Offline checks",
        "",
        `Reference (the floor): \`${section.reference.command}\`: ${seconds(reference.wallSeconds)} s wall, ${seconds(reference.cpuSeconds)} s CPU, ${mib(reference.peakRssMiB)} MiB peak. ` +
            `Every figure is the median of ${section.runs} run(s); CPU is user + system of the command and the processes it waited for (GNU time), ` +
            "peak memory the largest summed RSS of its process tree (sampled from /proc every 25 ms). Verified under mocks: nothing is deployed.",
        "",
        "**Synth plus policy check against the floor, and the targets:**",
        "",
        table(
            ["", "command", "wall s", "wall / floor", "target", ""],
            ["l", "l", "r", "r", "r", "l"],
            [
                ["one stage", `\`${oneStage.command}\``, seconds(oneStage.sample.wallSeconds), ...againstTarget(oneStage.sample.wallSeconds, 2)],
                [
                    "each further stage",
                    `\`${growth.many.command}\` against \`${growth.one.command}\`, per stage`,
                    seconds(extraStageSeconds("wallSeconds")),
                    ...againstTarget(extraStageSeconds("wallSeconds"), 0.5),
                ],
            ],
        ),
        "",
        table(header, align, [offlineCells(section.reference, reference), ...section.rows.map((row) => offlineCells(row, reference))]),
        "",
        identical,
    ].join("\n");
}

export function renderEtl(runs: EtlFigures[], command: string): string {
    const rows = runs.map((run) => [
        count(run.tracks),
        count(run.input_records),
        seconds(run.etl_seconds),
        seconds(run.reference_seconds),
        ratio(run.etl_seconds, run.reference_seconds),
        count(run.input_records / run.etl_seconds),
        count(run.input_records / run.reference_seconds),
        mib(run.etl_peak_rss_mib),
        mib(run.reference_peak_rss_mib),
        ratio(run.etl_peak_rss_mib, run.reference_peak_rss_mib),
        count(run.warehouse_parquet_bytes),
        count(run.csv_bytes),
        ratio(run.warehouse_parquet_bytes, run.csv_bytes),
        run.load_average_1m_before_after,
    ]);
    return [
        "## ETL",
        "",
        `Local Spark (\`run_pipeline\`, a fresh JVM; the session start is not counted) beside the reference, the same validation, join and write as DuckDB SQL ` +
            `(etl/spotify_etl/bench_reference.py), on the same generated input: \`${command}\` (etl/spotify_etl/bench.py). ` +
            "Rows/s are input records per second; the Parquet size is the warehouse against the raw CSV it came from.",
        "",
        table(
            [
                "tracks",
                "input records",
                "ETL s",
                "reference s",
                "ETL / reference",
                "ETL rows/s",
                "reference rows/s",
                "ETL peak MiB",
                "reference peak MiB",
                "peak ratio",
                "Parquet bytes",
                "CSV bytes",
                "Parquet / CSV",
                "load 1m before / after",
            ],
            ["r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "l"],
            rows,
        ),
        "",
        "**What any run of the job pays, and where its CPU goes.** The floor is a subset of the job's work, timed in a fresh JVM and session like the job's " +
            "(`child_floor` in etl/spotify_etl/bench.py, same command): the first Python Arrow round trip (starting the Python workers and Arrow on both sides), " +
            "then writing the job's own table again from memory, distributed and written as the job writes it. The job does all of it and more, so floor / reference " +
            "is a ratio it cannot go below. CPU is the ETL's user + system seconds over its timed part; JIT and GC are the part its JVM's compiler and garbage collector threads used.",
        "",
        table(
            [
                "tracks",
                "first Arrow round trip s",
                "table write s",
                "floor s",
                "floor / reference",
                "ETL CPU s",
                "JIT CPU s",
                "GC CPU s",
                "(JIT + GC) / ETL CPU",
            ],
            ["r", "r", "r", "r", "r", "r", "r", "r", "r"],
            runs.map((run) => {
                const floor = run.floor_arrow_seconds + run.floor_write_seconds;
                const engine = run.etl_jit_cpu_seconds + run.etl_gc_cpu_seconds;
                return [
                    count(run.tracks),
                    seconds(run.floor_arrow_seconds),
                    seconds(run.floor_write_seconds),
                    seconds(floor),
                    ratio(floor, run.reference_seconds),
                    seconds(run.etl_cpu_seconds),
                    seconds(run.etl_jit_cpu_seconds),
                    seconds(run.etl_gc_cpu_seconds),
                    ratio(engine, run.etl_cpu_seconds),
                ];
            }),
        ),
    ].join("\n");
}

/**
 * Figures BENCHMARKS.md used to hold that no command measures beside a reference: named, with
 * where to measure them by hand, so that the file claims nothing this run did not measure.
 */
export interface EngineSection {
    reference: OfflineRow;
    rows: OfflineRow[];
    runs: number;
}

export function renderRealEngine(section: EngineSection): string {
    const reference = section.reference.sample;
    const header = ["what", "command", "wall s", "wall / reference", "CPU s", "CPU / reference", "peak MiB", "peak / reference"];
    return [
        "## The real engine, offline",
        "",
        `Reference: the mock synthesis of the same stage, \`${section.reference.command}\`: ${seconds(reference.wallSeconds)} s wall, ${seconds(reference.cpuSeconds)} s CPU. ` +
            `Pulumi CLI 3.276.0 built from the Go module proxy, the offline engine's language host and providers (README.md, "The real engine, offline"); ` +
            `every figure is the median of ${section.runs} run(s) but the cold provisioning (one run). Verified on the real engine with offline providers: nothing reaches AWS.`,
        "",
        table(
            header,
            ["l", "l", "r", "r", "r", "r", "r", "r"],
            [offlineCells(section.reference, reference), ...section.rows.map((row) => offlineCells(row, reference))],
        ),
    ].join("\n");
}

export function renderNotMeasured(): string {
    return [
        "## Not measured here",
        "",
        "- Run times of the queries on the local DuckDB runner (`.venv/bin/python -m query_engines.bench --rows N`) and of the Trino test engine's start and the Python suites (queries/README.md): " +
            "they have no reference to be set against in the same run, and Athena bills bytes scanned, not time (see the query scan cost, written when the ETL runs). Measure them by hand with those commands when needed.",
    ].join("\n");
}

export function renderHeader(context: RunContext): string {
    return [
        "# Benchmarks",
        "",
        `Written by \`${context.command}\`${context.quick ? " (quick: one run per figure, no 1M-track ETL run)" : ""}; every figure is measured in this run, beside its reference from the same run. Rerun it to update this file; edits by hand are overwritten.`,
        "",
        table(
            ["", ""],
            ["l", "l"],
            [
                ["date", context.date],
                ["commit", context.commit],
                ["machine", context.machine],
                ["node", context.node],
                ["load average (1, 5, 15 min) before / after", `${context.loadBefore} / ${context.loadAfter}`],
            ],
        ),
    ].join("\n");
}

/**
 * The heading of BENCHMARKS.md's hand-kept part: dated records of earlier runs (the "before" of a
 * change whose code no longer exists, and the analyses that went with them). Everything from this
 * heading to the end is carried over verbatim by `npm run bench`; everything above it is rewritten.
 */
export const HISTORY_HEADING = "## History: earlier runs, kept as written";

/** The history part of an existing BENCHMARKS.md, from its heading to the end; "" when it has none. */
export function keptHistory(existing: string): string {
    const lines = existing.split("\n");
    const start = lines.indexOf(HISTORY_HEADING);
    return start === -1 ? "" : lines.slice(start).join("\n").trimEnd();
}

export function renderDocument(sections: string[]): string {
    return `${sections.join("\n\n")}\n`;
}
