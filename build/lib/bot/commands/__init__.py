"""The terminal harness and tools: the `emad-bot` command line, chat rendering, eval, bench."""
