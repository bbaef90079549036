"""Scenarios: data files in scenarios/, each step with the outcome it expects."""
