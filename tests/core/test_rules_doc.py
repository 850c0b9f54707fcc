"""docs/rules.md states every requirement id in words and says where the code enforces it: each
path it names exists and each name given in parentheses after a path occurs in that file (or, for
a folder, in one of its files), so the page cannot silently go stale when code moves."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "rules.md"
#: A backticked path, optionally followed by `(`name`, `name` ...)`.
PLACE = re.compile(r"`((?:enlace|deploy|tests)/[^`]*)`(?: \(([^)]*)\))?")
IDENTIFIER = re.compile(r"`([A-Za-z_][A-Za-z0-9_.]*)`")


def _text(path: Path) -> str:
    if path.is_dir():
        return "\n".join(
            p.read_text(encoding="utf-8") for p in sorted(path.rglob("*")) if p.suffix in {".py", ".html"}
        )
    return path.read_text(encoding="utf-8")


def _places():
    for number, line in enumerate(RULES.read_text(encoding="utf-8").splitlines(), 1):
        for match in PLACE.finditer(line):
            names = IDENTIFIER.findall(match.group(2) or "")
            yield number, match.group(1), names


def test_rules_doc_names_existing_places():
    missing = []
    for number, path, names in _places():
        target = ROOT / path
        if not target.exists():
            missing.append(f"line {number}: {path} does not exist")
            continue
        text = _text(target)
        for name in names:
            for part in name.split("."):
                if not re.search(rf"\b{re.escape(part)}\b", text):
                    missing.append(f"line {number}: {part} not found in {path}")
    assert not missing, "\n".join(missing)


def test_every_rule_has_a_line():
    text = RULES.read_text(encoding="utf-8")
    ids = re.findall(r"^- \*\*([A-Z]{1,2}-\d+|§\d+)\*\* — .+ — .+$", text, flags=re.MULTILINE)
    expected = (
        [f"G-{n}" for n in range(1, 8)]
        + [f"C-{n}" for n in range(1, 7)]
        + [f"A-{n}" for n in range(1, 5)]
        + [f"K-{n}" for n in range(1, 7)]
        + [f"O-{n}" for n in range(1, 4)]
        + [f"CT-{n}" for n in range(1, 7)]
        + [f"H-{n}" for n in range(1, 4)]
        + [f"L-{n}" for n in range(1, 13)]
        + [f"F-{n}" for n in range(1, 10)]
        + [f"T-{n}" for n in range(1, 12)]
        + ["S-1", "S-2", "V-1", "V-2", "V-3", "AR-1", "P-1", "P-2", "P-3", "P-4", "§14"]
    )
    assert sorted(ids) == sorted(expected)
