"""Prasan's one exception tree; ``prasan.web.problems`` maps it to HTTP in one place.

::

    PrasanError                      500  something we did not expect
    ├── ConfigurationError           500  the operator must fix a setting
    ├── InputError                   400  the caller sent something we cannot use
    │   ├── MalformedBody            400  the body is not JSON / not the expected shape
    │   ├── ValidationFailed         422  well-formed, but a field is wrong (see ``errors``)
    │   │   └── InvalidCitizenId     422  a 13-digit Thai ID that fails its rules
    │   └── InvalidDate              422  a date we cannot read
    ├── AuthError                    401/403
    │   ├── NotAuthenticated         401  log in first
    │   ├── Forbidden                403  logged in, but the role does not allow this
    │   └── CsrfFailed               403  a form or call without its anti-forgery token
    ├── NotFound                     404
    ├── Conflict                     409  clashes with what is already stored
    └── RateLimited                  429  too many attempts; ``retry_after`` seconds

Every error carries an English and a Thai title and detail; the detail says what was wrong and
what to do about it. Parts add their own subclasses (the exchange adds signature and consent
errors) under the branch whose HTTP status they share.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PrasanError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Something went wrong on our side"
    title_th: ClassVar[str] = "ระบบขัดข้อง"

    def __init__(
        self,
        detail: str,
        *,
        detail_th: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_th = detail_th or detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra

    def __str__(self) -> str:
        return self.detail


class ConfigurationError(PrasanError):
    code = "configuration"
    title = "The server is not configured correctly"
    title_th = "การตั้งค่าเซิร์ฟเวอร์ไม่ถูกต้อง"


class InputError(PrasanError):
    status = 400
    code = "bad-input"
    title = "The request cannot be used as sent"
    title_th = "ข้อมูลที่ส่งมาใช้ไม่ได้"


class MalformedBody(InputError):
    code = "malformed-body"
    title = "The request body is malformed"
    title_th = "รูปแบบเนื้อหาคำขอไม่ถูกต้อง"


class ValidationFailed(InputError):
    status = 422
    code = "validation-failed"
    title = "Some fields need correcting"
    title_th = "มีข้อมูลบางช่องที่ต้องแก้ไข"


class InvalidCitizenId(ValidationFailed):
    code = "invalid-citizen-id"
    title = "Invalid citizen ID"
    title_th = "เลขประจำตัวประชาชนไม่ถูกต้อง"


class InvalidDate(ValidationFailed):
    code = "invalid-date"
    title = "Invalid date"
    title_th = "วันที่ไม่ถูกต้อง"


class AuthError(PrasanError):
    status = 403
    code = "auth"
    title = "Not allowed"
    title_th = "ไม่ได้รับอนุญาต"


class NotAuthenticated(AuthError):
    status = 401
    code = "not-authenticated"
    title = "Please log in"
    title_th = "กรุณาเข้าสู่ระบบ"


class Forbidden(AuthError):
    status = 403
    code = "forbidden"
    title = "Your role does not allow this"
    title_th = "บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้"


class CsrfFailed(AuthError):
    status = 403
    code = "csrf-failed"
    title = "The form has expired or did not come from Prasan"
    title_th = "แบบฟอร์มหมดอายุหรือไม่ได้มาจากระบบประสาน"


class NotFound(PrasanError):
    status = 404
    code = "not-found"
    title = "Not found"
    title_th = "ไม่พบข้อมูล"


class Conflict(PrasanError):
    status = 409
    code = "conflict"
    title = "This clashes with what is already stored"
    title_th = "ข้อมูลขัดแย้งกับที่บันทึกไว้แล้ว"


class RateLimited(PrasanError):
    status = 429
    code = "rate-limited"
    title = "Too many attempts"
    title_th = "ทำรายการถี่เกินไป"

    def __init__(self, detail: str, *, retry_after: int, detail_th: str | None = None) -> None:
        super().__init__(
            detail,
            detail_th=detail_th,
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )
        self.retry_after = retry_after


def error_types() -> dict[str, type[PrasanError]]:
    """Every error class by its code (each part's errors once its module is imported)."""
    found: dict[str, type[PrasanError]] = {}
    todo: list[type[PrasanError]] = [PrasanError]
    while todo:
        cls = todo.pop()
        found.setdefault(cls.code, cls)
        todo.extend(cls.__subclasses__())
    return found
