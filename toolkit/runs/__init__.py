"""Evaluation runs: config, resumable engine, manifest and report."""
