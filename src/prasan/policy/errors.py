"""The policy analyser's errors, under the platform's tree (``prasan.core.errors``).

Bad input inside a batch is not an exception: it becomes an ``InputProblem`` (see ``ingest``)
so one broken file never stops the others. These errors are for requests that cannot go on.
"""

from __future__ import annotations

from prasan.core.errors import InputError, NotFound


class PolicyInputError(InputError):
    code = "policy-input"
    title = "The policy input cannot be analysed"
    title_th = "ไม่สามารถวิเคราะห์ข้อมูลนโยบายที่ส่งมาได้"


class NoAnalysis(NotFound):
    code = "policy-no-analysis"
    title = "No stored policy analysis"
    title_th = "ยังไม่มีผลการวิเคราะห์นโยบายที่บันทึกไว้"
