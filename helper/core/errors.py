"""Domain exceptions. The core raises these; the API and the CLI turn them into HTTP errors or messages."""


class WitnessError(Exception):
    """Base class. `code` is a stable machine-readable name, `status` the HTTP status at the edge."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(WitnessError):
    code = "bad_config"
    status = 500


class BadRequest(WitnessError):
    code = "bad_request"
    status = 400


class NotFound(WitnessError):
    code = "not_found"
    status = 404


class StoreError(WitnessError):
    code = "store_error"
    status = 500


class EvidenceTampered(WitnessError):
    code = "evidence_tampered"
    status = 409


class CaptureError(WitnessError):
    code = "capture_failed"
    status = 502


class Busy(WitnessError):
    """The capture queue is full; retry after `retry_after` seconds."""

    code = "busy"
    status = 429

    def __init__(self, message: str, *, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = retry_after


class SnapshotLimited(Busy):
    """An automatic snapshot asked for too soon (per thread or overall); the latest state is taken after
    `retry_after` seconds (the extension coalesces the changes in between into that one snapshot)."""

    code = "snapshot_limited"


class CaptureTooLarge(WitnessError):
    """One capture's files together exceed `max_capture_mb`; nothing was stored."""

    code = "capture_too_large"
    status = 413


class OverDiskBudget(WitnessError):
    """The evidence folder is at its disk budget: automatic snapshots stop (captures the buyer asks for go on)."""

    code = "disk_budget"
    status = 507


class BrowserNotFound(WitnessError):
    code = "browser_not_found"
    status = 500


class OcrError(WitnessError):
    """The image cannot be read (empty, corrupt, not an image, too small) or no OCR engine can run."""

    code = "ocr_failed"
    status = 422


class TimestampError(WitnessError):
    """The time-stamping authority could not be reached or gave no usable token."""

    code = "timestamp_failed"
    status = 502


class PackageError(WitnessError):
    """An evidence package cannot be built or read (existing path, unreadable zip)."""

    code = "package_error"
    status = 400
