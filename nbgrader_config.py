"""nbgrader's configuration for this course.

``solutions/`` is the instructor's source (answers and hidden tests); nbgrader turns it into the
students' ``exercises/``. Every path is computed from this file's own folder.

Grading runs each submission in a bubblewrap sandbox and decides every test in the grader's own
process (see the ``grading`` package). The preprocessors below make ``nbgrader autograde`` and
formgrader's Autograde button grade that way too; ``python -m grading ASSIGNMENT`` grades a whole
class with them and also writes a CSV with each notebook's status and flags.
"""

import os

from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from grading.preprocessors import (
    ClearOutput,
    DeduplicateIds,
    FlagConstructs,
    JudgeVerdicts,
    RecordStatus,
    SandboxedExecute,
    StripVerdicts,
)

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# The gradebook holds the hidden tests and their verdicts: git-ignored, never handed to students.
# Parallel grading jobs take turns writing it: each waits up to 60 s for another's write.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db") + "?timeout=60"

# Seconds one cell may run before it is interrupted: when students validate, and when grading.
c.ExecutePreprocessor.timeout = 60
c.SandboxedExecute.timeout = 60

# A test cell a student deleted is put back, and graded.
c.OverwriteCells.add_missing_cells = True

c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    OverwriteCells,
    CheckCellMetadata,
    FlagConstructs,
    StripVerdicts,
]
c.Autograde.autograde_preprocessors = [
    SandboxedExecute,
    LimitOutput,
    JudgeVerdicts,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
    RecordStatus,
]
