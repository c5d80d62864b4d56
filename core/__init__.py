"""The shared kernel every app builds on: service errors and model validation. It imports no app."""
