"""The Create* request of every synthesized QuickSight resource, checked against QuickSight's API model.

cfn-lint (:mod:`cfn_check.check`) checks the resources against CloudFormation's schemas, but what
QuickSight finally accepts is its own API: each resource's CloudFormation handler passes the
properties on to one operation (CreateDataSource, CreateDataSet, CreateAnalysis, CreateDashboard,
CreateRefreshSchedule). The schemas and the API model are written apart and drift (CloudFormation
spells a refresh schedule's ``TimeZone``, the API ``Timezone``; an enum value, a limit or a pattern
changes in one before the other), so here each resource's CloudFormation properties
(:func:`cfn_check.convert.resource_properties`) become the request of its operation, and the request
is validated against the QuickSight model that botocore ships (pinned in requirements-dev.txt):

- botocore's own ``ParamValidator`` for what it checks: types, required members, unknown members,
  minimum lengths and values, tagged unions;
- this module for what it leaves out: enum values, maximum lengths of strings and lists, map sizes,
  maximum values of numbers, booleans passed as numbers, and the model's ``pattern`` regexes.

CloudFormation properties that the operation has no member for are handled by the tables below, one
entry each, never by ignoring unknown members; inputs the synthesis only knew as masks get the
placeholders listed in :data:`PLACEHOLDERS`. Every problem is an :class:`ApiFinding` naming the
resource, the operation and the path in the request. Run it by hand with
``.venv/bin/python -m cfn_check --api-model --manifests out/synth/dev``.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import botocore
import botocore.session

# The model's patterns are matched with `regex`, like convert.py matches the CloudFormation schemas'.
import regex
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StringShape, StructureShape
from botocore.validate import ParamValidator, ValidationErrors

from .check import QUICKSIGHT_PREFIX, checked_resources, load_manifests, masked_paths
from .convert import JsonPath, format_path, input_path, resource_properties
from .schemas import UnknownResourceType, cfn_type, resource_schema

SERVICE = "quicksight"

#: The operation each aws-native QuickSight resource type is created with (what its CloudFormation
#: handler calls): the operation whose input shape the resource's request is checked against.
OPERATIONS: Mapping[str, str] = {
    "aws-native:quicksight:DataSource": "CreateDataSource",
    "aws-native:quicksight:DataSet": "CreateDataSet",
    "aws-native:quicksight:Analysis": "CreateAnalysis",
    "aws-native:quicksight:Dashboard": "CreateDashboard",
    "aws-native:quicksight:RefreshSchedule": "CreateRefreshSchedule",
}

#: CloudFormation properties the API spells otherwise: (API shape, CloudFormation name) -> the API
#: member. Keyed by shape, so the rename holds wherever that shape occurs.
RENAMED_MEMBERS: Mapping[tuple[str, str], str] = {
    # AWS::QuickSight::RefreshSchedule's ScheduleFrequency has TimeZone; the API's RefreshFrequency, Timezone.
    ("RefreshFrequency", "TimeZone"): "Timezone",
    # AWS::QuickSight::DataSet capitalises a field folder's members; the API's FieldFolder has them in lower case.
    ("FieldFolder", "Columns"): "columns",
    ("FieldFolder", "Description"): "description",
}

#: CloudFormation properties the Create request does not carry because CloudFormation itself uses
#: them or sends them with another call: left out of the request, with a note (cfn-lint still checks
#: them against the schema). (API shape, CloudFormation name) -> why.
NOT_SENT: Mapping[tuple[str, str], str] = {
    ("CreateDataSourceRequest", "AlternateDataSourceParameters"): "kept by CloudFormation (an allow list for credentials copied from this data source); CreateDataSource has no such member",
    ("CreateDataSetRequest", "DataSetRefreshProperties"): "sent with PutDataSetRefreshProperties after CreateDataSet, not checked here",
    ("CreateDataSetRequest", "IngestionWaitPolicy"): "tells CloudFormation how long to wait for the SPICE ingestion; not sent to QuickSight",
}

_READ_ONLY = "read-only in CloudFormation (an attribute of the created resource); no request can set it"
_DESCRIBED = "an output of QuickSight's Describe* call that CloudFormation's schema lists as a property; no Create request carries it"

#: CloudFormation properties that cannot be part of any Create request: an input that sets one is a
#: finding. (API shape, CloudFormation name) -> why.
REJECTED: Mapping[tuple[str, str], str] = {
    ("CreateDataSourceRequest", "Arn"): _READ_ONLY,
    ("CreateDataSourceRequest", "CreatedTime"): _READ_ONLY,
    ("CreateDataSourceRequest", "LastUpdatedTime"): _READ_ONLY,
    ("CreateDataSourceRequest", "Status"): _READ_ONLY,
    ("CreateDataSourceRequest", "ErrorInfo"): _DESCRIBED,
    ("CreateDataSetRequest", "Arn"): _READ_ONLY,
    ("CreateDataSetRequest", "ConsumedSpiceCapacityInBytes"): _READ_ONLY,
    ("CreateDataSetRequest", "CreatedTime"): _READ_ONLY,
    ("CreateDataSetRequest", "LastUpdatedTime"): _READ_ONLY,
    ("CreateDataSetRequest", "OutputColumns"): _READ_ONLY,
    ("CreateAnalysisRequest", "Arn"): _READ_ONLY,
    ("CreateAnalysisRequest", "CreatedTime"): _READ_ONLY,
    ("CreateAnalysisRequest", "DataSetArns"): _READ_ONLY,
    ("CreateAnalysisRequest", "LastUpdatedTime"): _READ_ONLY,
    ("CreateAnalysisRequest", "Errors"): _DESCRIBED,
    ("CreateAnalysisRequest", "Sheets"): _DESCRIBED,
    ("CreateAnalysisRequest", "Status"): _DESCRIBED,
    ("CreateDashboardRequest", "Arn"): _READ_ONLY,
    ("CreateDashboardRequest", "CreatedTime"): _READ_ONLY,
    ("CreateDashboardRequest", "LastPublishedTime"): _READ_ONLY,
    ("CreateDashboardRequest", "LastUpdatedTime"): _READ_ONLY,
    ("CreateDashboardRequest", "Version"): _READ_ONLY,
    ("CreateRefreshScheduleRequest", "Arn"): _READ_ONLY,
    # AWS::QuickSight::DataSource's ResourcePermission has a free-form Resource string the API's lacks.
    ("ResourcePermission", "Resource"): "in CloudFormation's ResourcePermission only; the API's has Principal and Actions",
    # CloudFormation's schema is newer than the pinned model here: QuickSight would refuse the request.
    ("DataPrepAggregationFunction", "PercentileAggregation"): "in CloudFormation's schema but not in the pinned API model",
}

#: Inputs that come from another resource, stack or the provider, which a synthesis may know only as a
#: mask (``[unknown]``): each gets a value the model accepts, so the rest of the request is still
#: checked. A mask anywhere else is a finding. Operation ("*": every one) -> path in the request ("*":
#: any list index or map key) -> the value; ``{partition}``, ``{region}`` and ``{account}`` are the
#: manifest's ``fakeCloud``.
PLACEHOLDERS: Mapping[str, Mapping[tuple[str, ...], str]] = {
    # aws.getCallerIdentity.
    "*": {("AwsAccountId",): "{account}"},
    # The queries stack's workgroup.
    "CreateDataSource": {("DataSourceParameters", "AthenaParameters", "WorkGroup"): "unknown-at-synthesis"},
    "CreateDataSet": {
        # Interpolates the queries stack's view name.
        ("Name",): "unknown at synthesis",
        # The DataSource's ARN, the etl stack's Glue database and the queries stack's view.
        ("PhysicalTableMap", "*", "RelationalTable", "DataSourceArn"): "arn:{partition}:quicksight:{region}:{account}:datasource/unknown-at-synthesis",
        ("PhysicalTableMap", "*", "RelationalTable", "Schema"): "unknown_at_synthesis",
        ("PhysicalTableMap", "*", "RelationalTable", "Name"): "unknown_at_synthesis",
    },
    # The DataSet's own id output.
    "CreateRefreshSchedule": {("DataSetId",): "unknown-at-synthesis"},
    # The DataSets' ARNs, which the definition declares.
    "CreateAnalysis": {("Definition", "DataSetIdentifierDeclarations", "*", "DataSetArn"): "arn:{partition}:quicksight:{region}:{account}:dataset/unknown-at-synthesis"},
    "CreateDashboard": {("Definition", "DataSetIdentifierDeclarations", "*", "DataSetArn"): "arn:{partition}:quicksight:{region}:{account}:dataset/unknown-at-synthesis"},
}

_NUMBERS = ("integer", "long", "float", "double")


@dataclass(frozen=True)
class Problem:
    """One thing the model rejects, at ``path`` in the request."""

    path: JsonPath
    #: required, unknown, type, min, union, enum, max, pattern, rejected, masked, botocore.
    rule: str
    message: str


@dataclass(frozen=True)
class ApiFinding:
    stack: str
    #: The Pulumi name of the resource.
    resource: str
    #: The aws-native type, e.g. ``aws-native:quicksight:Analysis``.
    resource_type: str
    #: The operation, e.g. ``CreateAnalysis`` ("" when the type has none).
    operation: str
    rule: str
    #: The path in the request, e.g. ``Definition.Sheets[0].Name`` ("" for the whole request).
    path: str
    #: The same place in the aws-native inputs, e.g. ``definition.sheets[0].name``.
    input_path: str
    message: str

    def __str__(self) -> str:
        given = f" [input {self.input_path}]" if self.input_path else ""
        return f"ERROR {self.rule} {self.stack}: {self.resource} ({self.resource_type}): {self.operation or '(no operation)'}: {self.path or '(request)'}: {self.message}{given}"


@dataclass(frozen=True)
class ApiRequest:
    """The request a resource makes, as it was checked."""

    stack: str
    resource: str
    resource_type: str
    operation: str
    params: Mapping[str, Any]
    #: Top-level member -> how many values under it (itself included) were walked.
    nodes: Mapping[str, int]
    #: Placeholders put in and CloudFormation properties left out, one line each.
    notes: tuple[str, ...]


# --- the model ----------------------------------------------------------------------------------


@cache
def service_model() -> ServiceModel:
    """botocore's QuickSight model, through the documented session API."""
    return botocore.session.get_session().get_service_model(SERVICE)


