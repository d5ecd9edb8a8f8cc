import type { StageConfig } from "../../model/stageConfig";
import { count, ratio, seconds, table } from "./report";

/**
 * List prices the cost model uses, in USD, as looked up on 2026-12-01 (the date is written into
 * BENCHMARKS.md with them). They are the same in us-east-1 and eu-west-1, the regions they were
 * checked for; another region may differ.
 */
export const PRICES = {
    checked: "2026-12-01",
    regions: ["us-east-1", "eu-west-1"],
    glueStandardPerDpuHour: 0.44,
    glueFlexPerDpuHour: 0.29,
    /** Glue 2.0 and later bill Spark jobs per second, with a 1-minute minimum per run. */
    glueMinimumBilledSeconds: 60,
    athenaPerTb: 5,
    /** Athena bills at least 10 MB per query, and rounds up to the next MB. */
    athenaMinimumBytes: 10_000_000,
    athenaRoundingBytes: 1_000_000,
    sources: [
        "Glue $0.44 per DPU-hour: the AWS price list (AWSGlue offer, eu-west-1, effective 2024-11-01) and the examples of aws.amazon.com/glue/pricing",
        'Glue Flex $0.29 per DPU-hour: aws.amazon.com/glue/pricing, not confirmed from an AWS page in this lookup; it matches AWS\'s "up to 34%" saving (0.44 × 0.66)',
        "Glue per-second billing with a 1-minute minimum since Glue 2.0: docs.aws.amazon.com/glue/latest/dg/migrating-version-30.html",
        "DPU per worker (G.1X 1, G.2X 2, G.4X 4, G.8X 8; a DPU is 4 vCPU and 16 GB): docs.aws.amazon.com/glue/latest/dg/worker-types.html",
        "Athena $5 per TB scanned, rounded up to the MB, 10 MB minimum per query: aws.amazon.com/athena/pricing, as quoted by athena.guide (Athena basics: pricing model)",
    ],
} as const;

/** DPUs of one worker of each type the stage config accepts. */
export const WORKER_DPU: Record<StageConfig["glueWorkerType"], number> = { "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8 };
const VCPU_PER_DPU = 4;
const TB = 1e12;

export type GlueSettings = Pick<StageConfig, "glueWorkerType" | "glueNumberOfWorkers" | "glueExecutionClass" | "glueTimeoutMinutes" | "glueMaxRetries">;

/** A local ETL run the Glue run time is modelled from. */
export interface LocalRun {
    tracks: number;
    /** The pipeline itself, and starting the session before it, on `cores` local cores. */
    etlSeconds: number;
    sessionSeconds: number;
    cores: number;
}

export interface GlueRunCost {
    dpus: number;
    modelledSeconds: number;
    billedSeconds: number;
    dpuHours: number;
    usd: number;
    /** What a run costs at most: every attempt (1 + retries) running into the timeout. */
    ceilingUsd: number;
}

/**
 * One Glue run at the stage's settings. The run time is modelled, not measured: the local session
 * start plus the local pipeline time scaled from the local cores to every vCPU of the stage's
 * workers, as if Spark scaled perfectly (optimistic), and Glue's own start-up left out.
 */
export function glueRunCost(settings: GlueSettings, run: LocalRun): GlueRunCost {
    const dpus = WORKER_DPU[settings.glueWorkerType] * settings.glueNumberOfWorkers;
    const modelledSeconds = run.sessionSeconds + (run.etlSeconds * run.cores) / (dpus * VCPU_PER_DPU);
    const billedSeconds = Math.max(PRICES.glueMinimumBilledSeconds, Math.ceil(modelledSeconds));
    const price = settings.glueExecutionClass === "FLEX" ? PRICES.glueFlexPerDpuHour : PRICES.glueStandardPerDpuHour;
    const dpuHours = (dpus * billedSeconds) / 3600;
    const ceilingUsd = ((dpus * settings.glueTimeoutMinutes * 60) / 3600) * price * (1 + settings.glueMaxRetries);
    return { dpus, modelledSeconds, billedSeconds, dpuHours, usd: dpuHours * price, ceilingUsd };
}

/** What Athena bills for one query that scans `bytes`: at least 10 MB, rounded up to the MB. */
export function athenaQueryUsd(bytes: number): number {
    const billed = Math.max(PRICES.athenaMinimumBytes, Math.ceil(bytes / PRICES.athenaRoundingBytes) * PRICES.athenaRoundingBytes);
    return (billed / TB) * PRICES.athenaPerTb;
}

export const LAYOUTS = ["csv", "parquet", "partitioned"] as const;
export type Layout = (typeof LAYOUTS)[number];
export const LAYOUT_TITLES: Record<Layout, string> = {
    csv: "raw CSV",
    parquet: "unpartitioned Parquet (original layout)",
    partitioned: "Parquet by release_year (this project)",
};

/** What query_engines.scan_cost printed for one query. */
export interface QueryScan {
    name: string;
    columns: string[];
    scans: number;
    partitions_touched: number;
    bytes: Record<Layout, number>;
}

export interface ScanCost {
    layouts: { csv: { bytes: number } } & Record<"parquet" | "partitioned", { bytes: number; files: number; partitions: number }>;
    queries: QueryScan[];
}

/** Reads query_engines.scan_cost's JSON, naming what is missing. */
export function parseScanCost(text: string, source: string): ScanCost {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new Error(`${source}: not JSON: "${text.slice(0, 200)}"`);
    }
    const document = parsed as Partial<ScanCost> | null;
    const isCount = (value: unknown) => typeof value === "number" && Number.isInteger(value) && value >= 0;
    const layouts = document?.layouts;
    if (layouts === undefined || !LAYOUTS.every((layout) => isCount(layouts[layout]?.bytes)))
        throw new Error(`${source}: "layouts" must give the bytes of ${LAYOUTS.join(", ")}`);
    if (!Array.isArray(document?.queries) || document.queries.length === 0) throw new Error(`${source}: "queries" must be a non-empty list`);
    for (const [index, query] of document.queries.entries()) {
        const ok =
            typeof query?.name === "string" &&
            Array.isArray(query.columns) &&
            isCount(query.scans) &&
            isCount(query.partitions_touched) &&
            LAYOUTS.every((layout) => isCount(query.bytes?.[layout]));
        if (!ok) throw new Error(`${source}: queries[${index}] needs name, columns, scans, partitions_touched and bytes of ${LAYOUTS.join(", ")}`);
    }
    return document as ScanCost;
}

