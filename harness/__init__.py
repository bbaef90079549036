"""secns evaluation harness: build, boot, run and report on security-namespace kernels."""

__version__ = "0.1.0"