def operation_model(operation: str) -> OperationModel:
    return service_model().operation_model(operation)


def input_shape(operation: str) -> Shape:
    """The shape of ``operation``'s request: the root every request of it is walked from."""
    shape = operation_model(operation).input_shape
    if shape is None:
        raise ValueError(f"{operation} has no input shape in botocore's {SERVICE} model")
    return shape


def model_source() -> str:
    """Which model file botocore loaded, for the CLI's header: a model under ``~/.aws/models`` or
    ``AWS_DATA_PATH`` would shadow the one the pinned botocore ships."""
    loader = botocore.session.get_session().get_component("data_loader")
    version = str(loader.determine_latest_version(SERVICE, "service-2"))
    _, path = loader.load_data_with_path(f"{SERVICE}/{version}/service-2")
    return f"botocore {botocore.__version__}, {SERVICE} API {version} from {path}"


# --- CloudFormation properties -> request --------------------------------------------------------


def to_request(value: Any, shape: Shape, path: JsonPath = ()) -> tuple[Any, list[Problem], list[str]]:
    """CloudFormation ``value`` (at ``path``) as the API value of ``shape``: members renamed by
    :data:`RENAMED_MEMBERS`, those of :data:`NOT_SENT` left out with a note, those of
    :data:`REJECTED` left out as problems. A member the model lacks and no table names is kept, for
    botocore to report."""
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        return _structure_request(value, shape, path)
    if isinstance(shape, ListShape) and isinstance(value, list):
        return _unzip([to_request(item, shape.member, path + (index,)) for index, item in enumerate(value)])
    if isinstance(shape, MapShape) and isinstance(value, Mapping):
        keys = list(value)
        converted, problems, notes = _unzip([to_request(value[key], shape.value, path + (key,)) for key in keys])
        return dict(zip(keys, converted, strict=True)), problems, notes
    return value, [], []


