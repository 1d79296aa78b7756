"""Intake, page reading, OCR, storage and the rule engine: the stages a batch flows through."""
