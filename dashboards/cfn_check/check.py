"""Synthesized manifests -> one CloudFormation template per stack -> cfn-lint findings.

Each aws-native QuickSight resource of a manifest (``out/synth/<stage>/<stack>.json``, written by
``npm run synth``) becomes one ``AWS::QuickSight::<Kind>`` resource whose ``Properties`` are its
inputs renamed by the resource schema (:mod:`cfn_check.convert`); cfn-lint then validates the
template against the same schemas for the stage's region (``fakeCloud.region``). Every problem is a
:class:`Finding` naming the stack, the resource, the CloudFormation property path and the input
path; only findings of severity ``error`` fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from cfnlint.api import lint
from cfnlint.config import ConfigMixIn, ManualArgs
from cfnlint.match import Match

from .convert import JsonPath, format_path, input_path, resource_properties
from .schemas import UnknownResourceType, cfn_type, resource_schema

#: The masks the synthesis writes for values the mock runtime could not know (model/manifest.ts).
SECRET_MASK = "[secret]"
UNKNOWN_MASK = "[unknown]"
MASKS = (SECRET_MASK, UNKNOWN_MASK)

#: The resources checked by default: every aws-native QuickSight resource.
QUICKSIGHT_PREFIX = "aws-native:quicksight:"

Severity = Literal["error", "warning", "informational"]
#: Rule ids of the findings raised here rather than by cfn-lint.
SCHEMA_WALK_RULE = "schema-walk"
MASKED_RULE = "masked"
TYPE_RULE = "resource-type"


@dataclass(frozen=True)
class Finding:
    stack: str
    #: The Pulumi name of the resource ("" for a finding about the whole template).
    resource: str
    resource_type: str
    #: A cfn-lint rule id (E3030, W1001, ...) or one of the rules above.
    rule: str
    severity: Severity
    #: The CloudFormation property path, e.g. ``Definition/Sheets/0/Name``.
    property_path: str
    #: The same place in the aws-native inputs, e.g. ``definition.sheets[0].name``.
    input_path: str
    message: str

    @property
    def fails(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.resource} ({self.resource_type})" if self.resource else "template"
        at = f" at {self.property_path}" if self.property_path else ""
        given = f" [input {self.input_path}]" if self.input_path else ""
        return f"{self.severity.upper()} {self.rule} {self.stack}: {where}{at}{given}: {self.message}"


@dataclass(frozen=True)
class Template:
    """A stack's checked resources as a CloudFormation template, with where each came from."""

    stack: str
    region: str
    body: dict[str, Any]
    #: Logical id -> the manifest resource it renders.
    sources: dict[str, Mapping[str, Any]]
    #: Problems found while building it (unknown inputs, masked values, unknown types).
    findings: tuple[Finding, ...]


def load_manifests(directory: Path) -> list[dict[str, Any]]:
    """Every manifest (``<stack>.json``) of a synthesized stage directory, by file name."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


def checked_resources(manifest: Mapping[str, Any], prefix: str = QUICKSIGHT_PREFIX) -> list[Mapping[str, Any]]:
    """The manifest's managed resources whose type starts with ``prefix``."""
    return [r for r in manifest["resources"] if r["type"].startswith(prefix) and r.get("custom", True) and not r.get("read", False)]


def masked_paths(value: Any, path: JsonPath = ()) -> list[JsonPath]:
    """Where ``value`` holds a mask instead of a value the synthesis knew."""
    if isinstance(value, str):
        return [path] if value in MASKS else []
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in masked_paths(item, path + (key,))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in masked_paths(item, path + (index,))]
    return []


def logical_id(name: str, taken: Iterable[str]) -> str:
    """A CloudFormation logical id (alphanumeric) for a Pulumi name, unique among ``taken``."""
    base = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part) or "Resource"
    used = set(taken)
    candidate, counter = base, 2
    while candidate in used:
        candidate, counter = f"{base}{counter}", counter + 1
    return candidate


def cfn_path_string(path: Sequence[str | int]) -> str:
    return "/".join(str(segment) for segment in path)


def _error(stack: str, name: str, rule: str, resource_type: str, cfn_path: JsonPath, given: JsonPath, message: str) -> Finding:
    """An error finding on the resource ``name`` of ``stack``."""
    return Finding(stack, name, resource_type, rule, "error", cfn_path_string(cfn_path), format_path(given), message)


