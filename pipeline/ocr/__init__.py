"""Text from page images: one interface, three engines (PP-OCR default, Tesseract, PaddleOCR)."""

from __future__ import annotations

from pipeline.ocr.base import OcrEngine, OcrResult, OcrUnavailable, engine_key, engine_label

ENGINES = ("rapidocr", "tesseract", "paddleocr")


def make_engine(name: str = "rapidocr", **settings: object) -> OcrEngine:
    """The named engine, ready to read; OcrUnavailable says what to install when it cannot."""
    if name == "rapidocr":
        from pipeline.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine(**settings)
    if name == "tesseract":
        from pipeline.ocr.tesseract import TesseractEngine

        return TesseractEngine(**settings)
    if name == "paddleocr":
        from pipeline.ocr.paddle import PaddleOcrEngine

        return PaddleOcrEngine(**settings)  # type: ignore[arg-type]
    raise OcrUnavailable(f"未知的OCR引擎：{name}（可选：{'、'.join(ENGINES)}）")


__all__ = ["ENGINES", "OcrEngine", "OcrResult", "OcrUnavailable", "engine_key", "engine_label", "make_engine"]
