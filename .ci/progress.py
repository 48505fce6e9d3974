"""Who is stuck: run every student's notebook and tabulate the verdicts of its exercise checks.

    python .ci/progress.py SUBMISSIONS [--out build/progress] [--time-limit 300]

SUBMISSIONS holds one folder per student (``alice/01_parameter_access.ipynb``, the layout of
nbgrader's ``submitted/<student>/<assignment>/``: any depth below the student's folder), or
notebooks directly (``alice.ipynb``: the file name is the student); a first folder named after a
translation (``zh-CN/alice/...``, ``zh-CN/alice.ipynb``) only sorts by language. A student's copy
of a Chinese notebook (build/student/zh-CN/) counts like the English one: it has the same file
name and loads the same chapter's exercises, whose checks record the same statuses (only the
words the student reads are Chinese). Each notebook runs headless
in a fresh kernel, in a temporary folder, within --time-limit seconds in all. Every
``ex.qN.check()`` appends its verdict to the file named by PARAMETER_LAB_RESULTS (see
helpers.exercises); the last verdict of each question counts. A notebook that is not valid
JSON, raises, or never ends becomes a row with that reason, never a crash.

Writes OUT/progress.csv (one row per student, one column per question) and OUT/index.html (the
same table, plus how many students are stuck on each question: their last check was wrong).
Student code runs with the rights of whoever runs this: use an account or container that
holds nothing else of value.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".ci"))

import course  # noqa: E402

from helpers import exercises  # noqa: E402  (after the path is set, when run from a clean clone)

CORRECT, WRONG, NOT_ATTEMPTED, SEEN, NOT_SUBMITTED = "correct", "wrong", "not attempted", "seen", "not submitted"
# the engine's statuses -> the report's words (a thought question has no verdict: it was seen)
STATUS = {exercises.CORRECT: CORRECT, exercises.INCORRECT: WRONG,
          exercises.NOT_ATTEMPTED: NOT_ATTEMPTED, exercises.THOUGHT: SEEN}
LOAD_CALL = re.compile(r"""helpers\.exercises\.load\(\s*["'](\d+_\w+)["']""")
TIME_LIMIT = 300


@dataclass
class Submission:
    """What one student's notebooks produced: the last status per question, and notes."""

    student: str
    statuses: dict[tuple[str, str], str] = field(default_factory=dict)   # (chapter, "q1") -> status
    chapters: set[str] = field(default_factory=set)                      # the chapters handed in
    notes: list[str] = field(default_factory=list)


def chapter_of(nb, path: Path) -> str | None:
    """The chapter whose exercises a notebook loads (else its file name, if that is a chapter):
    the same for a chapter's notebook in any language, since their code is the same."""
    for cell in nb.cells:
        found = LOAD_CALL.search(cell.source) if cell.cell_type == "code" else None
        if found:
            return found.group(1)
    return path.stem if re.fullmatch(r"\d+_\w+", path.stem) else None


def questions_of(chapter: str) -> list[str]:
    return [f"q{number}" for number, _ in enumerate(exercises.load(chapter), start=1)]


def last_statuses(results: Path) -> dict[tuple[str, str], str]:
    """The last recorded status of each question in a results file (lines of JSON)."""
    statuses = {}
    for line in results.read_text(encoding="utf-8").splitlines() if results.exists() else []:
        try:
            record = json.loads(line)
            statuses[(record["chapter"], record["question"])] = STATUS[record["status"]]
        except (ValueError, KeyError, TypeError):
            continue   # a line cut short when the kernel was stopped mid-write
    return statuses


def _first_error(nb) -> str | None:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                return f"raised {output.get('ename', 'an error')} in cell {index + 1}"
    return None


def run_notebook(path: Path, time_limit: float) -> tuple[str | None, dict[tuple[str, str], str], str | None]:
    """Execute one notebook; return its chapter, the last status per question, and a note."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:   # not JSON, not a notebook, unreadable: the row says which
        chapter = path.stem if re.fullmatch(r"\d+_\w+", path.stem) else None
        return chapter, {}, f"{path.name} is not a readable notebook ({type(error).__name__})"
    chapter = chapter_of(nb, path)
    if chapter is None:
        return None, {}, f"{path.name} loads no exercises"
    deadline = time.monotonic() + time_limit
    with tempfile.TemporaryDirectory(prefix="progress-") as workdir:
        results = Path(workdir) / "results.jsonl"
        client = NotebookClient(nb, kernel_name="python3", allow_errors=True, record_timing=False,
                                timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
                                resources={"metadata": {"path": workdir}})
        note = None
        try:
            client.execute(env={**os.environ, "PARAMETER_LAB_RESULTS": str(results)})
            note = _first_error(nb)
        except CellTimeoutError:
            note = f"did not finish within {time_limit:g} s (stopped)"
        except DeadKernelError:
            note = "its kernel died (out of memory?)"
        except Exception as error:   # the kernel could not start or the notebook is malformed
            note = f"could not run ({type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''})"
        statuses = last_statuses(results)
    return chapter, statuses, f"{path.name}: {note}" if note else None


TRANSLATIONS = set(course.LANGUAGES) - {"en"}


def find_submissions(folder: Path) -> dict[str, list[Path]]:
    """Student -> their notebooks: a folder per student, or a notebook per student, either
    possibly inside a folder named after a translation (``zh-CN/``)."""
    students: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if ".ipynb_checkpoints" in relative.parts:
            continue
        parts = relative.parts[1:] if len(relative.parts) > 1 and relative.parts[0] in TRANSLATIONS else relative.parts
        student = parts[0] if len(parts) > 1 else path.stem
        students.setdefault(student, []).append(path)
    return students


def collect(folder: Path, time_limit: float = TIME_LIMIT, log=print) -> tuple[list[Submission], list[tuple[str, str]]]:
    """Run every submission; return one Submission per student and the question columns."""
    submissions, chapters = [], set()
    for student, paths in find_submissions(folder).items():
        submission = Submission(student)
        for path in paths:
            log(f"running {path.relative_to(folder)}")
            chapter, statuses, note = run_notebook(path, time_limit)
            if chapter:
                chapters.add(chapter)
                submission.chapters.add(chapter)
            submission.statuses.update(statuses)
            if note:
                submission.notes.append(note)
        submissions.append(submission)
    columns = []
    for chapter in sorted(chapters):
        try:
            columns += [(chapter, question) for question in questions_of(chapter)]
        except ModuleNotFoundError:
            continue    # a chapter this course has no spec file for: its notebooks' notes say so
    return submissions, columns


def cell_status(submission: Submission, column: tuple[str, str]) -> str:
    if column in submission.statuses:
        return submission.statuses[column]
    return NOT_ATTEMPTED if column[0] in submission.chapters else NOT_SUBMITTED


def summary(submissions: list[Submission], columns) -> dict[tuple[str, str], dict[str, int]]:
    """Per question: how many students are correct, stuck (last check wrong), not there yet."""
    counts = {}
    for column in columns:
        statuses = [cell_status(s, column) for s in submissions]
        counts[column] = {"correct": statuses.count(CORRECT), "stuck": statuses.count(WRONG),
                          "not attempted": statuses.count(NOT_ATTEMPTED) + statuses.count(NOT_SUBMITTED),
                          "seen": statuses.count(SEEN)}
    return counts


def _header(column) -> str:
    return f"{column[0]} {column[1]}"


def write_csv(path: Path, submissions, columns) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["student", *map(_header, columns), "notes"])
        for submission in submissions:
            writer.writerow([submission.student, *(cell_status(submission, c) for c in columns),
                             "; ".join(submission.notes)])


PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1f2328; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { padding: .3rem .6rem; border: 1px solid #d0d7de; text-align: center; }
td.student, td.notes { text-align: left; }
.correct { background: #dafbe1; } .wrong { background: #ffebe9; } .seen { background: #ddf4ff; }
.not-attempted, .not-submitted { color: #656d76; }
"""


def write_html(path: Path, submissions, columns) -> None:
    def row(submission):
        cells = "".join(f'<td class="{cell_status(submission, c).replace(" ", "-")}">'
                        f"{html.escape(cell_status(submission, c))}</td>" for c in columns)
        notes = html.escape("; ".join(submission.notes))
        return f'<tr><td class="student">{html.escape(submission.student)}</td>{cells}<td class="notes">{notes}</td></tr>'

    head = "".join(f"<th>{html.escape(_header(c))}</th>" for c in columns)
    counts = summary(submissions, columns)
    summary_rows = "".join(
        f"<tr><td class=\"student\">{label}</td>"
        + "".join(f"<td>{counts[c][key]}</td>" for c in columns) + "<td></td></tr>"
        for key, label in (("correct", "correct"), ("stuck", "stuck: last check wrong"),
                           ("not attempted", "not attempted or not submitted")))
    path.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Parameter Lab: class progress</title>
<style>{PAGE_CSS}</style></head><body>
<h1>Class progress</h1>
<p>{len(submissions)} students. Each cell is the last verdict of that exercise's check when the
student's notebook ran here; a thought question is "seen" once its cell ran.</p>
<table><thead><tr><th>student</th>{head}<th>notes</th></tr></thead>
<tbody>{"".join(row(s) for s in submissions)}</tbody></table>
<h2>Per question</h2>
<table><thead><tr><th></th>{head}<th></th></tr></thead><tbody>{summary_rows}</tbody></table>
</body></html>
""", encoding="utf-8")


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path, help="folder of the students' notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "progress",
                        help="where progress.csv and index.html go (default: build/progress)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                        help=f"seconds one notebook may run (default: {TIME_LIMIT})")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        raise SystemExit(f"no such folder: {args.submissions} (make progress SUBMISSIONS=folder)")
    submissions, columns = collect(args.submissions.resolve(), args.time_limit)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "progress.csv", submissions, columns)
    write_html(args.out / "index.html", submissions, columns)
    print(f"wrote {args.out / 'progress.csv'} and {args.out / 'index.html'}: {len(submissions)} students")
    return args.out


if __name__ == "__main__":
    main()
