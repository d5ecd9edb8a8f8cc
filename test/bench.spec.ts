import * as assert from "assert";
import { athenaQueryUsd, glueRunCost, GlueSettings, parseScanCost, refreshCost, refreshQueryNames, renderCostModel, ScanCost } from "../workbench/bench/cost";
import { median, parseGnuTime } from "../workbench/bench/measure";
import { HISTORY_HEADING, keptHistory, OfflineSection, parseEtlFigures, ratio, renderEtl, renderOffline, table } from "../workbench/bench/report";
import { generatedStageNames } from "../workbench/bench/workspace";
import { STAGE_PATTERN } from "../model/stacks";

const sample = (wallSeconds: number, cpuSeconds: number, peakRssMiB: number) => ({ wallSeconds, cpuSeconds, peakRssMiB });

const ETL_LINE = {
    tracks: 100000,
    cores: 2,
    input_records: 206253,
    etl_seconds: 13,
    etl_session_seconds: 4.5,
    etl_peak_rss_mib: 3337,
    etl_cpu_seconds: 40,
    etl_jit_cpu_seconds: 15,
    etl_gc_cpu_seconds: 5,
    floor_arrow_seconds: 2.5,
    floor_write_seconds: 1.4,
    reference_seconds: 0.65,
    reference_peak_rss_mib: 350,
    csv_bytes: 27_600_000,
    warehouse_parquet_bytes: 6_900_000,
    load_average_1m_before_after: "1.00 / 2.90",
};

