"""The suites built from a user's tree, each with its option (harness.conformance.tree)."""

from harness.conformance import apparmor, ltp
from harness.conformance.tree import TreeSuite

TREE_SUITES: tuple[TreeSuite, ...] = (ltp.SUITE, apparmor.SUITE)
BY_NAME = {suite.name: suite for suite in TREE_SUITES}
