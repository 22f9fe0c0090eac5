"""Run by every Python process in the sandbox before anything else (it lies first on PYTHONPATH).

It hides three optional packages that a graded run never uses and that cost about a fifth of a
notebook's sandbox time: ``jedi`` (tab completion) and ``debugpy`` (the debugger), which the kernel
imports at start and does without when they are missing, and ``rfc3987_syntax``, from which
``jsonschema`` (imported by ``nbformat``) builds a grammar for IRI formats no notebook check uses.
A student's ``import jedi`` then fails inside the sandbox, which no exercise needs.
"""

import sys

for name in ("jedi", "debugpy", "rfc3987_syntax"):
    sys.modules.setdefault(name, None)