def _structure_request(value: Mapping[str, Any], shape: StructureShape, path: JsonPath) -> tuple[dict[str, Any], list[Problem], list[str]]:
    request: dict[str, Any] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    for key, item in value.items():
        entry = (shape.name, key)
        if entry in NOT_SENT:
            notes.append(f"{format_path(path + (key,))}: not sent ({NOT_SENT[entry]})")
            continue
        if entry in REJECTED:
            problems.append(Problem(path + (key,), "rejected", REJECTED[entry]))
            continue
        member = RENAMED_MEMBERS.get(entry, key)
        if member not in shape.members:
            request[key] = item
            continue
        request[member], member_problems, member_notes = to_request(item, shape.members[member], path + (member,))
        problems.extend(member_problems)
        notes.extend(member_notes)
    return request, problems, notes


def _unzip(parts: Sequence[tuple[Any, list[Problem], list[str]]]) -> tuple[list[Any], list[Problem], list[str]]:
    return [part[0] for part in parts], [p for part in parts for p in part[1]], [n for part in parts for n in part[2]]


def placeholder_for(operation: str, path: JsonPath, cloud: Mapping[str, str]) -> str | None:
    """The :data:`PLACEHOLDERS` value for a masked input at ``path`` of ``operation``'s request."""
    for listed in (PLACEHOLDERS.get("*", {}), PLACEHOLDERS.get(operation, {})):
        for pattern, value in listed.items():
            if len(pattern) == len(path) and all(p == "*" or p == str(s) for p, s in zip(pattern, path, strict=True)):
                return value.format(partition=cloud["partition"], region=cloud["region"], account=cloud["account"])
    return None


