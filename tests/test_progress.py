"""The class progress report (.ci/progress.py): real student notebooks, run in real kernels.

The submissions are chapter 1's student copy, answered with the spec's own solutions and
wrong answers, so the verdicts come from the exercise engine as a student would get them.
"""

import csv
import json
import re

import nbformat
import pytest

import progress
import teach
from helpers import exercises

CHAPTER = "01_parameter_access"
QUESTIONS = list(exercises.load(CHAPTER))
COLUMNS = [f"{CHAPTER} q{n}" for n in range(1, len(QUESTIONS) + 1)]


def student_copy():
    return teach.student_copy(nbformat.read(teach.NOTEBOOKS / f"{CHAPTER}.ipynb", as_version=4))


def answer(nb, number: int, source: str):
    """Put ``source`` in place of the ``...`` of question ``number``'s answer cell."""
    question = QUESTIONS[number - 1]
    cell = next(c for c in nb.cells if c.cell_type == "code"
                and re.search(rf"^{question.name} = \.\.\.", c.source, re.MULTILINE))
    cell.source = f"{source}\nex.q{number}.check({question.name})"
    return cell


def write(folder, student, nb):
    (folder / student).mkdir()
    nbformat.write(nb, folder / student / f"{CHAPTER}.ipynb")


def rows(out):
    with open(out / "progress.csv", newline="", encoding="utf-8") as file:
        return {row["student"]: row for row in csv.DictReader(file)}


def test_the_last_verdict_of_each_question_counts(tmp_path):
    results = tmp_path / "results.jsonl"
    lines = [{"chapter": CHAPTER, "question": "q1", "status": "incorrect"},
             {"chapter": CHAPTER, "question": "q2", "status": "correct"},
             {"chapter": CHAPTER, "question": "q1", "status": "correct"},
             {"chapter": CHAPTER, "question": "q2", "status": "incorrect"}]
    results.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"chapter": "01_par')
    assert progress.last_statuses(results) == {(CHAPTER, "q1"): "correct", (CHAPTER, "q2"): "wrong"}


@pytest.mark.slow
def test_a_class_of_four_gives_four_right_rows(tmp_path):
    submissions, out = tmp_path / "submitted", tmp_path / "report"
    submissions.mkdir()
    alice = student_copy()
    for number, question in enumerate(QUESTIONS, start=1):
        if question.kind != "thought":
            answer(alice, number, question.solution_code)
    write(submissions, "alice", alice)
    bob = student_copy()                                 # half done: one right, one wrong
    answer(bob, 1, QUESTIONS[0].solution_code)
    answer(bob, 2, QUESTIONS[1].wrong[0])
    write(submissions, "bob", bob)
    (submissions / "carol").mkdir()                      # a file cut off while uploading
    (submissions / "carol" / f"{CHAPTER}.ipynb").write_text('{"cells": [', encoding="utf-8")
    dave = student_copy()                                # one answer, then a loop that never ends
    loop = answer(dave, 1, QUESTIONS[0].solution_code)
    dave.cells.insert(dave.cells.index(loop) + 1, nbformat.v4.new_code_cell("while True:\n    pass"))
    write(submissions, "dave", dave)

    progress.main([str(submissions), "--out", str(out), "--time-limit", "150"])
    table = rows(out)
    assert sorted(table) == ["alice", "bob", "carol", "dave"]
    kinds = [q.kind for q in QUESTIONS]
    seen = {n for n, kind in enumerate(kinds) if kind == "thought"}
    assert [table["alice"][c] for c in COLUMNS] == ["seen" if n in seen else "correct" for n in range(len(kinds))]
    assert table["alice"]["notes"] == ""
    assert [table["bob"][c] for c in COLUMNS[:3]] == ["correct", "wrong", "not attempted"]
    assert all(table["carol"][c] == "not attempted" for c in COLUMNS)
    assert "not a readable notebook" in table["carol"]["notes"]
    assert table["dave"][COLUMNS[0]] == "correct"
    assert all(table["dave"][c] == "not attempted" for c in COLUMNS[1:])
    assert "did not finish within 150 s" in table["dave"]["notes"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("<tr><td class=\"student\">") == 4 + 3       # four students, three summary rows
    counts = progress.summary(*progress_inputs(table))
    assert counts[(CHAPTER, "q1")] == {"correct": 3, "stuck": 0, "not attempted": 1, "seen": 0}
    assert counts[(CHAPTER, "q2")]["stuck"] == 1


def progress_inputs(table):
    """The CSV read back as Submissions, to recount the summary from what was written."""
    columns = [(CHAPTER, c.split()[-1]) for c in COLUMNS]
    submissions = []
    for student, row in table.items():
        submission = progress.Submission(student, chapters={CHAPTER})
        submission.statuses = {column: row[f"{column[0]} {column[1]}"] for column in columns}
        submissions.append(submission)
    return submissions, columns


@pytest.mark.slow
def test_a_notebook_that_raises_still_reports_its_checks(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f'import helpers\nimport torch\nfrom torch import nn\n'
                                  f'ex = helpers.exercises.load("{CHAPTER}", solutions=False)'),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell(f"{QUESTIONS[0].solution_code}\nex.q1.check({QUESTIONS[0].name})"),
    ])
    nbformat.write(nb, tmp_path / "erin.ipynb")        # a notebook per student, no folder
    chapter, statuses, note = progress.run_notebook(tmp_path / "erin.ipynb", 120)
    assert chapter == CHAPTER and statuses == {(CHAPTER, "q1"): "correct"}
    assert note == "erin.ipynb: raised ZeroDivisionError in cell 2"
    assert progress.find_submissions(tmp_path) == {"erin": [tmp_path / "erin.ipynb"]}
