"""Text handling on the decision path: normalise, then extract entities."""
