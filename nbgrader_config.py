"""nbgrader's configuration for this course.

``solutions/`` is the instructor's source (answers and hidden tests); nbgrader turns it into the
students' ``exercises/``. Every path is computed from this file's own folder, so a copy of the
course (for example a throw-away grading folder) works wherever it is placed.

Generate the exercises with ``python tools/generate_exercises.py`` and grade a folder of
submissions with ``python tools/grade.py ASSIGNMENT``; both read this file.
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# The gradebook holds the hidden tests: it is git-ignored and never handed to students.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")

# Seconds one cell may run before it is interrupted (an endless loop must not stall grading).
c.ExecutePreprocessor.timeout = 60
