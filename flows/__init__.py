"""Prefect flows that run the pipeline over a batch."""
