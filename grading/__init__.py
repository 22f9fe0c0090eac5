"""Grading the course's exercises: nbgrader's autograder, a bubblewrap sandbox, verdicts kept outside.

The parts, each in its own module:

``probe``
    Runs inside the student's kernel: ``report(name, value)`` turns what a hidden test computed
    from the student's code into plain data (numbers, lists, strings) in the cell's output.
``verdicts``
    Splits an instructor's test cell into the part the kernel runs and the verdict, which only
    the grader runs, on the reported data.
``sandbox``
    Runs one notebook in a bubblewrap sandbox: no network, no view of the course, the gradebook
    or other submissions, capped memory, processes, file sizes and time, and nothing left running.
``preprocessors``
    nbgrader preprocessors, one transform per class, composed in ``nbgrader_config.py`` so that
    ``nbgrader autograde`` and formgrader's Autograde button grade the same way.
``flags``
    A static look at the student's own cells: hints for a person, never a defence.
``classroom``
    Grades every submission of an assignment and writes one CSV row per notebook
    (``python -m grading ASSIGNMENT``).
``generate``
    Makes the students' ``exercises/`` from ``solutions/`` with nbgrader, or checks they agree
    (``python -m grading.generate [--check]``).

This module imports nothing, so the kernel can import ``grading.probe`` in the sandbox cheaply.
"""
