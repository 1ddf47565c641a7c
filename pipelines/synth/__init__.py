"""Seeded, deterministic synthetic Kabupaten Batang data for tests, demos and benchmarks."""

from pipelines.synth.generator import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