describe("npm run bench: parsing and formatting", () => {
    it("reads user + system seconds from GNU time's last line, and refuses anything else", () => {
        assert.strictEqual(parseGnuTime("some stderr of the command\n1.25 0.50\n"), 1.75);
        assert.throws(() => parseGnuTime("Command exited with non-zero status 1\n"), /expected "<user seconds> <system seconds>"/);
    });

    it("takes the median of each figure on its own", () => {
        assert.deepStrictEqual(median([sample(3, 1, 100), sample(1, 5, 300), sample(2, 3, 200)]), sample(2, 3, 200));
        assert.deepStrictEqual(median([sample(1, 1, 1), sample(4, 2, 3)]), sample(2.5, 1.5, 2));
        assert.throws(() => median([]), /no samples/);
    });

    it("parses the ETL benchmark's JSON line after its table, naming what is missing", () => {
        const stdout = `tracks  100000\netl_seconds  13\n${JSON.stringify(ETL_LINE)}\n`;
        assert.strictEqual(parseEtlFigures(stdout, "bench").reference_seconds, 0.65);
        const { reference_seconds: _dropped, ...withoutReference } = ETL_LINE;
        assert.throws(() => parseEtlFigures(JSON.stringify(withoutReference), "the ETL bench"), /the ETL bench: .*reference_seconds/);
        assert.throws(() => parseEtlFigures("tracks 100000", "the ETL bench"), /expected a JSON object on its last output line/);
    });

    it("puts the reference's ratio beside every ETL figure", () => {
        const text = renderEtl([ETL_LINE], "bench");
        const row = text.split("\n").find((line) => line.startsWith("| 100,000 |")) ?? "";
        // 13 / 0.65 s, 206,253 records / 13 s and / 0.65 s, 3337 / 350 MiB, 6.9 / 27.6 MB.
        for (const cell of ["20.00×", "15,866", "317,312", "9.53×", "0.25×"]) assert.ok(row.includes(` ${cell} |`), `${cell} missing from ${row}`);
    });

    it("sets the floor (first Arrow round trip plus the table write) against the reference, and the JIT and GC share of the CPU", () => {
        const rows = renderEtl([ETL_LINE], "bench")
            .split("\n")
            .filter((line) => line.startsWith("| 100,000 |"));
        assert.strictEqual(rows.length, 2);
        // (2.5 + 1.4) s / 0.65 s, and (15 + 5) / 40 CPU s.
        for (const cell of ["3.90", "6.00×", "0.50×"]) assert.ok(rows[1].includes(` ${cell} |`), `${cell} missing from ${rows[1]}`);
    });

    it("sets synth plus policy against the targets: one stage within 2x the floor, each further stage within 0.5x; flags differing manifests", () => {
        const floor = { what: "floor", command: "node -e x", sample: sample(1, 0.5, 100) };
        const oneStage = { what: "one", command: "node policy dev", sample: sample(1.9, 1.5, 200) };
        const one = { what: "synth + policy check of 1", command: "node policy s1", sample: sample(2, 1.6, 200) };
        const many = { what: "synth + policy check of 4", command: "node policy s1 … s4", sample: sample(5, 4, 300) };
        const section: OfflineSection = {
            reference: floor,
            targets: { oneStage, growth: { one, many, stages: 4 } },
            rows: [oneStage, one, many],
            identical: { stages: ["dev", "prod"], differing: [] },
            runs: 3,
        };
        const text = renderOffline(section);
        assert.match(text, /\| one stage \| `node policy dev` \| 1\.90 \| 1\.90× \| ≤ 2× \| met \|/);
        // (5 - 2) s over 3 further stages: 1 s each, against a 0.5 s target.
        assert.match(
            text,
            /\| each further stage \| `node policy s1 … s4` against `node policy s1`, per stage \| 1\.00 \| 1\.00× \| ≤ 0\.5× \| \*\*not met\*\* \|/,
        );
        assert.match(text, /byte-identical/);
        assert.match(renderOffline({ ...section, identical: { stages: ["dev", "prod"], differing: ["prod"] } }), /\*\*The manifests differ\*\* .* for prod/);
    });

    it("formats ratios and tables, refusing a row of the wrong width", () => {
        assert.strictEqual(ratio(3, 2), "1.50×");
        assert.strictEqual(ratio(3, 0), "n/a");
        assert.strictEqual(ratio(89_349, 27_920_982), "0.0032×");
        assert.strictEqual(ratio(0, 5), "0.00×");
        assert.strictEqual(table(["a", "b"], ["l", "r"], [["1", "2"]]), "| a | b |\n| --- | ---: |\n| 1 | 2 |");
        assert.throws(() => table(["a", "b"], ["l", "r"], [["1"]]), /1 cells, header 2/);
    });

    it("carries over the history part of BENCHMARKS.md from its heading on, and nothing without one", () => {
        const history = `${HISTORY_HEADING}\n\n### 2026-11 ETL\n| tracks | ratio |\n`;
        assert.strictEqual(keptHistory(`# Benchmarks\n\n## ETL\nfigures\n\n${history}\n`), history.trimEnd());
        assert.strictEqual(keptHistory(history), history.trimEnd());
        assert.strictEqual(keptHistory(`# Benchmarks\n\n### ${HISTORY_HEADING.slice(3)}\n`), "");
        assert.strictEqual(keptHistory("# Benchmarks\n"), "");
    });

    it("generates valid, distinct stage names", () => {
        const names = generatedStageNames(16);
        assert.strictEqual(new Set(names).size, 16);
        for (const name of names) assert.match(name, STAGE_PATTERN);
    });
});

const SCAN: ScanCost = {
    layouts: { csv: { bytes: 30e6 }, parquet: { bytes: 3e6, files: 1, partitions: 0 }, partitioned: { bytes: 3.5e6, files: 60, partitions: 60 } },
    queries: [
        { name: "dataset tracks", columns: ["a", "b"], scans: 1, partitions_touched: 60, bytes: { csv: 30e6, parquet: 2e6, partitioned: 25e6 } },
        { name: "visual kpi", columns: ["a"], scans: 1, partitions_touched: 60, bytes: { csv: 30e6, parquet: 0, partitioned: 12_000_001 } },
    ],
};

