"""AWS's CloudFormation schemas (through cfn-lint) accept the QuickSight resources each stage synthesizes,
and the check fails, with the resource and the property path, on the mistakes it exists to catch."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cfn_check import (
    MASKS,
    Finding,
    build_template,
    cfn_type,
    check_directory,
    check_manifest,
    format_path,
    input_path,
    logical_id,
    masked_paths,
    resource_properties,
    resource_schema,
    to_cfn,
)
from cfn_check.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
REGION = "eu-west-1"
QUICKSIGHT_KINDS = ("DataSource", "DataSet", "Analysis", "Dashboard", "RefreshSchedule")
Manifest = dict[str, Any]


def report(findings: list[Finding]) -> str:
    return "\n".join(str(finding) for finding in findings)


# --- the real resources -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_synthesized_quicksight_resources_pass_cfn_lint(stage: str, synthesized: Callable[[str], Path]) -> None:
    templates, findings = check_directory(synthesized(stage))

    assert [template.stack for template in templates] == [f"{stage}-dashboards"]
    template = templates[0]
    assert template.region == REGION
    linted = sorted(resource["Type"] for resource in template.body["Resources"].values())
    manifest_types = sorted(source["type"] for source in template.sources.values())
    # Every QuickSight resource of the stack was linted, each as its CloudFormation type: the check is not vacuous.
    assert len(linted) == len(manifest_types) and not template.findings, report(list(template.findings))
    assert linted == sorted(f"AWS::QuickSight::{t.rsplit(':', 1)[1]}" for t in manifest_types)
    expected = {"DataSource", "DataSet", "Analysis", "Dashboard"}
    if any(source["inputs"].get("importMode") == "SPICE" for source in template.sources.values()):
        expected.add("RefreshSchedule")  # prod imports into SPICE and refreshes daily
    assert {t.rsplit("::", 1)[1] for t in linted} == expected

    for finding in findings:
        if not finding.fails:
            warnings.warn(str(finding), stacklevel=1)
    errors = [finding for finding in findings if finding.fails]
    assert not errors, f"cfn-lint found {len(errors)} error(s) in the {stage} QuickSight resources:\n{report(errors)}"


# --- the check fails on real mistakes -----------------------------------------------------------


def analysis_only(manifest: Manifest) -> tuple[Manifest, dict[str, Any]]:
    """The manifest reduced to its Analysis, and that Analysis's definition (to break)."""
    analysis = next(resource for resource in manifest["resources"] if resource["type"] == "aws-native:quicksight:Analysis")
    manifest["resources"] = [analysis]
    return manifest, analysis["inputs"]["definition"]


def visuals(definition: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str, dict[str, Any]]]:
    """(input path, visual kind, visual) of every visual of the definition."""
    for sheet_index, sheet in enumerate(definition["sheets"]):
        for visual_index, visual in enumerate(sheet["visuals"]):
            (kind, body), = visual.items()
            yield ("definition", "sheets", sheet_index, "visuals", visual_index, kind), kind, body


def errors_at(findings: list[Finding], rule: str, path: tuple[str | int, ...]) -> list[Finding]:
    return [finding for finding in findings if finding.fails and finding.rule == rule and finding.input_path == format_path(path)]


def test_an_invalid_sort_direction_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    path, _, table = next((p, k, v) for p, k, v in visuals(definition) if k == "tableVisual")
    table["chartConfiguration"]["sortConfiguration"]["rowSort"][0]["fieldSort"]["direction"] = "SIDEWAYS"

    _, findings = check_manifest(manifest)

    direction = path + ("chartConfiguration", "sortConfiguration", "rowSort", 0, "fieldSort", "direction")
    [error] = errors_at(findings, "E3030", direction)
    assert error.resource == "dashboards-spotify-hits-analysis" and error.resource_type == "AWS::QuickSight::Analysis"
    assert error.property_path == f"Definition/Sheets/{path[2]}/Visuals/{path[4]}/TableVisual/ChartConfiguration/SortConfiguration/RowSort/0/FieldSort/Direction"
    assert "'SIDEWAYS' is not one of ['ASC', 'DESC']" in error.message
    assert [f for f in findings if f.fails] == [error], report(findings)


