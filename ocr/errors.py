"""The one error OCR raises: the image cannot be read, or no engine can run."""


class OcrError(Exception):
    code = "ocr_failed"

    @property
    def message(self) -> str:
        return str(self)
