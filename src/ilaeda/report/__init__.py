"""Reports people read: a run's generated sessions as a notebook and a web page, and analyze's grid page.

``python -m ilaeda.report <sacred run dir | sessions.json> [--out DIR]`` writes ``report.html`` (self-contained:
inline CSS, pictures as data URIs) and ``report.ipynb`` (executes top to bottom, re-creating each display).
Training and evaluation runs write the same report into ``<log_dir>/report`` when they finish.
"""

from ilaeda.report.sessions import ReportError, ReportInput, load_input
from ilaeda.report.write import write_report, write_run_report

__all__ = ["ReportError", "ReportInput", "load_input", "write_report", "write_run_report"]
