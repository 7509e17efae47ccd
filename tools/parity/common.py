"""What every fixture script shares: where fixtures live, how a tensor's values and an
exception are recorded, and how a fixture file is written.

Only the standard library is imported here, so that the helpers can be tested without torch
(`tools/tests`).
"""

import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def fixture_path(name):
    """The path of `tests/fixtures/<name>`."""
    return os.path.join(FIXTURES, name)


def floats(t):
    """A tensor's values, flattened in row-major order, as Python floats."""
    return [float(x) for x in t.detach().flatten().tolist()]


def outcome(fn):
    """Calls `fn()` and records PyTorch's answer: `{"accepted": True, "value": result}` or the
    exception's class name and text."""
    try:
        value = fn()
    except Exception as e:  # the point is to record whatever PyTorch raises
        return {"accepted": False, "error": type(e).__name__, "message": str(e)}
    return {"accepted": True, "value": value}


def write_json(name, doc, indent=1):
    """Writes `doc` to `tests/fixtures/<name>` (UTF-8, keys in insertion order, a final
    newline) and says so."""
    path = fixture_path(name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=indent, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)}")
    return path


def outcome_as(fn, key):
    """`outcome(fn)` with the result stored under `key` instead of `"value"`, or left out when
    `key` is None: `{"accepted": True, key: result}` or the exception's class name and text."""
    res = outcome(fn)
    if res["accepted"]:
        value = res.pop("value")
        if key is not None:
            res[key] = value
    return res


def write_text(name, text):
    """Writes `text` as it is to `tests/fixtures/<name>` (UTF-8; for a script that lays out its
    JSON itself) and says so."""
    path = fixture_path(name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(path, ROOT)}")
    return path
