"""French analysis, question concepts, the retrieval interface and its BM25 index."""
