"""The promotion engine behind `invoke promote` (the build side is plugins/promote)."""
