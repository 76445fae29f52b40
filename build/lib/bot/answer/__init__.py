"""`Query` → `Reply`: the engine, snippets, answer types and the French texts users read."""
