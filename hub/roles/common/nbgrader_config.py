"""nbgrader settings every user's server shares: the course id and where the exchange is.

The hub's spawner sets both variables (see ``jupyterhub_config.py``); the defaults are those of
``hub/install.sh``.
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ.get("NN_COURSE_ID", "nn-course")
c.Exchange.root = os.environ.get("NN_COURSE_EXCHANGE", "/opt/nn-course/exchange")