def fill_placeholders(request: Mapping[str, Any], operation: str, cloud: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem], list[str]]:
    """The request with every listed masked input replaced by its placeholder; a mask that is not
    listed stays, as a ``masked`` problem (the check cannot say whether its real value passes)."""
    filled: dict[str, Any] = copy.deepcopy(dict(request))
    problems: list[Problem] = []
    notes: list[str] = []
    for path in masked_paths(filled):
        mask = _get(filled, path)
        value = placeholder_for(operation, path, cloud)
        if value is None:
            problems.append(Problem(path, "masked", f"the synthesis masked this input ({mask}) and no placeholder is listed for it, so it is not checked"))
            continue
        _set(filled, path, value)
        notes.append(f"{format_path(path)}: {mask} at synthesis, checked as the placeholder {value!r}")
    return filled, problems, notes


def _get(value: Any, path: JsonPath) -> Any:
    for segment in path:
        value = value[segment]
    return value


def _set(value: Any, path: JsonPath, item: Any) -> None:
    _get(value, path[:-1])[path[-1]] = item


# --- validation ----------------------------------------------------------------------------------


def botocore_problems(params: Mapping[str, Any], shape: Shape) -> list[Problem]:
    """What botocore's ParamValidator finds: types, required and unknown members, minimums, unions."""
    report = ParamValidator().validate(params, shape)
    # botocore keeps each error as (reason, name, details) only here; generate_report() flattens them to text.
    errors: list[tuple[str, str, dict[str, Any]]] = list(report._errors)  # noqa: SLF001 - the structured errors, see above
    return [_botocore_problem(params, reason, name, details) for reason, name, details in errors]


def _botocore_problem(params: Mapping[str, Any], reason: str, name: str, details: Mapping[str, Any]) -> Problem:
    path = name_path(params, name)
    if reason == "missing required field":
        return Problem(path + (details["required_name"],), "required", "required member is missing")
    if reason == "unknown field":
        return Problem(path + (details["unknown_param"],), "unknown", f"not a member here (expected one of: {', '.join(details['valid_names'])})")
    if reason == "invalid type":
        wanted = ", ".join(str(t).removeprefix("<class '").removesuffix("'>") for t in details["valid_types"])
        return Problem(path, "type", f"{details['param']!r} is a {type(details['param']).__name__}, the model wants {wanted}")
    if reason in ("invalid range", "invalid length"):
        what = "length " if reason == "invalid length" else ""
        return Problem(path, "min", f"{what}{details['param']} is less than the minimum of {details['min_allowed']}")
    if reason in ("more than one input", "empty input"):
        return Problem(path, "union", f"exactly one of {', '.join(details['members'])} must be set")
    single = ValidationErrors()
    single.report(name, reason, **details)
    return Problem(path, "botocore", single.generate_report())


def name_path(params: Any, name: str) -> JsonPath:
    """The path of a ParamValidator parameter name (``.Definition.Sheets[0].Name``, ``.PhysicalTableMap
    (key: x)``), read against the request so that a map key holding a dot or a bracket splits right."""
    path: list[str | int] = []
    current: Any = params
    rest = name
    while rest:
        if rest.startswith(" (key: ") and rest.endswith(")"):
            path.append(rest[len(" (key: ") : -1])
            break
        if rest.startswith("["):
            close = rest.index("]")
            index = int(rest[1:close])
            path.append(index)
            rest = rest[close + 1 :]
            current = current[index] if isinstance(current, list) and 0 <= index < len(current) else None
            continue
        rest = rest.removeprefix(".")
        key = _leading_key(current, rest)
        if not key:
            break
        path.append(key)
        rest = rest[len(key) :]
        current = current.get(key) if isinstance(current, Mapping) else None
    return tuple(path)