/** How one dashboard refresh queries Athena, by import mode: SPICE imports every dataset once; a direct-query dashboard runs every visual's query. */
export interface RefreshQueries {
    /** Query name (as given to scan_cost) -> what it is, for the report. */
    datasetImports: string[];
    visuals: string[];
}

export function refreshQueryNames(mode: StageConfig["quicksightImportMode"], queries: RefreshQueries): string[] {
    return mode === "SPICE" ? queries.datasetImports : queries.visuals;
}

/** The Athena cost of one refresh in each layout: the sum of each query's billed cost. */
export function refreshCost(names: string[], scan: ScanCost): Record<Layout, number> {
    const byName = new Map(scan.queries.map((query) => [query.name, query]));
    const cost = { csv: 0, parquet: 0, partitioned: 0 };
    for (const name of names) {
        const query = byName.get(name);
        if (query === undefined) throw new Error(`the scan-cost estimate has no query "${name}"`);
        for (const layout of LAYOUTS) cost[layout] += athenaQueryUsd(query.bytes[layout]);
    }
    return cost;
}

/** Dollars to three significant digits below $1 (a refresh costs fractions of a cent), else to the cent. */
const usd = (value: number) => `$${value < 1 ? value.toPrecision(3) : value.toFixed(2)}`;

export function renderScanCost(scan: ScanCost, readsOf: (name: string) => string, tracks: number): string {
    const { layouts } = scan;
    const rows = scan.queries.map((query) => [
        `\`${query.name}\``,
        readsOf(query.name),
        String(query.columns.length),
        count(query.partitions_touched),
        count(query.bytes.csv),
        count(query.bytes.parquet),
        count(query.bytes.partitioned),
        ratio(query.bytes.partitioned, query.bytes.csv),
        ratio(query.bytes.partitioned, query.bytes.parquet),
    ]);
    return [
        "## Query scan cost",
        "",
        `The bytes Athena would scan for each query the dashboard runs, estimated by \`python -m query_engines.scan_cost\` (queries/query_engines/scan_cost.py) from the files of the ${count(tracks)}-track ETL run above: ` +
            "the columns each query reads from the warehouse table (its views expanded, unused columns pruned, by sqlglot), the column chunks of those columns in the partitions it touches, from the Parquet footers. " +
            "References: the same generated input as raw CSV (Athena reads whole files: the three staging sources, every byte) and as one unpartitioned Parquet table with every column (the original project's layout, written by DuckDB from the ETL's rows). " +
            "A dataset import is what a SPICE refresh runs (every column of the view); a visual's query is what a direct-query dashboard runs per view of the sheet. No dashboard query filters on release_year, so every query touches every partition.",
        "",
        `Layouts: raw CSV ${count(layouts.csv.bytes)} bytes; unpartitioned Parquet ${count(layouts.parquet.bytes)} bytes in ${layouts.parquet.files} file(s); partitioned ${count(layouts.partitioned.bytes)} bytes in ${layouts.partitioned.files} files, ${layouts.partitioned.partitions} partitions.`,
        "",
        table(
            [
                "query",
                "reads",
                "columns",
                "partitions touched",
                "CSV bytes",
                "unpartitioned bytes",
                "partitioned bytes",
                "partitioned / CSV",
                "partitioned / unpartitioned",
            ],
            ["l", "l", "r", "r", "r", "r", "r", "r", "r"],
            rows,
        ),
    ].join("\n");
}

