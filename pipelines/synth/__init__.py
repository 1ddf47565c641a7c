"""Seeded, deterministic synthetic Kabupaten Batang data for tests, demos and benchmarks."""

from pipelines.synth.generate import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
