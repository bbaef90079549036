"""Workloads run in the guest and the statistics over them."""
