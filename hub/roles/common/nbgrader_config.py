"""nbgrader settings every user's server shares: the course id, where the exchange is, deadlines.

The hub's spawner sets both variables (see ``jupyterhub_config.py``); the defaults are those of
``hub/install.sh``.
"""

import datetime
import json
import os

from nbgrader.exchange.default.submit import ExchangeSubmit

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ.get("NN_COURSE_ID", "nn-course")
c.Exchange.root = os.environ.get("NN_COURSE_EXCHANGE", "/opt/nn-course/exchange")


class SubmitBeforeDeadline(ExchangeSubmit):
    """nbgrader's submit, refusing with a reason a submission after the assignment's deadline.

    The instructor writes the deadlines into ``deadlines.json`` in the course's exchange folder,
    as ISO 8601 times with a time zone: ``{"a1_neurons": "2026-12-08T23:59:00+01:00"}``. An
    assignment without one takes submissions at any time. A refused submission changes nothing:
    the work stays in the student's folder and earlier submissions stay in the exchange.
    """

    def init_dest(self):
        super().init_dest()
        deadline = self.deadline()
        if deadline is not None and datetime.datetime.now(datetime.timezone.utc) > deadline:
            self.fail(
                f"The deadline of {self.coursedir.assignment_id} was {deadline.isoformat(' ')}: "
                f"submissions are closed and this one was not taken. Your work is still in "
                f"{self.src_path}; ask your instructor about a late submission."
            )

    def deadline(self):
        path = os.path.join(self.root, self.coursedir.course_id, "deadlines.json")
        if not os.path.exists(path):
            return None
        try:
            with open(path, encoding="utf-8") as file:
                text = json.load(file).get(self.coursedir.assignment_id)
            if text is None:
                return None
            deadline = datetime.datetime.fromisoformat(text)
        except (OSError, ValueError, AttributeError, TypeError) as error:
            self.fail(f'{path} is unreadable ({error}): expected {{"ASSIGNMENT": "ISO 8601 time"}}')
        if deadline.tzinfo is None:
            self.fail(f"{path}: {text!r} has no time zone; write a deadline like 2026-12-08T23:59:00+01:00")
        return deadline


c.ExchangeFactory.submit = SubmitBeforeDeadline
