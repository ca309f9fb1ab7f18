"""The leaf of the helper: errors, the clock and the configuration. Every other package may import it; it
imports nothing of the project's own."""
