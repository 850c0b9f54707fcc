"""Paths of the real data files the tests read (kept in the repository so a clone runs alone).

``tests/fixtures/cnab/``: bank return files as banks deliver them, from the open-source library
brcobranca (MIT licence, ``LICENSE-brcobranca``), with their expected values in ``README.md`` —
copied from the project's shared fixtures.
"""

from pathlib import Path

CNAB_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cnab"