export interface StageCost {
    stage: string;
    config: GlueSettings & Pick<StageConfig, "region" | "quicksightImportMode">;
}

export function renderCostModel(stages: StageCost[], runs: LocalRun[], scan: ScanCost | undefined, refresh: RefreshQueries | undefined): string {
    const glueRows = stages.flatMap(({ stage, config }) =>
        runs.map((run) => {
            const cost = glueRunCost(config, run);
            return [
                stage,
                config.region,
                `${config.glueNumberOfWorkers} × ${config.glueWorkerType}, ${config.glueExecutionClass}`,
                String(cost.dpus),
                count(run.tracks),
                seconds(cost.modelledSeconds),
                String(cost.billedSeconds),
                cost.dpuHours.toFixed(4),
                usd(cost.usd),
                `${usd(cost.ceilingUsd)} (${config.glueTimeoutMinutes} min × ${1 + config.glueMaxRetries})`,
            ];
        }),
    );
    const sections = [
        "## Cost model",
        "",
        `List prices in USD, checked ${PRICES.checked} for ${PRICES.regions.join(" and ")} (the stages here run in ${[...new Set(stages.map(({ config }) => config.region))].join(", ")}): ` +
            `Glue $${PRICES.glueStandardPerDpuHour} per DPU-hour (STANDARD), $${PRICES.glueFlexPerDpuHour} (FLEX), billed per second with a ${PRICES.glueMinimumBilledSeconds}-second minimum per run; ` +
            `Athena $${PRICES.athenaPerTb} per TB (10^12 bytes) scanned, at least ${PRICES.athenaMinimumBytes / 1e6} MB per query, rounded up to the MB. Sources:`,
        "",
        ...PRICES.sources.map((source) => `- ${source}`),
        "",
        "**Glue, per run, at each stage's settings (Pulumi.<stage>.yaml).** The run time is *modelled*, not measured on Glue: the local session start plus the local pipeline time above, " +
            "scaled from the local cores to every vCPU of the stage's workers (4 per DPU) as if Spark scaled perfectly, Glue's own start-up left out. At these data sizes the one-minute minimum decides the bill. " +
            "The ceiling is every attempt running into the timeout.",
        "",
        table(
            ["stage", "region", "workers", "DPU", "tracks", "modelled s", "billed s", "DPU-hours", "per run", "ceiling (timeout × attempts)"],
            ["l", "l", "l", "r", "r", "r", "r", "r", "r", "l"],
            glueRows,
        ),
    ];
    if (scan !== undefined && refresh !== undefined) {
        const refreshRows = stages.map(({ stage, config }) => {
            const names = refreshQueryNames(config.quicksightImportMode, refresh);
            const cost = refreshCost(names, scan);
            return [
                stage,
                config.quicksightImportMode,
                String(names.length),
                usd(cost.csv),
                usd(cost.parquet),
                usd(cost.partitioned),
                ratio(cost.partitioned, cost.csv),
                ratio(cost.partitioned, cost.parquet),
            ];
        });
        sections.push(
            "",
            "**Athena, one dashboard refresh** (the queries of the scan-cost section: a SPICE stage imports every dataset once; a direct-query stage runs every visual's query once), each query billed at least 10 MB:",
            "",
            table(
                [
                    "stage",
                    "import mode",
                    "queries",
                    "raw CSV",
                    "unpartitioned Parquet",
                    "partitioned (this project)",
                    "partitioned / CSV",
                    "partitioned / unpartitioned",
                ],
                ["l", "l", "r", "r", "r", "r", "r", "r"],
                refreshRows,
            ),
        );
    }
    return sections.join("\n");
}