describe("npm run bench: cost model", () => {
    const settings: GlueSettings = {
        glueWorkerType: "G.2X",
        glueNumberOfWorkers: 4,
        glueExecutionClass: "STANDARD",
        glueTimeoutMinutes: 120,
        glueMaxRetries: 1,
    };
    const run = { tracks: 1_000_000, etlSeconds: 320, sessionSeconds: 5, cores: 2 };

    it("bills Glue per second with a one-minute minimum, at the worker type's DPUs and the execution class's price", () => {
        // 4 × G.2X = 8 DPU = 32 vCPU: 5 s + 320 s × 2 / 32 = 25 s, billed 60 s.
        const short = glueRunCost(settings, run);
        assert.strictEqual(short.dpus, 8);
        assert.strictEqual(short.modelledSeconds, 25);
        assert.strictEqual(short.billedSeconds, 60);
        assert.ok(Math.abs(short.usd - (8 * 60 * 0.44) / 3600) < 1e-12);
        // Above the minimum, whole seconds: 5 s + 3200 s × 2 / 8 (2 × G.1X) = 805 s, at the Flex price.
        const long = glueRunCost({ ...settings, glueWorkerType: "G.1X", glueNumberOfWorkers: 2, glueExecutionClass: "FLEX" }, { ...run, etlSeconds: 3200 });
        assert.strictEqual(long.billedSeconds, 805);
        assert.ok(Math.abs(long.dpuHours - (2 * 805) / 3600) < 1e-12);
        assert.ok(Math.abs(long.usd - long.dpuHours * 0.29) < 1e-12);
        // The ceiling: two attempts of 120 minutes on 8 DPU.
        assert.ok(Math.abs(short.ceilingUsd - 8 * 2 * 2 * 0.44) < 1e-9);
    });

    it("bills Athena at least 10 MB per query, rounded up to the MB, at $5 per TB", () => {
        assert.strictEqual(athenaQueryUsd(0), athenaQueryUsd(10_000_000));
        assert.ok(Math.abs(athenaQueryUsd(10_000_000) - 5e-5) < 1e-15);
        assert.strictEqual(athenaQueryUsd(12_000_001), athenaQueryUsd(13_000_000));
        assert.ok(athenaQueryUsd(12_000_001) > athenaQueryUsd(12_000_000));
    });

    it("costs a refresh by import mode: SPICE imports the datasets, direct query runs the visuals", () => {
        const refresh = { datasetImports: ["dataset tracks"], visuals: ["visual kpi"] };
        assert.deepStrictEqual(refreshQueryNames("SPICE", refresh), ["dataset tracks"]);
        assert.deepStrictEqual(refreshQueryNames("DIRECT_QUERY", refresh), ["visual kpi"]);
        const both = refreshCost(["dataset tracks", "visual kpi"], SCAN);
        assert.ok(Math.abs(both.parquet - 2 * athenaQueryUsd(10_000_000)) < 1e-15, "both parquet queries are under the minimum");
        assert.ok(Math.abs(both.partitioned - (athenaQueryUsd(25e6) + athenaQueryUsd(13e6))) < 1e-15);
        assert.throws(() => refreshCost(["visual gone"], SCAN), /no query "visual gone"/);
    });

    it("refuses scan-cost output that lacks a layout or a query's bytes", () => {
        assert.deepStrictEqual(parseScanCost(JSON.stringify(SCAN), "scan"), SCAN);
        const { partitioned: _dropped, ...twoLayouts } = SCAN.layouts;
        assert.throws(
            () => parseScanCost(JSON.stringify({ ...SCAN, layouts: twoLayouts }), "scan"),
            /scan: "layouts" must give the bytes of csv, parquet, partitioned/,
        );
        const broken = { ...SCAN, queries: [{ ...SCAN.queries[0], bytes: { csv: 1, parquet: 2 } }] };
        assert.throws(() => parseScanCost(JSON.stringify(broken), "scan"), /queries\[0\] needs/);
        assert.throws(() => parseScanCost("{", "scan"), /scan: not JSON/);
    });

    it("writes the prices with their date and every stage's Glue and refresh cost", () => {
        const stages = [{ stage: "dev", config: { ...settings, region: "eu-west-1", quicksightImportMode: "DIRECT_QUERY" as const } }];
        const text = renderCostModel(stages, [run], SCAN, { datasetImports: ["dataset tracks"], visuals: ["visual kpi"] });
        assert.match(text, /checked 2026-12-01 for us-east-1 and eu-west-1/);
        assert.match(text, /\| dev \| eu-west-1 \| 4 × G\.2X, STANDARD \| 8 \| 1,000,000 \| 25\.00 \| 60 \|/);
        assert.match(text, /\| dev \| DIRECT_QUERY \| 1 \|/);
    });
});
