"""emad-bot's core: French BM25 retrieval over the saga's articles, cited snippets."""
