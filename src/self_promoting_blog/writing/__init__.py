"""The writer's tools: `invoke new` and `invoke calendar`."""
