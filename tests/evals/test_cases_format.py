"""Case files: what loads, and that every mistake is an error naming the file and the case."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.cases_format import CaseFormatError, load_cases


def write(folder: Path, text: str, name: str = "cases.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def problems(*paths: Path) -> str:
    with pytest.raises(CaseFormatError) as caught:
        load_cases(paths)
    return str(caught.value)


GOOD = """
- id: anna-move-next-day
  persona: anna
  tags: [flights, change]
  approvals: approve
  turns: ["Hi, the customer wants to fly to London one day later.", "the first one is fine"]
  expect:
    tools_called: [change_flight]
    tools_not_called: [cancel_ticket]
    snapshot: {tickets: [{route: ZRH-LHR, status: active, departs_date: D+4}]}
    unchanged: false
    reply_contains: ["CHF 50"]
    reply_not_contains: []
- id: hugo-hello
  persona: hugo
  turns: ["hello"]
"""


def test_the_brief_example_loads_with_defaults(tmp_path: Path) -> None:
    first, second = load_cases([write(tmp_path, GOOD)])
    assert first.case.expect.snapshot == {
        "tickets": [{"route": "ZRH-LHR", "status": "active", "departs_date": "D+4"}]
    }
    assert (first.index, second.index) == (1, 2)
    assert first.file.endswith("cases.yaml")
    hugo = second.case
    assert (hugo.approvals, hugo.tags, hugo.expect.tools_called, hugo.expect.unchanged) == (
        "approve",
        [],
        [],
        None,
    )


def test_folders_are_searched_and_keyword_selects_ids(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "- {id: ben-x, persona: ben, turns: [hi]}\n", "b.yml")
    write(tmp_path, "not a case file", "notes.txt")
    assert [c.case.id for c in load_cases([tmp_path])] == [
        "anna-move-next-day",
        "hugo-hello",
        "ben-x",
    ]
    assert [c.case.id for c in load_cases([tmp_path], keyword="MOVE")] == ["anna-move-next-day"]


def test_unknown_key_names_file_case_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "- {id: a1, persona: anna, turns: [hi], expect: {tool_called: [x]}}\n")
    assert problems(path) == f"{path}: case 1 (a1): expect.tool_called: unknown key"


def test_missing_field_and_bad_persona(tmp_path: Path) -> None:
    path = write(tmp_path, "- {id: a1, persona: anna}\n- {id: a2, persona: zoe, turns: [hi]}\n")
    text = problems(path)
    assert f"{path}: case 1 (a1): turns: Field required" in text
    assert f"{path}: case 2 (a2): persona: unknown persona 'zoe'; known: anna, ben," in text


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, "- {id: same, persona: anna, turns: [hi]}\n", "a.yaml")
    second = write(tmp_path, "- {id: other, persona: ben, turns: [hi]}\n"
                             "- {id: same, persona: ben, turns: [hi]}\n", "b.yaml")  # fmt: skip
    assert problems(first, second) == (
        f"{second}: case 2 (same): duplicate id, already used by case 1 of {first}"
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("{id: a, persona: anna, turns: [hi], expect: {tools_called: [change_flights]}}",
         "expect.tools_called: unknown tool(s) change_flights; known: get_passenger_trips"),
        ("{id: a, persona: anna, turns: [hi], approvals: maybe}",
         "approvals: Input should be 'approve' or 'deny'"),
        ("{id: a, persona: anna, turns: []}", "turns: List should have at least 1 item"),
        ("{id: a, persona: anna, turns: ['  ']}", "turns: a turn is empty"),
        ("{id: a, persona: anna, turns: [hi], expect: {snapshot: {flights: [{route: x}]}}}",
         "expect.snapshot: unknown snapshot section(s) flights; known: tickets,"),
        ("{id: a, persona: anna, turns: [hi], expect: {snapshot: {tickets: [{}]}}}",
         "expect.snapshot: tickets[0] names no field"),
        ("{id: a, persona: anna, turns: [hi], expect: {reply_contains: ['']}}",
         "expect.reply_contains: an empty text matches every reply"),
        ("{id: a, persona: anna, turns: [hi], expect: {unchanged: perhaps}}",
         "expect.unchanged: Input should be a valid boolean"),
        ("{id: 'has space', persona: anna, turns: [hi]}", "id: String should match pattern"),
    ],
)  # fmt: skip
def test_invalid_fields_are_explained(tmp_path: Path, case: str, expected: str) -> None:
    path = write(tmp_path, f"- {case}\n")
    assert expected in problems(path)
    assert problems(path).startswith(f"{path}: case 1")


def test_yaml_errors_and_wrong_shapes(tmp_path: Path) -> None:
    broken = write(tmp_path, "- id: a\n  turns: [hi\n", "broken.yaml")
    assert problems(broken).startswith(f"{broken}: not valid YAML (line ")
    mapping = write(tmp_path, "id: a\npersona: anna\n", "mapping.yaml")
    assert problems(mapping) == f"{mapping}: expected a list of cases, got dict"
    scalar = write(tmp_path, "- just text\n", "scalar.yaml")
    assert problems(scalar) == f"{scalar}: case 1: expected a mapping, got str"
    assert (
        problems(tmp_path / "missing.yaml")
        == f"{tmp_path / 'missing.yaml'}: no such file or folder"
    )


def test_every_problem_of_every_file_is_listed(tmp_path: Path) -> None:
    one = write(tmp_path, "- {id: a, persona: zoe, turns: [hi]}\n", "one.yaml")
    two = write(tmp_path, "- {id: b, persona: anna, turns: [hi], extra: 1}\n", "two.yaml")
    with pytest.raises(CaseFormatError) as caught:
        load_cases([one, two])
    assert len(caught.value.problems) == 2
