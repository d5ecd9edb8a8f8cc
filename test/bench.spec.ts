import * as assert from "assert";
import { median, parseGnuTime } from "../tools/bench/measure";
import { OfflineSection, parseEtlFigures, ratio, renderEtl, renderOffline, table } from "../tools/bench/report";
import { generatedStageNames } from "../tools/bench/workspace";
import { STAGE_PATTERN } from "../policies/conventions/stacks";

const sample = (wallSeconds: number, cpuSeconds: number, peakRssMiB: number) => ({ wallSeconds, cpuSeconds, peakRssMiB });

const ETL_LINE = {
    tracks: 100000,
    input_records: 206253,
    etl_seconds: 13,
    etl_session_seconds: 4.5,
    etl_peak_rss_mib: 3337,
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

    it("shows the synth-plus-policy ratio to the floor before and after, and flags differing manifests", () => {
        const floor = { what: "floor", command: "node -e x", sample: sample(1, 0.5, 100) };
        const before = { what: "before", command: "tsx policy", sample: sample(8, 6, 600) };
        const after = { what: "after", command: "node policy", sample: sample(2, 1.5, 200) };
        const section: OfflineSection = { reference: floor, headline: { before, after }, rows: [before, after], identical: { stages: ["dev", "prod"], differing: [] }, runs: 3 };
        const text = renderOffline(section);
        assert.match(text, /\| before \| `tsx policy` \| 8\.00× \| 12\.00× \|/);
        assert.match(text, /\| after \| `node policy` \| 2\.00× \| 3\.00× \|/);
        assert.match(text, /byte-identical/);
        assert.match(renderOffline({ ...section, identical: { stages: ["dev", "prod"], differing: ["prod"] } }), /\*\*The manifests differ\*\* .* for prod/);
    });

    it("formats ratios and tables, refusing a row of the wrong width", () => {
        assert.strictEqual(ratio(3, 2), "1.50×");
        assert.strictEqual(ratio(3, 0), "n/a");
        assert.strictEqual(table(["a", "b"], ["l", "r"], [["1", "2"]]), "| a | b |\n| --- | ---: |\n| 1 | 2 |");
        assert.throws(() => table(["a", "b"], ["l", "r"], [["1"]]), /1 cells, header 2/);
    });

    it("generates valid, distinct stage names", () => {
        const names = generatedStageNames(16);
        assert.strictEqual(new Set(names).size, 16);
        for (const name of names) assert.match(name, STAGE_PATTERN);
    });
});
