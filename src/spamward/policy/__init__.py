"""The policy: rules that answer hit or miss; the engine decides from their answers."""
