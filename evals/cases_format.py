"""The case file format (evals/README.md): YAML files holding a list of cases, validated with
pydantic so a typo is an error naming the file and the case, never a silently passing case.

    - id: anna-move-next-day
      persona: anna
      tags: [flights, change]
      approvals: approve            # approve | deny (default approve)
      turns: ["...", "..."]
      expect: {tools_called: [...], tools_not_called: [...], snapshot: {...}, unchanged: false,
               reply_contains: [...], reply_not_contains: [...]}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.tools import TOOLS
from world.personas import PERSONAS

ROOT = Path(__file__).resolve().parent
DEFAULT_CASES = ROOT / "cases"  # the visible suite
HELDOUT_CASES = ROOT / "heldout"  # written blind to the model; run only when named
CASE_SUFFIXES = (".yaml", ".yml")
SNAPSHOT_SECTIONS = (
    "tickets",
    "hotel_bookings",
    "car_rentals",
    "excursions",
    "compensations",
    "escalations",
)
# "D", "D+4", "d - 1": a date relative to the frozen demo clock (services.core.clock).
DEMO_DATE = re.compile(r"^\s*D\s*([+-]\s*\d+)?\s*$", re.IGNORECASE)


class CaseFormatError(ValueError):
    """One or more case files are invalid; str() lists every problem, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _check_tools(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise ValueError(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(TOOLS)}")
    return names


def _check_value(value: Any, where: str) -> None:
    """Expected values are scalars, lists of scalars, or (nested) items; no other YAML."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: field names must be text, got {key!r}")
            _check_value(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _check_value(inner, f"{where}[{index}]")
    elif not isinstance(value, str | int | float | bool | date) and value is not None:
        raise ValueError(f"{where}: unsupported value {value!r}")


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tools_called: list[str] = Field(default_factory=list)
    tools_not_called: list[str] = Field(default_factory=list)
    # section -> items; each item must match at least one actual item (see evals/checks.py)
    snapshot: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    # true: no domain table changed; false: some did; absent: not checked
    unchanged: bool | None = None
    reply_contains: list[str] = Field(default_factory=list)
    reply_not_contains: list[str] = Field(default_factory=list)

    @field_validator("tools_called", "tools_not_called")
    @classmethod
    def _tools(cls, value: list[str]) -> list[str]:
        return _check_tools(value)

    @field_validator("snapshot")
    @classmethod
    def _sections(cls, value: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        unknown = [s for s in value if s not in SNAPSHOT_SECTIONS]
        if unknown:
            raise ValueError(
                f"unknown snapshot section(s) {', '.join(unknown)}; "
                f"known: {', '.join(SNAPSHOT_SECTIONS)}"
            )
        for section, items in value.items():
            for index, item in enumerate(items):
                if not item:
                    raise ValueError(f"{section}[{index}] names no field")
                _check_value(item, f"{section}[{index}]")
        return value

    @field_validator("reply_contains", "reply_not_contains")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if any(not text.strip() for text in value):
            raise ValueError("an empty text matches every reply")
        return value


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    persona: str
    tags: list[str] = Field(default_factory=list)
    approvals: Literal["approve", "deny"] = "approve"
    turns: list[str] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)

    @field_validator("persona")
    @classmethod
    def _persona(cls, value: str) -> str:
        if value not in PERSONAS:
            raise ValueError(f"unknown persona {value!r}; known: {', '.join(PERSONAS)}")
        return value

    @field_validator("turns")
    @classmethod
    def _turns(cls, value: list[str]) -> list[str]:
        if any(not turn.strip() for turn in value):
            raise ValueError("a turn is empty")
        return value


class LoadedCase(BaseModel):
    """A case with where it came from (for messages and reports)."""

    case: Case
    file: str  # as given or relative to the working directory
    index: int  # position in the file, from 1


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders searched recursively for *.yaml / *.yml, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise CaseFormatError([f"{path}: no such file or folder"])
    return list(dict.fromkeys(found))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _describe(err: ValidationError) -> list[str]:
    lines = []
    for problem in err.errors():
        where = ".".join(str(p) for p in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{where}: {message}" if where else message)
    return lines


def parse_file(path: Path) -> tuple[list[LoadedCase], list[str]]:
    """The valid cases of one file and the problems with the others."""
    name = _display(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return [], [f"{name}: not valid YAML{at}: {getattr(err, 'problem', None) or err}"]
    except (OSError, UnicodeDecodeError) as err:
        return [], [f"{name}: cannot read: {err}"]
    if data is None:
        return [], []  # an empty file holds no cases
    if not isinstance(data, list):
        return [], [f"{name}: expected a list of cases, got {type(data).__name__}"]
    cases, problems = [], []
    for index, raw in enumerate(data, start=1):
        label = f"case {index}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            label += f" ({raw['id']})"
        if not isinstance(raw, dict):
            problems.append(f"{name}: {label}: expected a mapping, got {type(raw).__name__}")
            continue
        try:
            cases.append(LoadedCase(case=Case.model_validate(raw), file=name, index=index))
        except ValidationError as err:
            problems += [f"{name}: {label}: {line}" for line in _describe(err)]
    return cases, problems


def load_cases(
    paths: Iterable[str | Path] | None = None, *, keyword: str | None = None
) -> list[LoadedCase]:
    """Every case of the files and folders given (default: evals/cases/), ids unique across
    them; `keyword` keeps the cases whose id contains it (case-insensitive). Raises
    CaseFormatError listing every problem in every file."""
    if paths is None:
        paths = [DEFAULT_CASES]
    elif isinstance(paths, str | Path):
        paths = [paths]  # one path, not its characters
    files = case_files(paths)
    loaded: list[LoadedCase] = []
    problems: list[str] = []
    for path in files:
        cases, file_problems = parse_file(path)
        loaded += cases
        problems += file_problems
    first_seen: dict[str, LoadedCase] = {}
    for item in loaded:
        other = first_seen.setdefault(item.case.id, item)
        if other is not item:
            problems.append(
                f"{item.file}: case {item.index} ({item.case.id}): duplicate id, already used by "
                f"case {other.index} of {other.file}"
            )
    if problems:
        raise CaseFormatError(problems)
    if keyword:
        loaded = [c for c in loaded if keyword.lower() in c.case.id.lower()]
    return loaded
