"""``python -m grading ASSIGNMENT``: grade a class (see ``grading.classroom``)."""

import sys

from grading.classroom import main

sys.exit(main())
