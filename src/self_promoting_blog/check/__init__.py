"""`invoke check` and the build's content check: rules over the writers' files."""
