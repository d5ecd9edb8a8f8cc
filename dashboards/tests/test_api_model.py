"""QuickSight's API model (botocore's) accepts the Create* request of every QuickSight resource each
stage synthesizes, and the check fails, naming the resource, the operation and the path, on the
mistakes it exists to catch."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from botocore.model import ListShape, MapShape, Shape, StructureShape

from cfn_check import api_model, resource_schema
from cfn_check.__main__ import main
from cfn_check.api_model import (
    NOT_SENT,
    OPERATIONS,
    PLACEHOLDERS,
    REJECTED,
    RENAMED_MEMBERS,
    ApiFinding,
    check_directory,
    check_manifest,
    input_shape,
    name_path,
    pattern_matches,
    validate_request,
)
from cfn_check.convert import branches

STAGES = ("dev", "prod")
REGION = "eu-west-1"
ANALYSIS = "aws-native:quicksight:Analysis"
Manifest = dict[str, Any]


def report(findings: list[ApiFinding]) -> str:
    return "\n".join(str(finding) for finding in findings)


def quicksight(manifest: Manifest) -> list[dict[str, Any]]:
    return [r for r in manifest["resources"] if r["type"].startswith("aws-native:quicksight:")]


def json_nodes(value: Any) -> int:
    """How many JSON values ``value`` holds, itself included: what a complete walk visits."""
    if isinstance(value, Mapping):
        return 1 + sum(json_nodes(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(json_nodes(item) for item in value)
    return 1


# --- the real requests --------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_every_synthesized_request_passes_the_api_model(stage: str, synthesized: Callable[[str], Path]) -> None:
    manifest = json.loads((synthesized(stage) / f"{stage}-dashboards.json").read_text(encoding="utf-8"))
    resources = quicksight(manifest)

    requests, findings = check_directory(synthesized(stage))

    assert not findings, f"QuickSight's API model rejects {len(findings)} thing(s) in the {stage} requests:\n{report(findings)}"
    # One request per QuickSight resource of the stage, each with its resource's operation: not vacuous.
    assert sorted((r.resource, r.operation) for r in requests) == sorted((r["name"], OPERATIONS[r["type"]]) for r in resources)
    expected = {"CreateDataSource", "CreateDataSet", "CreateAnalysis", "CreateDashboard"}
    if any(r["inputs"].get("importMode") == "SPICE" for r in resources):
        expected.add("CreateRefreshSchedule")  # prod imports into SPICE and refreshes daily
    assert {r.operation for r in requests} == expected
    # Every value of every request was walked, none skipped: the walk entered each member it checked.
    for request in requests:
        assert sum(request.nodes.values()) == json_nodes(dict(request.params)) - 1, request.resource
    definitions = [r for r in requests if r.operation in ("CreateAnalysis", "CreateDashboard")]
    assert len(definitions) == 2
    for request in definitions:
        assert request.nodes["Definition"] == json_nodes(request.params["Definition"]) > 500, request.nodes
    # Nothing was masked, renamed away or left out in the real manifests.
    assert [note for request in requests for note in request.notes] == []


def test_the_two_stages_together_check_all_five_create_operations(synthesized: Callable[[str], Path]) -> None:
    operations = {request.operation for stage in STAGES for request in check_directory(synthesized(stage))[0]}

    assert operations == set(OPERATIONS.values()) == {"CreateDataSource", "CreateDataSet", "CreateAnalysis", "CreateDashboard", "CreateRefreshSchedule"}


def test_the_refresh_schedule_s_time_zone_is_renamed_to_the_api_s_member(synthesized: Callable[[str], Path]) -> None:
    schedules = [r for r in check_directory(synthesized("prod"))[0] if r.operation == "CreateRefreshSchedule"]

    assert schedules and all(r.params["Schedule"]["ScheduleFrequency"]["Timezone"] == "UTC" for r in schedules)
    # Without the rename, the API would not know the member CloudFormation spells TimeZone.
    request = copy.deepcopy(dict(schedules[0].params))
    request["Schedule"]["ScheduleFrequency"]["TimeZone"] = request["Schedule"]["ScheduleFrequency"].pop("Timezone")
    [problem] = validate_request(request, "CreateRefreshSchedule")[0]
    assert (problem.rule, problem.path) == ("unknown", ("Schedule", "ScheduleFrequency", "TimeZone"))
    assert problem.message == "not a member here (expected one of: Interval, RefreshOnDay, Timezone, TimeOfTheDay)"


# --- the check fails on real mistakes -----------------------------------------------------------


def analysis_only(manifest: Manifest) -> tuple[Manifest, dict[str, Any]]:
    """The manifest reduced to its Analysis, and that Analysis's definition (to break)."""
    analysis = next(resource for resource in manifest["resources"] if resource["type"] == ANALYSIS)
    manifest["resources"] = [analysis]
    return manifest, analysis["inputs"]["definition"]