def build_template(manifest: Mapping[str, Any], prefix: str = QUICKSIGHT_PREFIX) -> Template:
    """The manifest's checked resources as a CloudFormation template. A resource with a masked value
    or an unknown type is left out and reported instead: a mask is not linted."""
    stack, region = manifest["stack"], manifest["fakeCloud"]["region"]
    resources: dict[str, Any] = {}
    sources: dict[str, Mapping[str, Any]] = {}
    findings: list[Finding] = []
    for resource in checked_resources(manifest, prefix):
        name, inputs = resource["name"], resource["inputs"]
        error = partial(_error, stack, name)

        try:
            resource_type = cfn_type(resource["type"], region)
        except UnknownResourceType as unknown:
            findings.append(error(TYPE_RULE, resource["type"], (), (), str(unknown)))
            continue
        masks = masked_paths(inputs)
        if masks:
            for path in masks:
                message = f"the synthesis masked this input ({_get(inputs, path)}): the mock runtime did not know its value, so the resource is not linted"
                findings.append(error(MASKED_RULE, resource_type, (), path, message))
            continue
        properties, unmatched = resource_properties(inputs, resource_schema(resource_type, region))
        findings.extend(error(SCHEMA_WALK_RULE, resource_type, problem.cfn_path, problem.input_path, problem.message) for problem in unmatched)
        lid = logical_id(name, resources)
        resources[lid] = {"Type": resource_type, "Properties": properties}
        sources[lid] = resource
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Description": f"{stack}: synthesized {prefix}* resources, for cfn-lint", "Resources": resources}
    return Template(stack, region, body, sources, tuple(findings))


def _get(value: Any, path: JsonPath) -> Any:
    for segment in path:
        value = value[segment]
    return value


def lint_template(template: Template) -> list[Match]:
    """cfn-lint's matches for the template in its region, informational checks included. Every rule
    runs: a ``.cfnlintrc`` (in the home or the working directory) that ignores some is refused."""
    if not template.body["Resources"]:
        return []
    config = ManualArgs(regions=[template.region], include_checks=["I"])
    ignored = ConfigMixIn(**config).ignore_checks
    if ignored:
        raise RuntimeError(f"a .cfnlintrc ignores cfn-lint checks {ignored}; this check runs every rule, remove them")
    matches: list[Match] = lint(json.dumps(template.body, indent=1), config=config)
    return matches


def match_finding(template: Template, match: Match) -> Finding:
    """A cfn-lint match as a finding about the manifest resource (and input) it points at."""
    path: list[str | int] = list(getattr(match, "path", None) or [])
    severity: Severity = match.rule.severity if match.rule.severity in ("error", "warning", "informational") else "error"
    if len(path) >= 2 and path[0] == "Resources" and path[1] in template.sources:
        source = template.sources[str(path[1])]
        type_ = template.body["Resources"][path[1]]["Type"]
        property_path = path[3:] if len(path) > 2 and path[2] == "Properties" else path[2:]
        return Finding(
            template.stack,
            source["name"],
            type_,
            match.rule.id,
            severity,
            cfn_path_string(property_path) or "(resource)",
            format_path(input_path(source["inputs"], property_path)) or "(resource)",
            match.message,
        )
    return Finding(template.stack, "", "", match.rule.id, severity, cfn_path_string(path), "", match.message)


def check_manifest(manifest: Mapping[str, Any], prefix: str = QUICKSIGHT_PREFIX) -> tuple[Template, list[Finding]]:
    """The template built from one manifest and every finding about it."""
    template = build_template(manifest, prefix)
    return template, [*template.findings, *(match_finding(template, match) for match in lint_template(template))]


def check_directory(directory: Path, prefix: str = QUICKSIGHT_PREFIX) -> tuple[list[Template], list[Finding]]:
    """:func:`check_manifest` for every manifest of a synthesized stage directory that holds checked resources."""
    templates: list[Template] = []
    findings: list[Finding] = []
    for manifest in load_manifests(directory):
        if not checked_resources(manifest, prefix):
            continue
        template, found = check_manifest(manifest, prefix)
        templates.append(template)
        findings.extend(found)
    return templates, findings
