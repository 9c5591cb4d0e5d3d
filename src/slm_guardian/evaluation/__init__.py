"""Measuring the guard: datasets and runner, metrics, breakdowns, reports, baselines, benchmarks."""
