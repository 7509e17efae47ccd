"""Tests of tools/parity/common.py, the helpers every fixture script uses (no torch needed)."""

import json
import os

import pytest

import common

from conftest import ROOT


class FakeTensor:
    """Just what `common.floats` calls on a tensor: detach, flatten, tolist."""

    def __init__(self, rows):
        self.rows = rows
        self.detached = False

    def detach(self):
        self.detached = True
        return self

    def flatten(self):
        return FakeTensor([x for row in self.rows for x in row])

    def tolist(self):
        return list(self.rows)


@pytest.fixture
def fixtures_in(tmp_path, monkeypatch):
    """Points common at a temporary fixtures folder."""
    monkeypatch.setattr(common, "FIXTURES", str(tmp_path))
    return tmp_path


def test_fixture_path_is_under_tests_fixtures():
    assert common.fixture_path("x.json") == os.path.join(str(ROOT), "tests", "fixtures", "x.json")
    assert os.path.isdir(common.FIXTURES)


def test_floats_flattens_row_major_into_python_floats():
    t = FakeTensor([[1, 2], [3, 4.5]])
    values = common.floats(t)
    assert values == [1.0, 2.0, 3.0, 4.5]
    assert all(type(v) is float for v in values)
    assert t.detached


def test_outcome_of_a_success():
    assert common.outcome(lambda: [2, 3]) == {"accepted": True, "value": [2, 3]}


def test_outcome_of_a_failure_keeps_class_and_text_in_that_order():
    def fail():
        raise ValueError("lr must be >= 0, got -0.1")

    res = common.outcome(fail)
    assert res == {"accepted": False, "error": "ValueError", "message": "lr must be >= 0, got -0.1"}
    assert list(res) == ["accepted", "error", "message"]


def test_outcome_lets_what_is_not_an_exception_through():
    def stop():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        common.outcome(stop)


def test_outcome_as_names_the_value_or_drops_it():
    assert common.outcome_as(lambda: [1, 3], "output_shape") == {
        "accepted": True,
        "output_shape": [1, 3],
    }
    assert common.outcome_as(lambda: object(), None) == {"accepted": True}

    def fail():
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    for key in ("repr", None):
        assert common.outcome_as(fail, key) == {
            "accepted": False,
            "error": "RuntimeError",
            "message": "mat1 and mat2 shapes cannot be multiplied",
        }


def test_write_json_bytes(fixtures_in, capsys):
    doc = {"torch_version": "2.0", "b": [1.5, "é"], "a": {"x": None}}
    path = common.write_json("t.json", doc)
    assert path == str(fixtures_in / "t.json")
    expected = (
        '{\n "torch_version": "2.0",\n "b": [\n  1.5,\n  "é"\n ],\n'
        ' "a": {\n  "x": null\n }\n}\n'
    )
    assert (fixtures_in / "t.json").read_bytes() == expected.encode("utf-8")
    assert capsys.readouterr().out == f"wrote {os.path.relpath(path, common.ROOT)}\n"


def test_write_json_indent(fixtures_in):
    common.write_json("t.json", {"a": [1]}, indent=2)
    assert (fixtures_in / "t.json").read_bytes() == b'{\n  "a": [\n    1\n  ]\n}\n'


def test_write_json_floats_read_back_exactly(fixtures_in):
    values = [0.1, 1 / 3, 5e-324, -0.0, 1e16, 2.0**-20]
    common.write_json("t.json", {"v": values})
    back = json.loads((fixtures_in / "t.json").read_text())["v"]
    assert [v.hex() for v in back] == [v.hex() for v in values]


def test_write_text_writes_exactly_the_text(fixtures_in, capsys):
    text = '{"a":[1,2]}\n'
    path = common.write_text("t.json", text)
    assert (fixtures_in / "t.json").read_bytes() == text.encode()
    assert capsys.readouterr().out == f"wrote {os.path.relpath(path, common.ROOT)}\n"
