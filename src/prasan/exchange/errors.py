"""The exchange's refusals, each under the branch of ``prasan.core.errors`` whose HTTP status it
shares. Every refusal is also written to the transparency log under its ``code``."""

from __future__ import annotations

from prasan.core.errors import AuthError, Conflict, Forbidden, InputError, NotFound, PrasanError


class SignatureInvalid(AuthError):
    status = 401
    code = "signature-invalid"
    title = "The request signature could not be verified"
    title_th = "ตรวจสอบลายมือชื่ออิเล็กทรอนิกส์ของคำขอไม่ผ่าน"


class UnknownKey(SignatureInvalid):
    code = "unknown-key"
    title = "The signing key is not registered"
    title_th = "ไม่พบกุญแจที่ใช้ลงนามในทะเบียนสมาชิก"


class KeyRevoked(SignatureInvalid):
    code = "key-revoked"
    title = "The signing key has been revoked"
    title_th = "กุญแจที่ใช้ลงนามถูกเพิกถอนแล้ว"


class SignatureExpired(SignatureInvalid):
    code = "signature-expired"
    title = "The signature is outside the accepted time window"
    title_th = "ลายมือชื่ออยู่นอกช่วงเวลาที่ยอมรับ"


class DigestMismatch(InputError):
    code = "content-digest-mismatch"
    title = "The body does not match its Content-Digest"
    title_th = "เนื้อหาคำขอไม่ตรงกับค่า Content-Digest"


class ReplayedRequest(Conflict):
    code = "replayed-request"
    title = "This signed request was already received"
    title_th = "ได้รับคำขอที่ลงนามนี้ไปแล้ว"


class NoAccessRight(Forbidden):
    code = "no-access-right"
    title = "No access right for this service"
    title_th = "ไม่มีสิทธิ์เข้าถึงบริการนี้"


class PurposeNotAllowed(Forbidden):
    code = "purpose-not-allowed"
    title = "The purpose is not allowed for this service"
    title_th = "วัตถุประสงค์นี้ไม่ได้รับอนุญาตสำหรับบริการนี้"


class ConsentRequired(Forbidden):
    code = "consent-required"
    title = "The citizen's consent is needed"
    title_th = "ต้องได้รับความยินยอมจากประชาชน"


class ConsentInvalid(Forbidden):
    code = "consent-invalid"
    title = "The consent does not cover this call"
    title_th = "ความยินยอมไม่ครอบคลุมคำขอนี้"


class ConsentRevoked(ConsentInvalid):
    code = "consent-revoked"
    title = "The citizen has revoked this consent"
    title_th = "ประชาชนเพิกถอนความยินยอมนี้แล้ว"


class ConsentExpired(ConsentInvalid):
    code = "consent-expired"
    title = "The consent has expired or been used"
    title_th = "ความยินยอมหมดอายุหรือถูกใช้ไปแล้ว"


class UnknownService(NotFound):
    code = "unknown-service"
    title = "No such provider or service"
    title_th = "ไม่พบหน่วยงานผู้ให้บริการหรือบริการนี้"


class CitizenNotFound(NotFound):
    code = "citizen-not-found"
    title = "The provider has no record of this citizen"
    title_th = "หน่วยงานผู้ให้บริการไม่มีข้อมูลของบุคคลนี้"


class ProviderFailed(PrasanError):
    status = 502
    code = "provider-failed"
    title = "The provider did not give a valid answer"
    title_th = "หน่วยงานผู้ให้บริการไม่ได้ตอบกลับอย่างถูกต้อง"