def _leading_key(current: Any, rest: str) -> str:
    """The key ``rest`` starts with: the longest key of ``current`` followed by a separator, else
    everything up to the next separator."""

    def ends_here(key: str) -> bool:
        tail = rest[len(key) :]
        return rest.startswith(key) and (not tail or tail[0] in ".[" or tail.startswith(" (key: "))

    keys = [key for key in current if isinstance(key, str) and ends_here(key)] if isinstance(current, Mapping) else []
    if keys:
        return max(keys, key=len)
    found = regex.match(r"[^.\[]*", rest)
    return found.group() if found else ""


def walk(value: Any, shape: Shape, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Shape, Any]]:
    """Every value of the request with its shape, depth first, where the value has its shape's
    container type (a mismatch is botocore's to report); members the shape lacks are not entered."""
    yield path, shape, value
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        for key, item in value.items():
            if key in shape.members:
                yield from walk(item, shape.members[key], path + (key,))
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, shape.member, path + (index,))
    elif isinstance(shape, MapShape) and isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk(item, shape.value, path + (key,))


def node_problems(path: JsonPath, shape: Shape, value: Any) -> list[Problem]:
    """The constraints of one value that ParamValidator does not check: enums, maximum lengths,
    sizes and values, patterns, map sizes and keys, and booleans given for numbers."""
    if isinstance(shape, StringShape) and isinstance(value, str):
        return string_problems(path, shape, value, "")
    if isinstance(shape, ListShape) and isinstance(value, list):
        return size_problems(path, shape, len(value), "item", check_min=False)
    if isinstance(shape, MapShape) and isinstance(value, Mapping):
        key_problems = [p for key in value if isinstance(shape.key, StringShape) and isinstance(key, str) for p in string_problems(path + (key,), shape.key, key, "map key ")]
        return size_problems(path, shape, len(value), "entry", check_min=True) + key_problems
    if shape.type_name in _NUMBERS:
        return number_problems(path, shape, value)
    return []


def string_problems(path: JsonPath, shape: StringShape, value: str, what: str) -> list[Problem]:
    """Enum, maximum length and pattern of a string (botocore checks its minimum length)."""
    problems: list[Problem] = []
    if shape.enum and value not in shape.enum:
        problems.append(Problem(path, "enum", f"{what}{value!r} is not one of {', '.join(shape.enum)}"))
    maximum = shape.metadata.get("max")
    if maximum is not None and len(value) > maximum:
        problems.append(Problem(path, "max", f"{what}{_shorten(value)} is {len(value)} characters long, more than the maximum of {maximum}"))
    pattern = shape.metadata.get("pattern")
    if pattern is not None and not pattern_matches(pattern, value):
        problems.append(Problem(path, "pattern", f"{what}{_shorten(value)} does not match the pattern {pattern} (as a whole)"))
    return problems


def size_problems(path: JsonPath, shape: Shape, size: int, unit: str, check_min: bool) -> list[Problem]:
    """Maximum (and, for maps, which botocore does not size, minimum) number of items."""
    minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
    if maximum is not None and size > maximum:
        return [Problem(path, "max", f"{size} {unit}(s), more than the maximum of {maximum}")]
    if check_min and minimum is not None and size < minimum:
        return [Problem(path, "min", f"{size} {unit}(s), fewer than the minimum of {minimum}")]
    return []


def number_problems(path: JsonPath, shape: Shape, value: Any) -> list[Problem]:
    """A boolean where a number belongs (botocore's type check lets it through: bool is an int) and
    the maximum value (botocore checks the minimum)."""
    if isinstance(value, bool):
        return [Problem(path, "type", f"{value!r} is a boolean, not a number ({shape.type_name})")]
    maximum = shape.metadata.get("max")
    if maximum is not None and isinstance(value, int | float) and value > maximum:
        return [Problem(path, "max", f"{value} is greater than the maximum of {maximum}")]
    return []


def pattern_matches(pattern: str, value: str) -> bool:
    """Whether the whole value matches one of the model's patterns, as QuickSight applies them.

    Smithy's ``pattern`` trait says a pattern is not implicitly anchored, but AWS's services match the
    models' patterns against the whole value: an IAM or IoT name with a space fails "Member must
    satisfy regular expression pattern: [\\w+=,.@-]+", and the QuickSight model's
    ``[0-9a-zA-Z-]*`` (a physical table's key) would accept anything if it were searched. The
    services are Java, whose ``\\w``, ``\\d`` and ``\\s`` are ASCII-only by default, hence ASCII."""
    return _compiled(pattern).fullmatch(value) is not None


@cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.ASCII)


