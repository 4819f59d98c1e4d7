"""Experiments: each module computes data from the core and returns its REPORT.md section."""
