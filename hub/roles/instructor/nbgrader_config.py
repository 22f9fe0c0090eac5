"""nbgrader settings of an instructor's server: the course folder and its grading configuration.

The course folder is a checkout of the course repository in the instructor's home (``~/course``
unless the hub sets ``NN_COURSE_ROOT``). Its own ``nbgrader_config.py`` says where the sources,
the release and the gradebook are and grades in the sandbox; formgrader and the command line
both read it through this file, whatever folder they start in.
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

course_root = os.path.expanduser(os.environ.get("NN_COURSE_ROOT", "~/course"))
course_config = os.path.join(course_root, "nbgrader_config.py")
if os.path.exists(course_config):
    load_subconfig(course_config)  # noqa: F821 -- provided by traitlets
else:
    # Formgrader would otherwise take the home folder for the course without a word.
    c.CourseDirectory.root = course_root