def _shorten(value: str) -> str:
    return repr(value) if len(value) <= 60 else f"{value[:40]!r}...{value[-10:]!r}"


def constraint_problems(params: Mapping[str, Any], shape: Shape) -> tuple[list[Problem], dict[str, int]]:
    """:func:`node_problems` of every value of the request, and how many values each top-level member holds."""
    problems: list[Problem] = []
    nodes: Counter[str] = Counter()
    for path, node_shape, value in walk(params, shape):
        if path:
            nodes[str(path[0])] += 1
        problems.extend(node_problems(path, node_shape, value))
    return problems, dict(nodes)


def validate_request(params: Mapping[str, Any], operation: str) -> tuple[list[Problem], dict[str, int]]:
    """Every problem of a request of ``operation``, botocore's first, and the values walked per member."""
    shape = input_shape(operation)
    own, nodes = constraint_problems(params, shape)
    return botocore_problems(params, shape) + own, nodes


def _within(path: JsonPath, masked: Sequence[JsonPath]) -> bool:
    return any(path[: len(mask)] == mask for mask in masked)


# --- manifests -----------------------------------------------------------------------------------


def check_resource(resource: Mapping[str, Any], stack: str, cloud: Mapping[str, str]) -> tuple[ApiRequest | None, list[ApiFinding]]:
    """The request of one manifest resource and every finding about it (None: no request could be built)."""
    name, resource_type, inputs = resource["name"], resource["type"], resource["inputs"]

    def finding(problem: Problem, operation: str) -> ApiFinding:
        given = format_path(input_path(inputs, problem.path)) if problem.path else ""
        return ApiFinding(stack, name, resource_type, operation, problem.rule, format_path(problem.path), given, problem.message)

    operation = OPERATIONS.get(resource_type)
    if operation is None:
        return None, [finding(Problem((), "resource-type", f"no Create operation is listed for {resource_type} (cfn_check.api_model.OPERATIONS)"), "")]
    try:
        schema = resource_schema(cfn_type(resource_type, cloud["region"]), cloud["region"])
    except UnknownResourceType as unknown:
        return None, [finding(Problem((), "resource-type", str(unknown)), operation)]
    properties, unmatched = resource_properties(inputs, schema)
    unconverted = [Problem(tuple(e.cfn_path), "unknown", f"{e.message}, so no request can carry it") for e in unmatched]
    request, rejected, not_sent = to_request(properties, input_shape(operation))
    filled, masked, placeholders = fill_placeholders(request, operation, cloud)
    problems, nodes = validate_request(filled, operation)
    masked_at = [problem.path for problem in masked]
    problems = [problem for problem in problems if not _within(problem.path, masked_at)]
    checked = ApiRequest(stack, name, resource_type, operation, filled, nodes, tuple(placeholders + not_sent))
    return checked, [finding(problem, operation) for problem in unconverted + rejected + masked + problems]


def check_manifest(manifest: Mapping[str, Any], prefix: str = QUICKSIGHT_PREFIX) -> tuple[list[ApiRequest], list[ApiFinding]]:
    """The request of every checked resource of a manifest, and every finding about them."""
    requests: list[ApiRequest] = []
    findings: list[ApiFinding] = []
    for resource in checked_resources(manifest, prefix):
        request, found = check_resource(resource, manifest["stack"], manifest["fakeCloud"])
        if request is not None:
            requests.append(request)
        findings.extend(found)
    return requests, findings


def check_directory(directory: Path, prefix: str = QUICKSIGHT_PREFIX) -> tuple[list[ApiRequest], list[ApiFinding]]:
    """:func:`check_manifest` for every manifest of a synthesized stage directory."""
    requests: list[ApiRequest] = []
    findings: list[ApiFinding] = []
    for manifest in load_manifests(directory):
        found_requests, found = check_manifest(manifest, prefix)
        requests.extend(found_requests)
        findings.extend(found)
    return requests, findings


__all__ = [
    "NOT_SENT",
    "OPERATIONS",
    "PLACEHOLDERS",
    "REJECTED",
    "RENAMED_MEMBERS",
    "ApiFinding",
    "ApiRequest",
    "Problem",
    "botocore_problems",
    "check_directory",
    "check_manifest",
    "check_resource",
    "constraint_problems",
    "fill_placeholders",
    "input_shape",
    "model_source",
    "name_path",
    "node_problems",
    "operation_model",
    "pattern_matches",
    "placeholder_for",
    "service_model",
    "to_request",
    "validate_request",
    "walk",
]