def test_a_misspelled_property_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    path, kind, visual = next(visuals(definition))
    visual["visualIdd"] = visual.pop("visualId")

    _, findings = check_manifest(manifest)

    [unknown] = errors_at(findings, "schema-walk", path + ("visualIdd",))
    assert unknown.property_path == f"Definition/Sheets/0/Visuals/0/{cfn_name(kind)}/visualIdd"
    assert "'visualIdd' matches no property" in unknown.message and "VisualId" in unknown.message
    # Left out of the template, the misspelled input leaves the required VisualId missing, which cfn-lint reports too.
    [missing] = errors_at(findings, "E3003", path)
    assert "'VisualId' is a required property" in missing.message


def cfn_name(aws_native_kind: str) -> str:
    return {"kpiVisual": "KPIVisual"}.get(aws_native_kind, aws_native_kind[:1].upper() + aws_native_kind[1:])


def test_a_grid_element_wider_than_the_grid_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("prod"))
    definition["sheets"][1]["layouts"][0]["configuration"]["gridLayout"]["elements"][0]["columnSpan"] = 99

    _, findings = check_manifest(manifest)

    span = ("definition", "sheets", 1, "layouts", 0, "configuration", "gridLayout", "elements", 0, "columnSpan")
    [error] = errors_at(findings, "E3034", span)
    assert error.property_path == "Definition/Sheets/1/Layouts/0/Configuration/GridLayout/Elements/0/ColumnSpan"
    assert "99 is greater than the maximum of 36" in error.message