def visuals(definition: dict[str, Any]) -> Iterator[tuple[int, int, str, dict[str, Any]]]:
    """(sheet index, visual index, aws-native visual kind, visual) of every visual of the definition."""
    for sheet_index, sheet in enumerate(definition["sheets"]):
        for visual_index, visual in enumerate(sheet["visuals"]):
            ((kind, body),) = visual.items()
            yield sheet_index, visual_index, kind, body


def only_finding(manifest: Manifest) -> ApiFinding:
    """The one finding the manifest has (the test fails listing them all otherwise)."""
    requests, findings = check_manifest(manifest)
    assert requests, "no request was checked"
    assert len(findings) == 1, report(findings)
    return findings[0]


def model_limit(shape_name: str, key: str) -> int:
    limit: int = api_model.service_model().shape_for(shape_name).metadata[key]
    return limit


def test_an_enum_value_the_model_lacks_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    sheet, visual, _, table = next(v for v in visuals(definition) if v[2] == "tableVisual")
    table["chartConfiguration"]["sortConfiguration"]["rowSort"][0]["fieldSort"]["direction"] = "SIDEWAYS"

    finding = only_finding(manifest)

    path = f"Definition.Sheets[{sheet}].Visuals[{visual}].TableVisual.ChartConfiguration.SortConfiguration.RowSort[0].FieldSort.Direction"
    assert (finding.rule, finding.resource, finding.operation, finding.path) == ("enum", "dashboards-spotify-hits-analysis", "CreateAnalysis", path)
    assert finding.input_path == f"definition.sheets[{sheet}].visuals[{visual}].tableVisual.chartConfiguration.sortConfiguration.rowSort[0].fieldSort.direction"
    assert f"CreateAnalysis: {path}: 'SIDEWAYS' is not one of ASC, DESC [input " in str(finding)


def test_a_missing_required_member_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    sheet, visual, _, kpi = next(v for v in visuals(definition) if v[2] == "kpiVisual")
    del kpi["visualId"]

    finding = only_finding(manifest)

    assert (finding.rule, finding.path) == ("required", f"Definition.Sheets[{sheet}].Visuals[{visual}].KPIVisual.VisualId")
    assert finding.message == "required member is missing"


def test_a_string_longer_than_the_model_allows_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    limit = model_limit("SheetName", "max")
    definition["sheets"][1]["name"] = "x" * (limit + 1)

    finding = only_finding(manifest)

    assert (finding.rule, finding.path) == ("max", "Definition.Sheets[1].Name")
    assert finding.message.endswith(f"is {limit + 1} characters long, more than the maximum of {limit}")


def test_a_value_breaking_the_model_s_pattern_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, _ = analysis_only(dashboards_manifest("dev"))
    manifest["resources"][0]["inputs"]["analysisId"] = "spotify dev analysis"  # [\w\-]+: no spaces

    finding = only_finding(manifest)

    assert (finding.rule, finding.path, finding.input_path) == ("pattern", "AnalysisId", "analysisId")
    assert finding.message == "'spotify dev analysis' does not match the pattern [\\w\\-]+ (as a whole)"


def test_an_input_without_a_member_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    sheet, visual, _, kpi = next(v for v in visuals(definition) if v[2] == "kpiVisual")
    kpi["visualIdd"] = kpi.pop("visualId")

    _, findings = check_manifest(manifest)

    where = f"Definition.Sheets[{sheet}].Visuals[{visual}].KPIVisual"
    assert sorted((f.rule, f.path) for f in findings) == [("required", f"{where}.VisualId"), ("unknown", f"{where}.visualIdd")], report(findings)
    [unknown] = [f for f in findings if f.rule == "unknown"]
    assert "'visualIdd' matches no property" in unknown.message and "so no request can carry it" in unknown.message


