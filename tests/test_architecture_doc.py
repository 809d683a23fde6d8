"""docs/architecture.md stays true to the code: every file and folder it names exists, and it
answers a newcomer's three questions with paths."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
#: where a path in the note may be relative to
BASES = [ROOT, ROOT / "docs", ROOT / "dynadmin", ROOT / "templates" / "dynadmin",
         ROOT / "static" / "dynadmin", ROOT / "dynadmin" / "services", ROOT / "dynadmin" / "data",
         ROOT / "dynadmin" / "definitions", ROOT / "examples" / "project"]


def _named_paths(text: str) -> set[str]:
    paths = set()
    for token in re.findall(r"`([^`\s]+)`", text):
        token = token.split("(")[0]
        if re.fullmatch(r"[\w./-]+(\.py|\.html|\.md|\.js|\.css|/)", token):
            paths.add(token)
    return paths


#: named in the note, but not files of this repository: the wheel's layout, a host's template
ELSEWHERE = {"dynadmin/static/", "dynadmin/templates/", "registration/login.html"}


def _exists(path: str) -> bool:
    if any((base / path).exists() for base in BASES):
        return True
    if "/" not in path.rstrip("/"):
        # a bare file name, read in its section's folder: it must exist somewhere
        name = path.rstrip("/")
        return any(any((ROOT / top).rglob(name))
                   for top in ("dynadmin", "templates", "static", "tests", "examples", "bench"))
    return False


def test_every_path_the_architecture_note_names_exists():
    text = DOC.read_text()
    missing = sorted(path for path in _named_paths(text)
                     if not path.startswith("/") and path not in ELSEWHERE and not _exists(path))
    assert missing == []


def test_the_note_answers_a_newcomers_questions_with_paths():
    text = DOC.read_text()
    for question, paths in {
        "Where is the conditional write built?": ["editing/guards.py", "editing/writes.py",
                                                  "dynadmin/data/writes.py"],
        "Where does the partition page get its rows?": ["services/partitions/query.py",
                                                        "services/partitions/pages.py"],
        "How does a lookup resolve an email?": ["services/lookups/global_box.py",
                                               "services/lookups/plans.py"],
    }.items():
        assert question in text
        answer = text.split(question, 1)[1].split("\n- ", 1)[0]
        for path in paths:
            assert path in answer, (question, path)
            assert any((base / path).exists() for base in BASES), path


def test_code_and_docs_cite_no_issue_numbers():
    """Comments and docs say what and why; which issue asked for it is the history's job."""
    cited = []
    for top in ("dynadmin", "templates", "static", "bench", "docs", "examples", "tests"):
        for path in (ROOT / top).rglob("*"):
            # not what others wrote: the benchmark's peer and data (npm packages, ignored)
            if any(part.startswith(".") for part in path.relative_to(ROOT).parts):
                continue
            if path.suffix in {".py", ".html", ".css", ".js", ".md", ".txt"} and path.is_file():
                for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    if re.search(r"\b[Ii]ssue (#?\d+)", line):
                        cited.append(f"{path.relative_to(ROOT)}:{number}")
    assert cited == []
