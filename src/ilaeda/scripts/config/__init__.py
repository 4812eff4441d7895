"""Sacred experiments with their default configs and named configs (one module per experiment)."""
