"""Articles on disk → cleaned text → passages: `articles`, `cleaning`, `passages`."""
