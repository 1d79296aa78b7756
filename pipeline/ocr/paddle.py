"""PaddleOCR 3.x as an optional engine, only with its models in a local folder (no downloads)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pipeline.ocr.base import OcrResult, OcrUnavailable
from pipeline.ocr.preprocess import quad_to_bbox, skew_degrees, suppress_red_seals, to_ocr_result
from pipeline.ocr.rapid import PIPELINE_REVISION, PpOcr, orient

MODEL_DIR_ENV = "SHENHE_PADDLE_MODELS"


class PaddleOcrEngine:
    """PaddleOCR det + rec from `<model_dir>/det` and `<model_dir>/rec`; orientation found by us."""

    name = "paddleocr"

    def __init__(self, model_dir: str | None = None, **settings: object) -> None:
        folder = Path(model_dir or os.environ.get(MODEL_DIR_ENV, ""))
        if not str(folder) or not (folder / "det").is_dir() or not (folder / "rec").is_dir():
            raise OcrUnavailable(
                f"PaddleOCR 需要本地模型目录（含 det/ 与 rec/ 子目录），请用 --paddle-models 或环境变量 {MODEL_DIR_ENV} 指定；"
                f"当前：{folder or '未设置'}")
        try:
            import paddleocr
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise OcrUnavailable("未安装 PaddleOCR：pip install paddleocr paddlepaddle") from exc
        self.settings = {"model_dir": folder.name, **settings}
        self.version = f"{getattr(paddleocr, '__version__', '3')} {PIPELINE_REVISION}"
        self._ocr = PaddleOCR(
            text_detection_model_dir=str(folder / "det"), text_recognition_model_dir=str(folder / "rec"),
            use_doc_orientation_classify=False, use_doc_unwarping=False, use_textline_orientation=False,
            enable_mkldnn=False)
        self._pp = PpOcr()

    def __call__(self, bgr: np.ndarray) -> OcrResult:
        upright, turns, _quads = orient(self._pp, suppress_red_seals(bgr))
        found = []
        for page in self._ocr.predict(upright):
            for text, score, poly in zip(page["rec_texts"], page["rec_scores"], page["rec_polys"], strict=False):
                if text.strip():
                    found.append((np.asarray(poly, dtype=np.float32), text.strip(), float(score)))
        skew = skew_degrees([quad for quad, _t, _s in found])
        return to_ocr_result([(quad_to_bbox(quad), text, score) for quad, text, score in found], skew, upright, turns)
