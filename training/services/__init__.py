"""What changes trainings, assessments and drills: one straight-line function per action.

``sessions`` (plan, edit, attendance), ``materials`` (a session's files), ``assessments``
(a score, and the skills a pass adds), ``drills`` (build, start, answer, score).
"""