def test_a_request_member_the_api_lacks_is_reported_with_its_path(synthesized: Callable[[str], Path]) -> None:
    [analysis] = [r for r in check_directory(synthesized("dev"))[0] if r.operation == "CreateAnalysis"]
    request = copy.deepcopy(dict(analysis.params))
    request["Definition"]["Sheets"][0]["Colour"] = "red"

    [problem] = validate_request(request, "CreateAnalysis")[0]

    assert (problem.rule, problem.path) == ("unknown", ("Definition", "Sheets", 0, "Colour"))
    assert problem.message.startswith("not a member here (expected one of: SheetId, Title, Description, Name,")


def test_a_list_longer_than_the_model_allows_is_reported_with_its_path(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    limit = model_limit("SheetDefinitionList", "max")
    definition["sheets"] = [copy.deepcopy(definition["sheets"][0]) for _ in range(limit + 1)]

    finding = only_finding(manifest)

    assert (finding.rule, finding.path) == ("max", "Definition.Sheets")
    assert finding.message == f"{limit + 1} item(s), more than the maximum of {limit}"


def test_numbers_out_of_the_model_s_range_are_reported_with_their_paths(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("prod"))
    elements = definition["sheets"][1]["layouts"][0]["configuration"]["gridLayout"]["elements"]
    elements[0]["columnSpan"] = 99  # at most 36 (ours)
    elements[0]["rowIndex"] = -1  # at least 0 (botocore's)
    elements[0]["rowSpan"] = True  # a boolean is no integer, though botocore lets it through

    _, findings = check_manifest(manifest)

    grid = "Definition.Sheets[1].Layouts[0].Configuration.GridLayout.Elements[0]"
    assert sorted((f.rule, f.path, f.message) for f in findings) == [
        ("max", f"{grid}.ColumnSpan", "99 is greater than the maximum of 36"),
        ("min", f"{grid}.RowIndex", "-1 is less than the minimum of 0"),
        ("type", f"{grid}.RowSpan", "True is a boolean, not a number (integer)"),
    ], report(findings)


def test_every_mistake_at_once_is_reported_by_the_cli(dashboards_manifest: Callable[[str], Manifest], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = dashboards_manifest("prod")  # every resource of the stack, three of them broken
    definition = next(r for r in manifest["resources"] if r["type"] == ANALYSIS)["inputs"]["definition"]
    sheet, visual, _, table = next(v for v in visuals(definition) if v[2] == "tableVisual")
    table["chartConfiguration"]["sortConfiguration"]["rowSort"][0]["fieldSort"]["direction"] = "SIDEWAYS"
    dataset = next(r for r in manifest["resources"] if r["type"] == "aws-native:quicksight:DataSet")
    dataset["inputs"]["importMode"] = "SPICY"
    schedule = next(r for r in manifest["resources"] if r["type"] == "aws-native:quicksight:RefreshSchedule")
    schedule["inputs"]["schedule"]["scheduleFrequency"]["interval"] = "FORTNIGHTLY"
    (tmp_path / "prod-dashboards.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert main(["--api-model", "--manifests", str(tmp_path)]) == 1

    printed = capsys.readouterr().out
    direction = f"Definition.Sheets[{sheet}].Visuals[{visual}].TableVisual.ChartConfiguration.SortConfiguration.RowSort[0].FieldSort.Direction"
    assert f"ERROR enum prod-dashboards: dashboards-spotify-hits-analysis ({ANALYSIS}): CreateAnalysis: {direction}: 'SIDEWAYS' is not one of ASC, DESC" in printed
    assert f"({dataset['type']}): CreateDataSet: ImportMode: 'SPICY' is not one of SPICE, DIRECT_QUERY [input importMode]" in printed
    assert "CreateRefreshSchedule: Schedule.ScheduleFrequency.Interval: 'FORTNIGHTLY' is not one of MINUTE15, MINUTE30, HOURLY, DAILY" in printed
    assert f"{tmp_path}: {len(quicksight(manifest))} request(s), 3 error(s)" in printed


def test_the_cli_prints_the_requests_of_a_stage(synthesized: Callable[[str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    manifest = json.loads((synthesized("dev") / "dev-dashboards.json").read_text(encoding="utf-8"))
    assert main(["--api-model", "--manifests", str(synthesized("dev"))]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^botocore \d+\.\d+\.\d+, quicksight API \d{4}-\d{2}-\d{2} from \S+", printed, re.MULTILINE), printed
    assert re.search(r"^dev-dashboards: CreateAnalysis dashboards-spotify-hits-analysis: \d+ value\(s\) walked$", printed, re.MULTILINE), printed
    assert f": {len(quicksight(manifest))} request(s), 0 error(s)" in printed

    assert main(["--api-model", "--manifests", str(tmp_path)]) == 2  # nothing to check is not a pass
    assert main(["--api-model", "--manifests", str(tmp_path / "missing")]) == 2


# --- masks and placeholders ---------------------------------------------------------------------


def test_the_listed_masked_inputs_are_checked_as_placeholders(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest = dashboards_manifest("prod")
    for resource in manifest["resources"]:
        inputs = resource["inputs"]
        if resource["type"].startswith("aws-native:quicksight:"):
            inputs["awsAccountId"] = "[unknown]"
        if resource["type"] == "aws-native:quicksight:DataSet":
            inputs["name"] = "[unknown]"
            for table in inputs["physicalTableMap"].values():
                table["relationalTable"].update(dataSourceArn="[unknown]", schema="[unknown]", name="[unknown]")
        if resource["type"] == "aws-native:quicksight:DataSource":
            inputs["dataSourceParameters"]["athenaParameters"]["workGroup"] = "[unknown]"
        if resource["type"] == "aws-native:quicksight:RefreshSchedule":
            inputs["dataSetId"] = "[unknown]"
        if "definition" in inputs:
            for declaration in inputs["definition"]["dataSetIdentifierDeclarations"]:
                declaration["dataSetArn"] = "[secret]"

    requests, findings = check_manifest(manifest)

    assert not findings, report(findings)
    notes = [note for request in requests for note in request.notes]
    # Every placeholder of the table was used, each where it is listed: the account of every resource,
    # four inputs of each dataset, the workgroup, each schedule's dataset and each declared dataset's ARN.
    kinds = Counter(r["type"].rsplit(":", 1)[1] for r in quicksight(manifest))
    declared = sum(len(r["inputs"]["definition"]["dataSetIdentifierDeclarations"]) for r in quicksight(manifest) if "definition" in r["inputs"])
    assert len(notes) == kinds.total() + 4 * kinds["DataSet"] + kinds["DataSource"] + kinds["RefreshSchedule"] + declared, "\n".join(notes)
    assert kinds["RefreshSchedule"] > 0 and declared > 0
    assert "AwsAccountId: [unknown] at synthesis, checked as the placeholder '123456789012'" in notes
    assert "Definition.DataSetIdentifierDeclarations[0].DataSetArn: [secret] at synthesis, checked as the placeholder 'arn:aws:quicksight:eu-west-1:123456789012:dataset/unknown-at-synthesis'" in notes
    assert {request.resource for request in requests} == {r["name"] for r in quicksight(manifest)}


def test_a_mask_with_no_placeholder_is_a_finding_and_nothing_else(dashboards_manifest: Callable[[str], Manifest]) -> None:
    manifest, definition = analysis_only(dashboards_manifest("dev"))
    definition["sheets"][0]["layouts"] = "[unknown]"  # a list the synthesis did not know: not checkable

    finding = only_finding(manifest)

    assert (finding.rule, finding.path) == ("masked", "Definition.Sheets[0].Layouts")
    assert finding.message == "the synthesis masked this input ([unknown]) and no placeholder is listed for it, so it is not checked"


def test_the_placeholders_are_listed_for_operations_that_exist() -> None:
    assert set(PLACEHOLDERS) - {"*"} <= set(OPERATIONS.values())


# --- the tables cover what CloudFormation has and the API lacks -----------------------------------


def cfn_only_properties(kind: str) -> set[tuple[str, str]]:
    """(API shape, CloudFormation property) of every property of the CloudFormation resource schema
    that the operation's input shape, followed alongside, has no member of that exact name for."""
    root = resource_schema(f"AWS::QuickSight::{kind}", REGION)
    found: set[tuple[str, str]] = set()
    seen: set[tuple[int, str]] = set()

    def follow(node: Mapping[str, Any], shape: Shape) -> None:
        nodes = branches(root, node)
        if (id(nodes[0]), shape.name) in seen:
            return
        seen.add((id(nodes[0]), shape.name))
        if isinstance(shape, StructureShape):
            properties = {name: sub for n in nodes for name, sub in n.get("properties", {}).items()}
            for name, sub in properties.items():
                member = RENAMED_MEMBERS.get((shape.name, name), name)
                if name not in shape.members:
                    found.add((shape.name, name))
                if member in shape.members:
                    follow(sub, shape.members[member])
        elif isinstance(shape, ListShape):
            for item in (n["items"] for n in nodes if isinstance(n.get("items"), Mapping)):
                follow(item, shape.member)
        elif isinstance(shape, MapShape):
            for n in nodes:
                values = list(n.get("patternProperties", {}).values())
                additional = n.get("additionalProperties")
                for value in values + ([additional] if isinstance(additional, Mapping) else []):
                    follow(value, shape.value)

    follow(root, input_shape(OPERATIONS[f"aws-native:quicksight:{kind}"]))
    return found


def test_every_cloudformation_property_the_api_lacks_is_in_exactly_one_table() -> None:
    tables = [set(RENAMED_MEMBERS), set(NOT_SENT), set(REJECTED)]
    found = set().union(*(cfn_only_properties(kind) for kind in ("DataSource", "DataSet", "Analysis", "Dashboard", "RefreshSchedule")))

    assert found == set().union(*tables)
    assert sum(len(table) for table in tables) == len(found)  # no entry in two tables
    for (shape_name, _), member in RENAMED_MEMBERS.items():
        shape = api_model.service_model().shape_for(shape_name)
        assert isinstance(shape, StructureShape) and member in shape.members


# --- the pieces ---------------------------------------------------------------------------------


def test_patterns_match_the_whole_value_with_java_s_ascii_classes() -> None:
    assert pattern_matches(r"[\w\-]+", "spotify-dev-analysis")
    assert not pattern_matches(r"[\w\-]+", "spotify dev analysis")  # a search would find "spotify"
    assert not pattern_matches(r"[\w\-]+", "café")  # Java's \w is ASCII
    assert not pattern_matches(r"[0-9a-zA-Z-]*", "genre ranks")
    assert pattern_matches(r"^[0-9]{12}$", "123456789012")


def test_botocore_names_become_paths_even_when_map_keys_hold_dots() -> None:
    request = {"PhysicalTableMap": {"a.b": {"RelationalTable": {}}}, "Definition": {"Sheets": [{"Name": "x"}]}}

    assert name_path(request, ".PhysicalTableMap.a.b.RelationalTable") == ("PhysicalTableMap", "a.b", "RelationalTable")
    assert name_path(request, ".PhysicalTableMap (key: a.b)") == ("PhysicalTableMap", "a.b")
    assert name_path(request, ".Definition.Sheets[0].Name") == ("Definition", "Sheets", 0, "Name")
    assert name_path(request, "") == ()


def test_map_keys_and_sizes_are_checked() -> None:
    request: dict[str, Any] = {
        "AwsAccountId": "123456789012",
        "DataSetId": "d",
        "Name": "n",
        "ImportMode": "SPICE",
        "PhysicalTableMap": {f"t{i}": {"S3Source": {"DataSourceArn": "arn", "InputColumns": []}} for i in range(model_limit("PhysicalTableMap", "max"))},
        "LogicalTableMap": {},
    }
    request["PhysicalTableMap"]["bad key!"] = request["PhysicalTableMap"].pop("t0")

    problems = validate_request(request, "CreateDataSet")[0]

    assert sorted((p.rule, p.path) for p in problems) == [("min", ("LogicalTableMap",)), ("pattern", ("PhysicalTableMap", "bad key!"))], problems
    assert [p.message for p in problems if p.rule == "min"] == ["0 entry(s), fewer than the minimum of 1"]
    request["PhysicalTableMap"]["t0"] = {}
    assert ("max", ("PhysicalTableMap",)) in {(p.rule, p.path) for p in validate_request(request, "CreateDataSet")[0]}