def test_every_mistake_at_once_is_reported_each_on_its_own(dashboards_manifest: Callable[[str], Manifest], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = dashboards_manifest("prod")  # every resource of the stack, the Analysis broken three times
    definition = next(r for r in manifest["resources"] if r["type"] == "aws-native:quicksight:Analysis")["inputs"]["definition"]
    _, _, table = next((p, k, v) for p, k, v in visuals(definition) if k == "tableVisual")
    table["chartConfiguration"]["sortConfiguration"]["rowSort"][0]["fieldSort"]["direction"] = "SIDEWAYS"
    first = next(visuals(definition))[2]
    first["visualIdd"] = first.pop("visualId")
    definition["sheets"][0]["layouts"][0]["configuration"]["gridLayout"]["elements"][0]["columnSpan"] = 99
    (tmp_path / "prod-dashboards.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert main(["--manifests", str(tmp_path), "--errors-only"]) == 1

    printed = capsys.readouterr().out
    assert re.search(r"ERROR E3030 prod-dashboards: dashboards-spotify-hits-analysis \(AWS::QuickSight::Analysis\) at \S+/FieldSort/Direction", printed), printed
    assert "ERROR schema-walk prod-dashboards: dashboards-spotify-hits-analysis (AWS::QuickSight::Analysis) at Definition/Sheets/0/Visuals/0/KPIVisual/visualIdd" in printed
    assert "at Definition/Sheets/0/Layouts/0/Configuration/GridLayout/Elements/0/ColumnSpan [input definition.sheets[0].layouts[0].configuration.gridLayout.elements[0].columnSpan]: 99 is greater" in printed
    assert "4 error(s)" in printed  # the three mistakes, and the VisualId the misspelling leaves missing


def test_an_input_of_a_dataset_that_the_schema_lacks_is_reported(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest = dashboards_manifest("dev")
    dataset = next(r for r in manifest["resources"] if r["type"] == "aws-native:quicksight:DataSet")
    (table_key, table), = dataset["inputs"]["physicalTableMap"].items()
    table["relationalTable"]["inputColumns"][0]["kind"] = "STRING"
    dataset["inputs"]["importMode"] = "SPICY"

    _, findings = check_manifest(manifest)

    errors = [f for f in findings if f.fails]
    assert {(f.rule, f.input_path) for f in errors} == {
        ("schema-walk", f"physicalTableMap.{table_key}.relationalTable.inputColumns[0].kind"),
        ("E3030", "importMode"),
    }, report(errors)
    [walk] = [f for f in errors if f.rule == "schema-walk"]
    # The map key the program chose is kept as it is; the property names around it are CloudFormation's.
    assert walk.property_path == f"PhysicalTableMap/{table_key}/RelationalTable/InputColumns/0/kind"


def test_a_masked_value_fails_clearly_and_is_not_linted(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest = dashboards_manifest("dev")
    source = next(r for r in manifest["resources"] if r["type"] == "aws-native:quicksight:DataSource")
    source["inputs"]["dataSourceParameters"]["athenaParameters"]["workGroup"] = "[unknown]"

    template, findings = check_manifest(manifest)

    assert source["name"] not in {s["name"] for s in template.sources.values()}
    [masked] = [f for f in findings if f.fails]
    assert masked.rule == "masked" and masked.resource == source["name"]
    assert masked.input_path == "dataSourceParameters.athenaParameters.workGroup"
    assert "the synthesis masked this input ([unknown])" in masked.message


def test_an_aws_native_type_cloudformation_lacks_is_reported(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest = dashboards_manifest("dev")
    manifest["resources"][-1] = {**manifest["resources"][-1], "type": "aws-native:quicksight:Dashbord", "name": "typo", "custom": True, "read": False}

    _, findings = check_manifest(manifest)

    assert [(f.rule, f.resource) for f in findings if f.fails] == [("resource-type", "typo")]


# --- the conversion, on a small schema ----------------------------------------------------------

SCHEMA: dict[str, Any] = {
    "typeName": "AWS::Test::Thing",
    "additionalProperties": False,
    "properties": {
        "AwsAccountId": {"type": "string"},
        "SSLProperties": {"$ref": "#/definitions/Ssl"},
        "Visuals": {"type": "array", "items": {"$ref": "#/definitions/Visual"}},
        "TableMap": {"$ref": "#/definitions/TableMap"},
        "Labels": {"type": "object", "additionalProperties": {"$ref": "#/definitions/Label"}},
        "FreeJson": {"type": "object"},
    },
    "definitions": {
        "Ssl": {"type": "object", "additionalProperties": False, "properties": {"DisableSsl": {"type": "boolean"}}},
        "Visual": {"type": "object", "additionalProperties": False, "properties": {"KPIVisual": {"$ref": "#/definitions/Kpi"}}},
        "Kpi": {"type": "object", "additionalProperties": False, "properties": {"VisualId": {"type": "string"}}},
        "TableMap": {"type": "object", "additionalProperties": False, "patternProperties": {"^[0-9a-zA-Z-]*$": {"$ref": "#/definitions/Table"}}},
        "Table": {"type": "object", "additionalProperties": False, "properties": {"Name": {"type": "string"}}},
        "Label": {"type": "object", "additionalProperties": False, "properties": {"Text": {"type": "string"}}},
    },
}


def test_properties_are_found_ignoring_case_through_refs_and_arrays() -> None:
    inputs = {"awsAccountId": "123456789012", "sslProperties": {"disableSsl": False}, "visuals": [{"kpiVisual": {"visualId": "v"}}]}

    assert resource_properties(inputs, SCHEMA) == (
        {"AwsAccountId": "123456789012", "SSLProperties": {"DisableSsl": False}, "Visuals": [{"KPIVisual": {"VisualId": "v"}}]},
        [],
    )


def test_keys_of_maps_are_kept_as_the_program_chose_them() -> None:
    inputs = {"tableMap": {"genre-ranks": {"name": "x"}}, "labels": {"someLabel": {"text": "y"}}, "freeJson": {"anyKey": {"nested": 1}}}

    converted, errors = resource_properties(inputs, SCHEMA)

    assert errors == []
    assert converted == {"TableMap": {"genre-ranks": {"Name": "x"}}, "Labels": {"someLabel": {"Text": "y"}}, "FreeJson": {"anyKey": {"nested": 1}}}


def test_unknown_inputs_are_errors_with_both_paths_and_left_out() -> None:
    inputs = {"visuals": [{"kpiVisual": {"visualIdd": "v"}}], "tableMap": {"not a key!": {"name": "x"}}, "colour": "red"}

    converted, errors = resource_properties(inputs, SCHEMA)

    assert converted == {"Visuals": [{"KPIVisual": {}}], "TableMap": {}}
    assert [(format_path(e.input_path), e.cfn_path) for e in errors] == [
        ("visuals[0].kpiVisual.visualIdd", ("Visuals", 0, "KPIVisual", "visualIdd")),
        ("tableMap.not a key!", ("TableMap", "not a key!")),
        ("colour", ("colour",)),
    ]
    assert "expected one of: VisualId" in errors[0].message


def test_a_circular_ref_is_refused() -> None:
    schema = {"properties": {"A": {"$ref": "#/definitions/B"}}, "definitions": {"B": {"$ref": "#/definitions/B"}}}
    with pytest.raises(ValueError, match="circular"):
        to_cfn({"a": 1}, schema, schema)


def test_input_paths_are_recovered_from_cloudformation_paths() -> None:
    inputs = {"definition": {"sheets": [{"visuals": [{"kpiVisual": {"visualId": "v"}}]}]}, "physicalTableMap": {"Tracks": {}}}

    assert input_path(inputs, ["Definition", "Sheets", 0, "Visuals", 0, "KPIVisual", "VisualId"]) == ("definition", "sheets", 0, "visuals", 0, "kpiVisual", "visualId")
    assert input_path(inputs, ["PhysicalTableMap", "Tracks", "RelationalTable"]) == ("physicalTableMap", "Tracks", "RelationalTable")
    assert format_path(("definition", "sheets", 0, "name")) == "definition.sheets[0].name"


# --- templates, types and masks -------------------------------------------------------------------


def test_logical_ids_are_alphanumeric_and_unique() -> None:
    assert logical_id("dashboards-spotify-hits-analysis", []) == "DashboardsSpotifyHitsAnalysis"
    assert logical_id("dashboards-spotify-hits-analysis", ["DashboardsSpotifyHitsAnalysis"]) == "DashboardsSpotifyHitsAnalysis2"
    assert logical_id("--", []) == "Resource"


@pytest.mark.parametrize("kind", QUICKSIGHT_KINDS)
def test_aws_native_types_name_the_region_s_cloudformation_schemas(kind: str) -> None:
    resource_type = cfn_type(f"aws-native:quicksight:{kind}", REGION)

    assert resource_type == f"AWS::QuickSight::{kind}"
    assert resource_schema(resource_type, REGION)["typeName"] == resource_type


def test_the_masks_are_the_synthesis_s() -> None:
    manifest_ts = (REPO_ROOT / "model" / "manifest.ts").read_text(encoding="utf-8")
    declared = set(re.findall(r'export const (?:SECRET|UNKNOWN)_MASK = "([^"]+)";', manifest_ts))

    assert declared == set(MASKS)
    assert masked_paths({"a": [{"b": "[secret]"}], "c": "[unknown]", "d": "known"}) == [("a", 0, "b"), ("c",)]


def test_the_template_holds_one_resource_per_quicksight_resource(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest = dashboards_manifest("prod")

    template = build_template(manifest)

    quicksight = [r for r in manifest["resources"] if r["type"].startswith("aws-native:quicksight:")]
    assert sorted(s["urn"] for s in template.sources.values()) == sorted(r["urn"] for r in quicksight)
    assert all(re.fullmatch(r"[A-Za-z0-9]+", lid) for lid in template.body["Resources"])
    analysis = next(r for r in template.body["Resources"].values() if r["Type"] == "AWS::QuickSight::Analysis")
    assert set(analysis["Properties"]) == {"AwsAccountId", "AnalysisId", "Name", "Definition", "Permissions"}


def test_the_cli_prints_the_findings_of_a_stage(synthesized: Callable[[str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--manifests", str(synthesized("prod"))]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^cfn-lint \d+\.\d+\.\d+, schemas of ", printed, re.MULTILINE), printed
    kinds = "AWS::QuickSight::Analysis, AWS::QuickSight::Dashboard, AWS::QuickSight::DataSet, AWS::QuickSight::DataSource, AWS::QuickSight::RefreshSchedule"
    assert re.search(rf"^prod-dashboards \(eu-west-1\): \d+ resource\(s\) linted: {re.escape(kinds)}$", printed, re.MULTILINE), printed
    assert ": 0 error(s)" in printed

    assert main(["--manifests", str(tmp_path)]) == 2  # nothing to check is not a pass
    assert main(["--manifests", str(tmp_path / "missing")]) == 2
