"""The class progress report (.ci/progress.py): real student notebooks, run in real kernels.

The submissions are chapter 1's student copy, answered with the spec's own solutions and
wrong answers, so the verdicts come from the exercise engine as a student would get them; in
English and in Chinese (a copy of notebooks/zh-CN/, which `make student` writes to
build/student/zh-CN/ under the same file name).
"""

import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

import course
import progress
import teach
from helpers import exercises

CHAPTER = "01_parameter_access"
QUESTIONS = list(exercises.load(CHAPTER))
COLUMNS = [f"{CHAPTER} q{n}" for n in range(1, len(QUESTIONS) + 1)]


def student_copy(language: str = "en"):
    path = teach.NOTEBOOKS / course.language_folder(language) / f"{CHAPTER}.ipynb"
    return teach.student_copy(nbformat.read(path, as_version=4), language)


def answer(nb, number: int, source: str):
    """Put ``source`` in place of the ``...`` of question ``number``'s answer cell."""
    question = QUESTIONS[number - 1]
    cell = next(c for c in nb.cells if c.cell_type == "code"
                and re.search(rf"^{question.name} = \.\.\.", c.source, re.MULTILINE))
    cell.source = f"{source}\nex.q{number}.check({question.name})"
    return cell


def write(folder, student, nb):
    (folder / student).mkdir(parents=True)
    nbformat.write(nb, folder / student / f"{CHAPTER}.ipynb")


def solve_all(nb):
    for number, question in enumerate(QUESTIONS, start=1):
        if question.kind != "thought":
            answer(nb, number, question.solution_code)
    return nb


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
    alice = solve_all(student_copy())
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

    progress.main([str(submissions), "--out", str(out), "--time-limit", "60"])
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
    assert "did not finish within 60 s" in table["dave"]["notes"]
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


def test_a_notebook_of_a_chapter_the_course_does_not_have_is_listed_not_fatal(tmp_path):
    (tmp_path / "erin").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('my notes')")]),
                   tmp_path / "erin" / "07_my_notes.ipynb")
    write(tmp_path, "finn", solve_all(student_copy()))
    submissions, columns = progress.collect(tmp_path, log=lambda line: None)
    assert sorted(s.student for s in submissions) == ["erin", "finn"]
    assert columns == [(CHAPTER, f"q{n}") for n in range(1, len(QUESTIONS) + 1)]


# ---------------------------------------------------------------------------- in Chinese

def test_a_chinese_copy_is_the_same_chapter_with_the_same_answer_cells():
    """What the report goes by is the same in both languages: the chapter the notebook loads,
    and a `name = ...` cell per question with its `ex.qN.check(name)`."""
    english, chinese = student_copy(), student_copy("zh-CN")
    assert progress.chapter_of(chinese, Path(f"{CHAPTER}.ipynb")) == CHAPTER
    assert progress.chapter_of(chinese, Path("homework.ipynb")) == progress.chapter_of(english, Path("x.ipynb"))
    setup = next(c.source for c in chinese.cells if "setup" in c.metadata.get("tags", []))
    assert 'helpers.setup(language="zh-CN")' in setup, "the copy speaks Chinese to the student"

    def checks(nb):
        return [line for c in nb.cells if c.cell_type == "code"
                for line in c.source.splitlines() if re.match(r"\w+ = \.\.\.$|ex\.q\d+\.check\(", line)]

    assert checks(chinese) == checks(english) and checks(chinese)


def test_submissions_sorted_into_a_language_folder_keep_their_students(tmp_path):
    paths = ["alice/01_parameter_access.ipynb", "zh-CN/李雷/01_parameter_access.ipynb",
             "zh-CN/王芳.ipynb", "bob/zh-CN/01_parameter_access.ipynb", "韩梅梅.ipynb"]
    for name in paths:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    found = progress.find_submissions(tmp_path)
    assert sorted(found) == sorted(["alice", "李雷", "王芳", "bob", "韩梅梅"])
    assert found["李雷"] == [tmp_path / "zh-CN" / "李雷" / f"{CHAPTER}.ipynb"]
    assert found["bob"] == [tmp_path / "bob" / "zh-CN" / f"{CHAPTER}.ipynb"]


@pytest.mark.slow
def test_chinese_submissions_count_like_english_ones(tmp_path):
    """A class in both languages: a Chinese copy solved in full gives the row an English one
    does, and partial or untouched Chinese copies give the same words as English ones would."""
    submissions, out = tmp_path / "submitted", tmp_path / "report"
    submissions.mkdir()
    write(submissions, "alice", solve_all(student_copy()))
    write(submissions, "李雷", solve_all(student_copy("zh-CN")))       # a folder per student
    wang = student_copy("zh-CN")                                      # a notebook per student
    answer(wang, 1, QUESTIONS[0].solution_code)
    answer(wang, 2, QUESTIONS[1].wrong[0])
    nbformat.write(wang, submissions / "王芳.ipynb")
    write(submissions / "zh-CN", "meimei", student_copy("zh-CN"))     # handed in unchanged

    progress.main([str(submissions), "--out", str(out), "--time-limit", "120"])
    table = rows(out)
    assert sorted(table) == sorted(["alice", "李雷", "王芳", "meimei"])
    assert {c: table["李雷"][c] for c in COLUMNS} == {c: table["alice"][c] for c in COLUMNS}
    assert table["李雷"]["notes"] == table["alice"]["notes"] == ""
    thought = [c for c, q in zip(COLUMNS, QUESTIONS) if q.kind == "thought"]
    assert all(table["李雷"][c] == ("seen" if c in thought else "correct") for c in COLUMNS)
    assert [table["王芳"][c] for c in COLUMNS[:3]] == ["correct", "wrong", "not attempted"]
    assert all(table["meimei"][c] == ("seen" if c in thought else "not attempted") for c in COLUMNS)
    counts = progress.summary(*progress_inputs(table))
    assert counts[(CHAPTER, "q1")] == {"correct": 3, "stuck": 0, "not attempted": 1, "seen": 0}
    assert counts[(CHAPTER, "q2")]["stuck"] == 1
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "李雷" in page and "王芳" in page
