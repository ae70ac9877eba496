"""The training pages: sessions, drills, assessments."""

from training.views.assessments import assessment_list
from training.views.drills import (
    drill_answer,
    drill_detail,
    drill_file,
    drill_list,
    drill_new,
    drill_score,
    drill_start,
    drill_withdraw,
)
from training.views.sessions import (
    session_assess,
    session_attendance,
    session_cancel,
    session_detail,
    session_edit,
    session_file,
    session_file_delete,
    session_files_add,
    session_list,
    session_new,
)

__all__ = [
    "assessment_list",
    "drill_answer",
    "drill_detail",
    "drill_file",
    "drill_list",
    "drill_new",
    "drill_score",
    "drill_start",
    "drill_withdraw",
    "session_assess",
    "session_attendance",
    "session_cancel",
    "session_detail",
    "session_edit",
    "session_file",
    "session_file_delete",
    "session_files_add",
    "session_list",
    "session_new",
]
