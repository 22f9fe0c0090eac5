"""nbgrader preprocessors for grading untrusted notebooks: one transform per class.

``nbgrader_config.py`` composes them with nbgrader's own into the autograder's two passes::

    sanitize:  ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
               CheckCellMetadata, FlagConstructs, StripVerdicts
    autograde: SandboxedExecute, LimitOutput, JudgeVerdicts, SaveAutoGrades,
               AssignLatePenalties, CheckCellMetadata, RecordStatus

so ``nbgrader autograde`` and formgrader's Autograde button grade exactly as
``python -m grading`` does.
"""

from grading.preprocessors.clear_output import ClearOutput
from grading.preprocessors.deduplicate_ids import DeduplicateIds
from grading.preprocessors.flag_constructs import FlagConstructs
from grading.preprocessors.judge_verdicts import JudgeVerdicts
from grading.preprocessors.record_status import RecordStatus
from grading.preprocessors.sandboxed_execute import SandboxedExecute
from grading.preprocessors.strip_verdicts import StripVerdicts

__all__ = [
    "ClearOutput",
    "DeduplicateIds",
    "FlagConstructs",
    "JudgeVerdicts",
    "RecordStatus",
    "SandboxedExecute",
    "StripVerdicts",
]
