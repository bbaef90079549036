"""Kernel variants: base source, patch series, config fragments, cached builds."""
