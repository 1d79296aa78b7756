"""Prefect flows that run the pipeline: `flows.batch` (process a batch), `flows.reevaluate`.

Import `flows.settings.embedded_prefect` first: Prefect reads its settings when it is imported."""
